/**
 * The TS runtime: step modules bundled by esbuild, executed in a pool of worker threads,
 * one attempt per worker at a time. A step that crashes its worker, hangs past its timeout
 * or is cancelled costs only that worker, which is terminated and replaced on demand.
 */
import { rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SluiceError, toSluiceError, bundleModule, type Bundle } from '../../core/index.js';
import { storeDirectory, type ObjectStore } from '../../data/index.js';
import type { StepSpec } from '../../spec/index.js';
import { hasFileInputs, layoutInputs } from '../inputs.js';
import { checkOutputs } from '../outputs.js';
import { cancelledError, timeoutError } from '../attempt-errors.js';
import type { LogStream, MetricPoint, StepResult, StepRuntime, StepTask } from '../runtime.js';

/** Options of {@link createTsRuntime}. */
export interface TsRuntimeOptions {
  objects: ObjectStore;
  /** Worker threads at most (default 2 x cores); more attempts wait for a free one. */
  maxWorkers?: number;
  /** After a cancel, how long a step may react to `ctx.signal` before its worker is killed (ms). */
  killGraceMs?: number;
  /** Environment added for steps' worker threads (e.g. how to reach the data directory's owner). */
  env?: Record<string, string>;
}

type WorkerMessage =
  | { type: 'progress'; id: number; logs: [LogStream, string][]; metrics: MetricPoint[] }
  | { type: 'call'; id: number; call: number; method: 'saveModel' | 'loadModel'; args: unknown[] }
  | {
      type: 'done';
      id: number;
      outputs: unknown;
      outputDirs: string[];
      tables: [string, unknown[]][];
      messages: [string, unknown[]][];
      logged: Record<string, unknown>;
      artifacts: [string, string][];
    }
  | { type: 'error'; id: number; message: string; stack: string };

interface Assignment {
  onMessage(message: WorkerMessage): void;
  onExit(reason: string): void;
}

/** A worker with the attempt it is running, if any. */
class PoolWorker {
  readonly worker: Worker;
  assignment: Assignment | undefined;
  dead = false;

  constructor(onDeath: (worker: PoolWorker) => void, env?: Record<string, string>) {
    this.worker = new Worker(
      new URL('./worker-entry.js', import.meta.url),
      env ? { env: { ...process.env, ...env } } : {},
    );
    this.worker.on('message', (message: WorkerMessage) => this.assignment?.onMessage(message));
    this.worker.on('error', (error) => this.#die(`its worker crashed: ${error.message}`, onDeath));
    this.worker.on('exit', (code) => this.#die(`its worker exited with code ${code}`, onDeath));
  }

  #die(reason: string, onDeath: (worker: PoolWorker) => void): void {
    if (this.dead) return;
    this.dead = true;
    const assignment = this.assignment;
    this.assignment = undefined;
    onDeath(this);
    assignment?.onExit(reason);
  }
}

/** Creates the TS runtime. */
export function createTsRuntime(options: TsRuntimeOptions): StepRuntime {
  const maxWorkers = options.maxWorkers ?? availableParallelism() * 2;
  const killGraceMs = options.killGraceMs ?? 500;
  const bundles = new Map<string, Promise<Bundle>>();
  const bundledAt = new Map<string, number>();
  const idle: PoolWorker[] = [];
  const all = new Set<PoolWorker>();
  const waiting: ((worker: PoolWorker) => void)[] = [];
  let nextId = 1;
  let closed = false;

  function onDeath(worker: PoolWorker): void {
    all.delete(worker);
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
    // A waiter can now have a fresh worker in the freed slot.
    const next = waiting.shift();
    if (next && !closed) next(spawn());
  }

  function spawn(): PoolWorker {
    const worker = new PoolWorker(onDeath, options.env);
    all.add(worker);
    return worker;
  }

  function acquire(): Promise<PoolWorker> {
    const worker = idle.pop() ?? (all.size < maxWorkers ? spawn() : undefined);
    if (worker) {
      worker.worker.ref();
      return Promise.resolve(worker);
    }
    return new Promise((resolve) => waiting.push(resolve));
  }

  function release(worker: PoolWorker): void {
    if (worker.dead) return;
    const next = waiting.shift();
    if (next) {
      next(worker);
    } else {
      // An idle worker must not keep the process alive.
      worker.worker.unref();
      idle.push(worker);
    }
  }

  function modulePath(step: StepSpec, pipelineDir: string): string {
    if (step.run.kind !== 'ts') throw new SluiceError('INTERNAL', `step '${step.name}' is not a TS step`);
    return isAbsolute(step.run.module) ? step.run.module : resolve(pipelineDir, step.run.module);
  }

  function bundleFor(step: StepSpec, pipelineDir: string): Promise<Bundle> {
    const path = modulePath(step, pipelineDir);
    let bundle = bundles.get(path);
    if (!bundle) {
      const startedAt = Date.now();
      bundle = bundleModule(path);
      bundles.set(path, bundle);
      bundledAt.set(path, startedAt);
      bundle.catch(() => bundles.delete(path));
    }
    return bundle;
  }

  /**
   * The bundle for a new run: rebuilt when one of its sources changed since it was built
   * (a long-running service sees edited steps). Attempts reuse the run's bundle unchecked.
   */
  async function freshBundleFor(step: StepSpec, pipelineDir: string): Promise<Bundle> {
    const path = modulePath(step, pipelineDir);
    const cached = bundles.get(path);
    if (cached) {
      const built = await cached.catch(() => undefined);
      const since = bundledAt.get(path) ?? 0;
      const stamps = built
        ? await Promise.all(
            built.sources.map((source) =>
              stat(source).then(
                (info) => info.mtimeMs,
                () => Infinity,
              ),
            ),
          )
        : [Infinity];
      if (stamps.every((mtime) => mtime < since)) return cached;
      bundles.delete(path);
    }
    return bundleFor(step, pipelineDir);
  }

  async function execute(task: StepTask): Promise<StepResult> {
    if (task.signal.aborted) throw cancelledError(task);
    const usesFiles = hasFileInputs(task.inputs);
    const inputs = usesFiles
      ? await layoutInputs(options.objects, task.inputs, join(task.scratchDir, 'in'))
      : task.inputs;
    const attempt: StepTask & { scratchUsed?: boolean } = task;
    try {
      return await runInWorker(attempt, inputs);
    } finally {
      // NOTE: an attempt that used files frees its scratch at once (datum files can be
      // large); one that did not has no folder, and checking would cost more than the step.
      if (usesFiles || attempt.scratchUsed)
        void rm(task.scratchDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async function runInWorker(
    task: StepTask & { scratchUsed?: boolean },
    inputs: Record<string, unknown>,
  ): Promise<StepResult> {
    const { step } = task;
    const bundle = await bundleFor(step, task.pipelineDir);
    const worker = await acquire();
    if (task.signal.aborted) {
      release(worker);
      throw cancelledError(task);
    }
    const id = nextId++;
    type Done = Extract<WorkerMessage, { type: 'done' }>;
    const returned = await new Promise<Done>((resolvePromise, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let grace: NodeJS.Timeout | undefined;
      let killedFor: SluiceError | undefined;
      const finish = (): void => {
        if (timer) clearTimeout(timer);
        if (grace) clearTimeout(grace);
        task.signal.removeEventListener('abort', onAbort);
        worker.assignment = undefined;
      };
      const kill = (error: SluiceError, graceMs: number): void => {
        if (killedFor) return;
        killedFor = error;
        worker.worker.postMessage({ type: 'abort', id });
        const terminate = (): void => {
          void worker.worker.terminate();
        };
        if (graceMs > 0) grace = setTimeout(terminate, graceMs);
        else terminate();
      };
      const onAbort = (): void => kill(cancelledError(task), killGraceMs);
      worker.assignment = {
        onMessage(message) {
          if (message.id !== id) return;
          if (message.type === 'progress') {
            for (const [stream, line] of message.logs) task.log(stream, line);
            for (const point of message.metrics) task.metric(point);
            return;
          }
          if (message.type === 'call') {
            if (message.method === 'loadModel') task.scratchUsed = true;
            void registryCall(task, message).then((reply) => worker.worker.postMessage(reply));
            return;
          }
          finish();
          if (killedFor) {
            // The step reacted to its signal within the grace period: the worker is reusable.
            release(worker);
            reject(killedFor);
          } else if (message.type === 'done') {
            release(worker);
            resolvePromise(message);
          } else {
            release(worker);
            reject(new SluiceError('STEP_FAILED', message.message, { details: { stack: message.stack } }));
          }
        },
        onExit(reason) {
          finish();
          reject(
            killedFor ??
              new SluiceError(
                'STEP_CRASHED',
                `step '${step.name}' attempt ${task.attempt} crashed: ${reason}`,
              ),
          );
        },
      };
      if (step.timeoutMs !== undefined) {
        const ms = step.timeoutMs;
        timer = setTimeout(() => kill(timeoutError(task, ms), 0), ms);
      }
      task.signal.addEventListener('abort', onAbort, { once: true });
      worker.worker.postMessage({
        type: 'task',
        id,
        file: bundle.file,
        exportName: step.run.kind === 'ts' ? step.run.export : 'default',
        context: {
          module: modulePath(step, task.pipelineDir),
          inputs,
          params: task.params,
          runId: task.runId,
          step: step.name,
          datum: task.datum,
          attempt: task.attempt,
          pipelineDir: task.pipelineDir,
          scratchDir: task.scratchDir,
        },
        tables: step.tables,
        topics: step.topics,
      });
    });
    await recordTracking(task, returned);
    const values = (returned.outputs ?? {}) as Record<string, unknown>;
    if (returned.outputDirs.length > 0) task.scratchUsed = true;
    if (returned.outputDirs.length > 0 && typeof values === 'object') {
      for (const name of returned.outputDirs) {
        if (values[name] !== undefined || !step.outputs.some((output) => output.name === name)) continue;
        // A folder the step asked for is its output even when it wrote nothing into it.
        values[name] = (await storeDirectory(options.objects, join(task.scratchDir, 'out', name))) ?? {
          $files: {},
        };
      }
    }
    return {
      outputs: checkOutputs(
        step,
        returned.outputs === undefined && returned.outputDirs.length > 0 ? values : returned.outputs,
      ),
    };
  }

  return {
    async prepare(step, pipelineDir) {
      const bundle = await freshBundleFor(step, pipelineDir);
      return { codeHash: bundle.hash };
    },
    execute,
    async close() {
      closed = true;
      await Promise.all([...all].map((worker) => worker.worker.terminate()));
      all.clear();
      idle.length = 0;
    },
  };
}

/** Runs a registry call a step made (`ctx.registry.save|load`) and builds the reply. */
async function registryCall(
  task: StepTask,
  message: { call: number; method: 'saveModel' | 'loadModel'; args: unknown[] },
): Promise<{ type: 'reply'; call: number; result?: unknown; error?: string; code?: string }> {
  try {
    const tracking = task.tracking;
    if (!tracking) throw new SluiceError('USAGE', 'the model registry is not available to this step');
    const [first, second, options] = message.args as [string, string, Record<string, unknown> | undefined];
    const result =
      message.method === 'saveModel'
        ? await tracking.saveModel(first, second, options ?? {})
        : await tracking.loadModel(first, second);
    return { type: 'reply', call: message.call, result };
  } catch (error) {
    const failure = toSluiceError(error);
    return { type: 'reply', call: message.call, error: failure.message, code: failure.code };
  }
}

/** Hands what a finished step staged (rows, params, artifacts) to the attempt's tracking. */
async function recordTracking(
  task: StepTask,
  done: {
    tables: [string, unknown[]][];
    messages: [string, unknown[]][];
    logged: Record<string, unknown>;
    artifacts: [string, string][];
  },
): Promise<void> {
  const used =
    done.tables.length > 0 ||
    done.messages.length > 0 ||
    Object.keys(done.logged).length > 0 ||
    done.artifacts.length > 0;
  if (!used) return;
  const tracking = task.tracking;
  if (!tracking)
    throw new SluiceError('USAGE', 'tables, topics, params and artifacts are not available to this step');
  for (const [table, rows] of done.tables) tracking.insertRows(table, rows);
  for (const [topic, messages] of done.messages) tracking.stageMessages(topic, messages);
  if (Object.keys(done.logged).length > 0) tracking.logParams(done.logged);
  for (const [name, path] of done.artifacts) await tracking.artifact(name, path);
}
