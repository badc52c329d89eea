/**
 * The engine: prepares a pipeline's steps (bundling code, hashing versions), creates the
 * run record and hands the run to a {@link RunExecution}. One engine serves many runs and
 * owns the runtimes and the batched state writer.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import {
  SluiceError,
  canonicalJson,
  formatDuration,
  newId,
  sha256,
  silentLogger,
  type Logger,
} from '../core/index.js';
import { DEFAULT_BRANCH, type ObjectStore, type Repos } from '../data/index.js';
import { createCommandRuntime, createTsRuntime, type StepRuntime } from '../runtime/index.js';
import type { Pipeline, StepSpec, TopicInputSpec } from '../spec/index.js';
import {
  StateWriter,
  streamBatchQueries,
  type MetadataStore,
  type ProvenanceInput,
  type RunRecord,
  type RunTrigger,
} from '../store/index.js';
import type { Topics } from '../streams/index.js';
import { Tracking } from '../tracking/index.js';
import { planData } from './data-plan.js';
import { outputTree } from './output-commit.js';
import type { RunEventListener } from './events.js';
import { ResultCache } from './result-cache.js';
import { RunExecution, stepOrigin } from './run-execution.js';
import { StreamSource } from './stream-source.js';
import type { ValueTable } from './values.js';

/** Options of {@link createEngine}. */
export interface EngineOptions {
  store: MetadataStore;
  objects: ObjectStore;
  /** Where attempts get their scratch directories. */
  scratchDir: string;
  /** Running attempts at once across a run; default: 2 x cores. */
  concurrency?: number;
  /** Step runtimes; default: a worker-thread pool as large as `concurrency`, and subprocesses. */
  runtimes?: { ts: StepRuntime; command: StepRuntime };
  logger?: Logger;
  /** Model registry and tables (default: over `store` and `objects`). */
  tracking?: Tracking;
  /** How often batched state is flushed to the store, in ms (default 25). */
  flushIntervalMs?: number;
  /** Versioned data: what data inputs read and output repos receive. */
  repos?: Repos;
  /** Topics: what topic inputs consume and topic outputs publish to. */
  topics?: Topics;
  /** Environment added for steps, commands and worker threads (e.g. how to reach the data directory's owner). */
  stepEnv?: Record<string, string>;
}

/** Options of one run. `params` must already be resolved against the pipeline's params. */
export interface RunOptions {
  params: Record<string, unknown>;
  /** Re-execute every step even when a stored result matches its execution key. */
  noCache?: boolean;
  /** Fail the run if it has not ended after this many ms. */
  timeoutMs?: number;
  onEvent?: RunEventListener;
  /** What started the run (default: a manual launch). */
  trigger?: RunTrigger;
  /** Read these input commits instead of the branch heads (restarts, backfills). */
  inputCommits?: ProvenanceInput[];
  /** The registered pipeline version this run belongs to (`sluice pipeline create`). */
  registeredVersion?: number;
  /** Execute only these datums; the others take stored results or are left out (restarts). */
  onlyDatums?: string[];
  /** The id of a run recorded earlier as `queued` (by the service), which this run becomes. */
  runId?: string;
  /** When the run was asked for (a queued run's creation time); default now. */
  createdAt?: Date;
}

/** A started run. */
export interface RunHandle {
  id: string;
  /** Settles with the final run record once it is durable; never rejects for a failed run. */
  result: Promise<RunRecord>;
  /** Stops running attempts and records the run as cancelled (or interrupted, by a shutdown). */
  cancel(reason?: string, status?: 'cancelled' | 'interrupted'): void;
  execution: RunExecution;
}

/** The engine. */
export interface Engine {
  startRun(pipeline: Pipeline, options: RunOptions): Promise<RunHandle>;
  /** The version hashes a run of `pipeline` would have: the whole pipeline's and each step's. */
  versions(pipeline: Pipeline): Promise<{ pipelineVersion: string; steps: Record<string, string> }>;
  /** Runs currently executing in this engine, by id. */
  active(): Map<string, RunHandle>;
  /** Attempts running now across active runs, and the per-run attempt limit (`concurrency`). */
  load(): { running: number; concurrency: number };
  /** Waits for buffered state, stops workers. Active runs are cancelled first. */
  close(): Promise<void>;
}

/** Creates an engine over a store and an object store. */
export function createEngine(options: EngineOptions): Engine {
  const concurrency = options.concurrency ?? availableParallelism() * 2;
  const logger = options.logger ?? silentLogger();
  const runtimes = options.runtimes ?? {
    ts: createTsRuntime({
      objects: options.objects,
      maxWorkers: concurrency,
      ...(options.stepEnv ? { env: options.stepEnv } : {}),
    }),
    command: createCommandRuntime({
      objects: options.objects,
      ...(options.stepEnv ? { env: { ...process.env, ...options.stepEnv } } : {}),
    }),
  };
  const writer = new StateWriter(options.store, {
    intervalMs: options.flushIntervalMs ?? 25,
    onError: (error: unknown) => logger.error({ err: error }, 'state flush failed; retrying'),
  });
  const cache = new ResultCache(options.store);
  const tracking =
    options.tracking ??
    new Tracking(options.store, options.objects, options.topics ? { topics: options.topics } : {});
  const active = new Map<string, RunHandle>();

  async function versionSteps(pipeline: Pipeline): Promise<Map<string, string>> {
    const versions = new Map<string, string>();
    await Promise.all(
      Object.values(pipeline.steps).map(async (step) => {
        const runtime = step.run.kind === 'ts' ? runtimes.ts : runtimes.command;
        const { codeHash } = await runtime.prepare(step, pipeline.dir);
        versions.set(step.name, stepVersion(step, codeHash));
      }),
    );
    return versions;
  }

  function pipelineVersionOf(pipeline: Pipeline, stepVersions: Map<string, string>): string {
    return sha256(
      canonicalJson({
        name: pipeline.name,
        outputs: pipeline.outputs,
        steps: Object.fromEntries(stepVersions),
      }),
    );
  }

  /** The stream sources of a run of `pipeline`, one per topic input. */
  function streamSources(
    pipeline: Pipeline,
    params: Record<string, unknown>,
    runId: string,
    onDatum: (key: string, input: string, value: unknown) => void,
    log: (line: string) => void,
  ): StreamSource[] {
    const inputs = Object.values(pipeline.streams);
    if (inputs.length === 0) return [];
    const topics = options.topics;
    if (!topics) {
      throw new SluiceError(
        'TOPIC_UNAVAILABLE',
        `pipeline '${pipeline.name}' consumes topics, and no topics are open`,
      );
    }
    const batches = streamBatchQueries(options.store.sql);
    return inputs.map((input) => {
      const parallelism = Math.max(
        1,
        ...Object.values(pipeline.steps)
          .filter((step) => stepOrigin(pipeline, step) === input.name)
          .map((step) => step.parallelism),
      );
      return new StreamSource({
        input,
        timeoutMs: streamTimeout(input, params),
        topics,
        batches,
        runId,
        inflightLimit: Math.max(2, parallelism * 2),
        logger: logger.child({ runId, stream: input.name }),
        onDatum: (key, value) => onDatum(key, input.name, value),
        log,
      });
    });
  }

  return {
    async versions(pipeline) {
      const steps = await versionSteps(pipeline);
      return { pipelineVersion: pipelineVersionOf(pipeline, steps), steps: Object.fromEntries(steps) };
    },
    async startRun(pipeline, runOptions) {
      const stepVersions = await versionSteps(pipeline);
      // Model params name concrete versions from here on: the run records which model it used.
      const params = await tracking.resolveModelParams(pipeline, runOptions.params);
      const plan = await planData(pipeline, options.repos, runOptions.inputCommits);
      const pipelineVersion = pipelineVersionOf(pipeline, stepVersions);
      const id = runOptions.runId ?? newId();
      const now = new Date();
      const run: RunRecord = {
        id,
        pipeline: pipeline.name,
        pipelineVersion,
        specFile: pipeline.file ?? null,
        params,
        status: 'running',
        desiredOutputs: pipeline.outputs,
        outputs: null,
        error: null,
        pid: process.pid,
        createdAt: runOptions.createdAt ?? now,
        startedAt: now,
        finishedAt: null,
        inputCommits: plan.inputCommits,
        outputCommit: null,
        trigger: runOptions.trigger ?? { kind: 'manual' },
      };
      for (const runtime of new Set([runtimes.ts, runtimes.command])) await runtime.beginRun?.(run, pipeline);
      const scratchDir = join(options.scratchDir, id);
      const streams = streamSources(
        pipeline,
        params,
        id,
        (key, input, value) => execution.addStreamDatum(input, key, value),
        (line) => execution.engineLog(line),
      );
      const execution: RunExecution = new RunExecution({
        pipeline,
        run,
        writer,
        cache,
        objects: options.objects,
        runtimes,
        stepVersions,
        scratchDir,
        concurrency,
        useCache: !runOptions.noCache,
        logger: logger.child({ runId: id }),
        onEvent: runOptions.onEvent ?? (() => undefined),
        firstLogSeq: 0,
        tracking: tracking.forRun(run, pipeline, scratchDir),
        data: plan.inputs,
        streams,
        ...(options.topics ? { topics: options.topics } : {}),
        ...(runOptions.onlyDatums ? { onlyDatums: new Set(runOptions.onlyDatums) } : {}),
        commitOutputs:
          options.repos && plan.inputs.length > 0
            ? commitOutputsTo(
                options.repos,
                options.objects,
                pipeline,
                run,
                runOptions.registeredVersion ?? null,
              )
            : undefined,
      });
      let timer: NodeJS.Timeout | undefined;
      if (runOptions.timeoutMs !== undefined) {
        const ms = runOptions.timeoutMs;
        timer = setTimeout(
          () => execution.cancel(`the run exceeded its timeout of ${formatDuration(ms)}`, 'failed'),
          ms,
        );
        timer.unref();
      }
      const result = execution.done.then(async (record) => {
        if (timer) clearTimeout(timer);
        active.delete(id);
        await rm(scratchDir, { recursive: true, force: true }).catch(() => undefined);
        logger.info({ runId: id, status: record.status }, 'run finished');
        return record;
      });
      const handle: RunHandle = {
        id,
        result,
        cancel: (reason, status) => execution.cancel(reason, status),
        execution,
      };
      active.set(id, handle);
      logger.info({ runId: id, pipeline: pipeline.name }, 'run started');
      execution.start();
      return handle;
    },
    active: () => active,
    load() {
      let running = 0;
      for (const handle of active.values()) running += handle.execution.runningAttempts;
      return { running, concurrency };
    },
    async close() {
      for (const handle of active.values()) handle.cancel('the engine is shutting down');
      await Promise.all([...active.values()].map((handle) => handle.result));
      await writer.close();
      await Promise.all([runtimes.ts.close(), runtimes.command.close()]);
    },
  };
}

/** Commits a successful run's outputs to the repo named after its pipeline (created if needed). */
function commitOutputsTo(
  repos: Repos,
  objects: ObjectStore,
  pipeline: Pipeline,
  run: RunRecord,
  version: number | null,
): (values: ValueTable) => Promise<string | null> {
  return async (values) => {
    const files = await outputTree(objects, pipeline, values);
    if (!(await repos.records.getRepo(pipeline.name))) {
      await repos.create(pipeline.name, `outputs of pipeline ${pipeline.name}`).catch((error: unknown) => {
        if (!(error instanceof SluiceError && error.code === 'REPO_EXISTS')) throw error;
      });
    }
    const commit = await repos.commitTree(
      pipeline.name,
      DEFAULT_BRANCH,
      files,
      `run ${run.id} of ${pipeline.name}`,
      {
        pipeline: pipeline.name,
        version,
        pipelineVersion: run.pipelineVersion,
        runId: run.id,
        inputs: run.inputCommits,
      },
    );
    return commit?.id ?? null;
  };
}

/** A stream input's timeout in ms: fixed, or the run's value of the param it names. */
function streamTimeout(input: TopicInputSpec, params: Record<string, unknown>): number {
  if (typeof input.timeoutMs === 'number') return input.timeoutMs;
  const value = params[input.timeoutMs.param];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SluiceError(
      'PARAM_TYPE',
      `stream input '${input.name}': param '${input.timeoutMs.param}' must be a number of milliseconds >= 0, found ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * A step's version: what it computes, not how it is scheduled. Parallelism, retries and
 * timeouts do not change results, so changing them keeps cached results valid.
 */
export function stepVersion(step: StepSpec, codeHash: string): string {
  const run =
    step.run.kind === 'ts'
      ? { kind: 'ts', export: step.run.export }
      : { kind: 'command', command: step.run.command, env: step.run.env };
  return sha256(canonicalJson({ run, codeHash, inputs: step.inputs, outputs: step.outputs }));
}
