/**
 * Executes one run of a pipeline: dataflow scheduling at datum granularity.
 *
 * Task (one step on one datum) states:
 *
 *   pending --inputs published--> running --success--> success
 *      |                            |  \--cached result--> skipped
 *      |                            |--failure, retries left--> pending (after backoff)
 *      |                            |--failure, no retries----> failed
 *      |--cancel--> cancelled       |--cancel--> cancelled
 *      `--run ends while blocked by a failure--> upstream_failed
 *
 * A task becomes ready the moment every input it reads is published (a per-datum input at
 * its own datum key, a gathered input `x[]` once every datum of `x` is). Ready tasks start
 * while their step is under its `parallelism` and the run under its concurrency. The run
 * succeeds as soon as every desired output is available, and fails when nothing is running
 * or ready and an output is still missing; {@link explainMissing} says why.
 *
 * Live state is in memory; every change is enqueued to a {@link StateWriter} that flushes in
 * batches. A result is enqueued together with its task's success, so both land in the same
 * transaction.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import {
  SluiceError,
  formatDuration,
  hashValue,
  sha256,
  toSluiceError,
  type ErrorCode,
  type Logger,
} from '../core/index.js';
import type { Pipeline, StepSpec } from '../spec/index.js';
import type { ObjectStore } from '../data/index.js';
import type { StepRuntime } from '../runtime/index.js';
import type { RunTracking } from '../tracking/index.js';
import type { AttemptStatus, RunRecord, StateWriter, StoredError, TaskStatus } from '../store/index.js';
import type { RunEventListener } from './events.js';
import { explainMissing } from './explain.js';
import { RunRecorder } from './run-recorder.js';
import { loadLargeValues, storeLargeValues } from './large-values.js';
import type { PlannedInput } from './data-plan.js';
import type { ResultCache } from './result-cache.js';
import { ValueTable, datumKeys } from './values.js';
import type { BatchOutcome, StreamSource } from './stream-source.js';
import { ensureTopicOnce } from '../streams/ensure.js';
import type { Topics } from '../streams/index.js';

/** What a run execution needs; compiled once by the engine. */
export interface RunContext {
  pipeline: Pipeline;
  run: RunRecord;
  writer: StateWriter;
  cache: ResultCache;
  objects: ObjectStore;
  runtimes: { ts: StepRuntime; command: StepRuntime };
  /** Step name -> step version (hash of the step's semantic spec and its code). */
  stepVersions: Map<string, string>;
  scratchDir: string;
  concurrency: number;
  useCache: boolean;
  logger: Logger;
  onEvent: RunEventListener;
  firstLogSeq: number;
  /** The datums of each data input, planned before the run starts. */
  data: PlannedInput[];
  /**
   * Commits the desired outputs of a successful run to the pipeline's output repo and
   * returns the commit id; the run is recorded succeeded only once it resolves.
   */
  commitOutputs?: (values: ValueTable) => Promise<string | null>;
  /** When set, only these datums execute; others run only when a stored result lets them skip. */
  onlyDatums?: ReadonlySet<string>;
  /** Models for model params, and what attempts record (registry, tables, params, artifacts). */
  tracking?: RunTracking;
  /** The run's stream inputs, one per topic input; they add datums while the run goes. */
  streams?: StreamSource[];
  /** Where outputs a step `publish`es go. */
  topics?: Topics;
}

/** Live state of one task. */
export interface TaskState {
  step: StepSpec;
  datum: string;
  status: TaskStatus;
  attempts: number;
  execKey: string | null;
  error: StoredError | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The resolved input values, kept from the moment the task became ready. */
  inputs?: Record<string, unknown>;
  /** Its execution key was looked up and missed: it must execute. */
  cacheChecked?: boolean;
  /** Its execution key is being looked up. */
  lookingUp?: boolean;
  /** When its latest attempt settled. */
  attemptEndedAt?: Date;
  retryTimer?: NodeJS.Timeout;
}

const TERMINAL: ReadonlySet<TaskStatus> = new Set([
  'success',
  'skipped',
  'failed',
  'cancelled',
  'upstream_failed',
]);

/** One executing run. `done` settles once its final state is durable. */
export class RunExecution {
  readonly done: Promise<RunRecord>;
  readonly values: ValueTable;
  /** Tasks per step, in creation (= datum key) order. */
  readonly tasks = new Map<string, TaskState[]>();
  readonly #ctx: RunContext;
  readonly #runController = new AbortController();
  readonly #ready = new Map<string, TaskState[]>();
  readonly #runningPerStep = new Map<string, number>();
  readonly #consumers = new Map<string, StepSpec[]>();
  readonly #origins = new Map<string, string | null>();
  readonly #taskIndex = new Map<string, TaskState>();
  readonly #succeeded = new Map<string, number>();
  /** Stream inputs by name, and per stream datum (`input\0key`) the tasks still running. */
  readonly #streams = new Map<string, StreamSource>();
  readonly #streamDatums = new Map<string, { open: number; settled: boolean }>();
  /** Stream inputs still consuming: the run cannot end before they stop. */
  #openStreams = 0;
  /** Parallelism slots taken (what #pump limits). */
  #running = 0;
  /** Tasks between dispatch and their outcome being recorded (what #checkEnd waits for). */
  #active = 0;
  readonly #holdingSlot = new Set<TaskState>();
  #waiting = 0;
  /** Cache lookups in flight (the run cannot end while one may still publish outputs). */
  #lookups = 0;
  readonly #recorder: RunRecorder;
  #finished = false;
  #cancelReason:
    { status: 'cancelled' | 'failed' | 'interrupted'; message: string; code?: ErrorCode } | undefined;
  #resolve!: (run: RunRecord) => void;

  /** Attempts holding a parallelism slot now (what `/metrics` reports as worker use). */
  get runningAttempts(): number {
    return this.#running;
  }

  constructor(ctx: RunContext) {
    this.#ctx = ctx;
    this.#recorder = new RunRecorder(ctx.run.id, ctx.writer, ctx.onEvent, ctx.firstLogSeq);
    this.values = new ValueTable(ctx.pipeline);
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    for (const source of ctx.streams ?? []) this.#streams.set(source.input.name, source);
    for (const step of Object.values(ctx.pipeline.steps)) {
      this.tasks.set(step.name, []);
      this.#ready.set(step.name, []);
      this.#runningPerStep.set(step.name, 0);
      this.#origins.set(step.name, stepOrigin(ctx.pipeline, step));
      for (const input of step.inputs) {
        const list = this.#consumers.get(input.name) ?? [];
        if (!list.includes(step)) list.push(step);
        this.#consumers.set(input.name, list);
      }
    }
  }

  get runId(): string {
    return this.#ctx.run.id;
  }

  /** Starts the run: publishes params and creates the tasks of steps that run once. */
  start(): void {
    const { pipeline, run } = this.#ctx;
    this.#recorder.run(run);
    for (const name of Object.keys(pipeline.params)) this.values.publishOnce(name, run.params[name]);
    for (const input of this.#ctx.data) {
      for (const datum of input.datums) this.values.publishDatum(input.name, datum.key, datum.value);
      this.values.setKeys(
        input.name,
        input.datums.map((datum) => datum.key),
      );
      this.values.markComplete(input.name);
    }
    for (const step of Object.values(pipeline.steps)) {
      const origin = this.#origins.get(step.name);
      if (origin === null) this.#createTasks(step, ['']);
      else if (origin !== undefined && origin in pipeline.inputs) {
        this.#createTasks(step, this.values.keys(origin) ?? []);
      }
    }
    for (const source of this.#streams.values()) {
      this.#openStreams += 1;
      source.ended.then(
        (keys) => this.#streamEnded(source.input.name, keys),
        (error: unknown) => {
          const failure = toSluiceError(error);
          this.#openStreams -= 1;
          this.#cancelReason ??= { status: 'failed', message: failure.message, code: failure.code };
          this.cancelStreams();
          this.#recorder.log('', '', 0, 'engine', `stopped: ${failure.message}`);
          this.#runController.abort();
          this.#checkEnd();
        },
      );
      source.start();
    }
    this.#pump();
    this.#checkEnd();
  }

  /** A line of the run's own log (`sluice logs`). */
  engineLog(message: string): void {
    this.#recorder.log('', '', 0, 'engine', message);
  }

  /** A batch of a stream input arrived: its datum's tasks are created and may start. */
  addStreamDatum(input: string, key: string, value: unknown): void {
    const source = this.#streams.get(input);
    if (!source) return;
    if (this.#finished || this.#cancelReason) {
      void source.settled(key, { status: 'cancelled' });
      return;
    }
    this.values.publishDatum(input, key, value);
    const steps = Object.values(this.#ctx.pipeline.steps).filter(
      (step) => this.#origins.get(step.name) === input,
    );
    this.#streamDatums.set(`${input}\0${key}`, { open: steps.length, settled: false });
    if (steps.length === 0) this.#settleStreamDatum(input, key, { status: 'success' });
    for (const step of steps) this.#createTasks(step, [key]);
    this.#pump();
  }

  /** Stops stream inputs from taking more messages. */
  cancelStreams(): void {
    for (const source of this.#streams.values()) source.stop();
  }

  #streamEnded(input: string, keys: string[]): void {
    this.#openStreams -= 1;
    this.values.setKeys(input, keys);
    this.values.markComplete(input);
    for (const step of Object.values(this.#ctx.pipeline.steps)) {
      if (this.#origins.get(step.name) === input) this.#updateStepCompletion(step);
    }
    this.#wakeConsumers(input, null);
    this.#pump();
    this.#checkEnd();
  }

  /** Tracks the end of a stream datum's tasks; its messages are settled once all ended. */
  #streamTaskEnded(task: TaskState): void {
    const origin = this.#origins.get(task.step.name);
    if (!origin || !this.#streams.has(origin)) return;
    const entry = this.#streamDatums.get(`${origin}\0${task.datum}`);
    if (!entry || entry.settled) return;
    entry.open -= 1;
    if (task.status === 'failed') {
      const reason = task.error?.message ?? `step '${task.step.name}' failed`;
      this.#settleStreamDatum(origin, task.datum, {
        status: 'failed',
        reason: `step '${task.step.name}' failed: ${reason}`,
      });
    } else if (task.status === 'cancelled' || task.status === 'upstream_failed') {
      this.#settleStreamDatum(origin, task.datum, { status: 'cancelled' });
    } else if (entry.open === 0) {
      this.#settleStreamDatum(origin, task.datum, { status: 'success' });
    }
  }

  /** Settles a stream datum's messages once what its tasks recorded is durable. */
  #settleStreamDatum(input: string, key: string, outcome: BatchOutcome): void {
    const entry = this.#streamDatums.get(`${input}\0${key}`);
    if (entry) entry.settled = true;
    const source = this.#streams.get(input);
    if (!source) return;
    void this.#recorder.flush().then(
      () => source.settled(key, outcome),
      () => source.settled(key, { status: 'cancelled' }),
    );
  }

  /**
   * Cancels the run: running attempts are stopped, nothing new starts. `interrupted` is a
   * stop by a shutting-down service, which starts the run again when it comes back.
   */
  cancel(message = 'cancelled by user', status: 'cancelled' | 'failed' | 'interrupted' = 'cancelled'): void {
    if (this.#finished || this.#cancelReason) return;
    this.#cancelReason = { status, message };
    this.#recorder.log(
      '',
      '',
      0,
      'engine',
      `${status === 'cancelled' ? 'cancelled' : status === 'interrupted' ? 'interrupted' : 'stopped'}: ${message}`,
    );
    this.#runController.abort();
    this.cancelStreams();
    for (const list of this.tasks.values()) {
      for (const task of list) {
        if (task.retryTimer) {
          clearTimeout(task.retryTimer);
          task.retryTimer = undefined;
          this.#waiting -= 1;
        }
        if (task.status === 'pending') this.#setStatus(task, 'cancelled');
      }
    }
    for (const queue of this.#ready.values()) queue.length = 0;
    this.#checkEnd();
  }

  #createTasks(step: StepSpec, keys: string[]): void {
    const list = this.tasks.get(step.name) ?? [];
    for (const datum of keys) {
      const task: TaskState = {
        step,
        datum,
        status: 'pending',
        attempts: 0,
        execKey: null,
        error: null,
        startedAt: null,
        finishedAt: null,
      };
      list.push(task);
      this.#taskIndex.set(`${step.name}\0${datum}`, task);
      this.#checkReady(task);
      // NOTE: a task already looking its result up is recorded when the lookup settles
      // (skipped, or pending on a miss): one row write instead of two per skipped datum.
      if (!task.lookingUp) this.#recorder.task(task, true);
    }
    this.#updateStepCompletion(step);
  }

  #checkReady(task: TaskState): void {
    if (task.status !== 'pending' || task.retryTimer || this.#cancelReason) return;
    if (task.attempts > 0 || task.execKey !== null) return;
    const inputs = this.values.resolveInputs(task.step, task.datum);
    if (!inputs) return;
    const version = this.#ctx.stepVersions.get(task.step.name) ?? '';
    task.execKey = sha256(`${version}\n${inputs.hashes.join('\n')}`);
    task.inputs = inputs.values;
    if (this.#ctx.useCache && task.step.cache) void this.#skipIfDone(task, task.execKey);
    else this.#ready.get(task.step.name)?.push(task);
  }

  /**
   * Looks a ready task's execution key up before it queues for a worker: a datum already
   * done is skipped without taking a slot, and lookups of datums that become ready together
   * (10,000 on a re-run) go to the store as one query.
   */
  async #skipIfDone(task: TaskState, execKey: string): Promise<void> {
    this.#lookups += 1;
    task.lookingUp = true;
    try {
      const cached = await this.#ctx.cache.lookup(execKey);
      if (this.#cancelReason) {
        if (task.status === 'pending') this.#setStatus(task, 'cancelled');
        return;
      }
      if (cached) {
        task.startedAt = new Date();
        this.#complete(task, 'skipped', await loadLargeValues(this.#ctx.objects, cached));
        this.#updateStepCompletion(task.step);
      } else {
        task.cacheChecked = true;
        this.#recorder.task(task, true);
        this.#ready.get(task.step.name)?.push(task);
      }
    } catch (error) {
      const failure = toSluiceError(error);
      task.error = failure.toJSON();
      this.#setStatus(task, 'failed');
    } finally {
      task.lookingUp = false;
      this.#lookups -= 1;
      this.#pump();
      this.#checkEnd();
    }
  }

  /** Starts ready tasks while limits allow, round-robin over steps in topological order. */
  #pump(): void {
    if (this.#cancelReason) return;
    let progressed = true;
    while (progressed && this.#running < this.#ctx.concurrency) {
      progressed = false;
      for (const step of Object.values(this.#ctx.pipeline.steps)) {
        const queue = this.#ready.get(step.name);
        if (!queue || queue.length === 0) continue;
        const running = this.#runningPerStep.get(step.name) ?? 0;
        if (running >= step.parallelism) continue;
        const task = queue.shift();
        if (!task) continue;
        this.#runningPerStep.set(step.name, running + 1);
        this.#running += 1;
        this.#active += 1;
        this.#holdingSlot.add(task);
        progressed = true;
        void this.#runTask(task);
        if (this.#running >= this.#ctx.concurrency) break;
      }
    }
  }

  async #runTask(task: TaskState): Promise<void> {
    try {
      const inputs = task.inputs ?? {};
      if (
        task.attempts === 0 &&
        !task.cacheChecked &&
        this.#ctx.useCache &&
        task.step.cache &&
        task.execKey
      ) {
        const cached = await this.#ctx.cache.lookup(task.execKey);
        if (cached && !this.#cancelReason) {
          task.startedAt = new Date();
          this.#complete(task, 'skipped', await loadLargeValues(this.#ctx.objects, cached));
          return;
        }
      }
      if (this.#cancelReason) {
        this.#setStatus(task, 'cancelled');
        return;
      }
      const only = this.#ctx.onlyDatums;
      if (only && task.datum !== '' && !only.has(task.datum)) {
        task.error = { code: 'RUN_CANCELLED', message: 'not restarted: the restart named other datums' };
        this.#setStatus(task, 'cancelled');
        return;
      }
      await this.#attempt(task, inputs);
    } catch (error) {
      const failure = toSluiceError(error);
      this.#ctx.logger.error({ err: failure, step: task.step.name, datum: task.datum }, 'engine error');
      task.error = failure.toJSON();
      this.#setStatus(task, 'failed');
    } finally {
      this.#releaseSlot(task);
      this.#active -= 1;
      this.#updateStepCompletion(task.step);
      this.#pump();
      this.#checkEnd();
    }
  }

  async #attempt(task: TaskState, inputs: Record<string, unknown>): Promise<void> {
    const { step, datum } = task;
    task.attempts += 1;
    const attempt = task.attempts;
    const startedAt = new Date();
    task.startedAt ??= startedAt;
    this.#setStatus(task, 'running');
    // NOTE: a first attempt is recorded by its task row; an attempts row is written only
    // for retries and failures, which halves the rows a large run writes.
    if (attempt > 1) this.#recorder.attempt(task, attempt, 'running', null, startedAt, null);
    // NOTE: datum keys are repo paths and combinations of them: a hash makes a safe, short folder.
    const scratchDir = join(
      this.#ctx.scratchDir,
      step.name,
      datum ? sha256(datum).slice(0, 16) : '_',
      String(attempt),
    );
    const params: Record<string, unknown> = {};
    for (const input of step.inputs) {
      if (input.name in this.#ctx.pipeline.params) params[input.name] = this.#ctx.run.params[input.name];
    }
    try {
      const runtime = step.run.kind === 'ts' ? this.#ctx.runtimes.ts : this.#ctx.runtimes.command;
      // A remote runtime's workers lay models out and record tracking themselves.
      const local = runtime.remote !== true;
      const tracking = local ? this.#ctx.tracking?.attempt(step, datum, scratchDir) : undefined;
      const given =
        local && this.#ctx.tracking
          ? await this.#ctx.tracking.withModels(step, inputs, params)
          : { inputs, params };
      const execKey = task.execKey ?? sha256(`${this.runId}\n${step.name}\n${datum}`);
      const result = await this.#freeingSlot(
        task,
        runtime.execute({
          runId: this.runId,
          step,
          pipelineDir: this.#ctx.pipeline.dir,
          datum,
          attempt,
          inputs: given.inputs,
          params: given.params,
          scratchDir,
          log: (stream, line) => this.#recorder.log(step.name, datum, attempt, stream, line),
          metric: (point) => this.#recorder.metric(step.name, datum, point),
          signal: this.#runController.signal,
          execKey,
          ...(tracking ? { tracking } : {}),
        }),
      );
      // The attempt's own end, before its outputs are stored: what `show` reports as its span.
      task.finishedAt = task.attemptEndedAt ?? new Date();
      // NOTE: table rows, params, artifacts and staged models are durable before the task's
      // success is recorded; rows are keyed by the execution key, so a re-execution adds none.
      if (tracking) await tracking.commit(execKey);
      await this.#publishOutputs(step, execKey, result.outputs);
      if (attempt > 1) this.#recorder.attempt(task, attempt, 'success', null, startedAt, task.finishedAt);
      if (task.execKey) {
        const stored = await storeLargeValues(this.#ctx.objects, result.outputs);
        this.#ctx.cache.remember(task.execKey, stored);
        this.#recorder.result(task.execKey, step.name, stored);
      }
      this.#complete(task, 'success', result.outputs);
    } catch (error) {
      const failure = toSluiceError(error);
      const cancelled = failure.code === 'RUN_CANCELLED' || this.#cancelReason !== undefined;
      const status: AttemptStatus = cancelled
        ? 'cancelled'
        : failure.code === 'STEP_TIMEOUT'
          ? 'timeout'
          : failure.code === 'STEP_CRASHED'
            ? 'crashed'
            : 'failed';
      task.error = failure.toJSON();
      this.#recorder.attempt(task, attempt, status, task.error, startedAt, new Date());
      if (cancelled) {
        this.#setStatus(task, 'cancelled');
      } else if (attempt <= step.retries) {
        const delay = Math.min(step.retryDelayMs * 2 ** (attempt - 1), step.retryMaxDelayMs);
        this.#recorder.log(
          step.name,
          datum,
          attempt,
          'engine',
          `attempt ${attempt} ${status}: ${failure.message}; retrying in ${formatDuration(delay)}`,
        );
        this.#setStatus(task, 'pending');
        this.#waiting += 1;
        task.retryTimer = setTimeout(() => {
          task.retryTimer = undefined;
          this.#waiting -= 1;
          if (this.#cancelReason) {
            this.#setStatus(task, 'cancelled');
            this.#checkEnd();
            return;
          }
          this.#ready.get(step.name)?.push(task);
          this.#pump();
        }, delay);
      } else {
        const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
        this.#recorder.log(
          step.name,
          datum,
          attempt,
          'engine',
          `attempt ${attempt} ${status}: ${failure.message}; step failed${tries}`,
        );
        this.#setStatus(task, 'failed');
      }
    } finally {
      // NOTE: a command attempt always has a scratch folder; a TS attempt only when it used
      // files, and checking costs more than the no-op step itself: the run's scratch root is
      // removed when the run ends.
      if (step.run.kind === 'command')
        rm(scratchDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * Publishes the outputs a step maps to topics (`publish: { output: topic }`): one message
   * per value, or per element of a `name[]` output. Ids derive from the execution key, so a
   * re-executed datum publishes duplicates the backend drops.
   */
  async #publishOutputs(step: StepSpec, execKey: string, outputs: Record<string, unknown>): Promise<void> {
    const entries = Object.entries(step.publish);
    if (entries.length === 0) return;
    const topics = this.#ctx.topics;
    if (!topics) {
      throw new SluiceError(
        'TOPIC_UNAVAILABLE',
        `step '${step.name}' publishes outputs, and no topics are open`,
      );
    }
    for (const [output, topic] of entries) {
      const value = outputs[output];
      if (value === undefined) continue;
      const scatter = step.outputs.some((item) => item.name === output && item.scatter);
      const values = scatter && Array.isArray(value) ? value : [value];
      await ensureTopicOnce(topics, topic);
      await topics.produce(
        topic,
        values.map((item, index) => ({ value: item, id: `${execKey}:${output}:${index}` })),
      );
    }
  }

  /**
   * Waits for an attempt and gives its parallelism slot back the moment it settles, before
   * its outcome is recorded, so the next datum is already on its way to the freed worker.
   */
  async #freeingSlot<T>(task: TaskState, attempt: Promise<T>): Promise<T> {
    try {
      return await attempt;
    } finally {
      // Taken before the slot goes to the next task, so spans of one step never overlap more
      // than its parallelism allows.
      task.attemptEndedAt = new Date();
      this.#releaseSlot(task);
      this.#pump();
    }
  }

  #releaseSlot(task: TaskState): void {
    if (!this.#holdingSlot.delete(task)) return;
    this.#runningPerStep.set(task.step.name, (this.#runningPerStep.get(task.step.name) ?? 1) - 1);
    this.#running -= 1;
  }

  /** Publishes a task's outputs and wakes the tasks that read them. */
  #complete(task: TaskState, status: 'success' | 'skipped', outputs: Record<string, unknown>): void {
    const { step, datum } = task;
    for (const output of step.outputs) {
      const value = outputs[output.name];
      if (output.scatter) {
        if (!Array.isArray(value)) {
          throw new SluiceError(
            'STEP_OUTPUT',
            `step '${step.name}': scatter output '${output.name}[]' is not an array`,
          );
        }
        const keys = datumKeys(value.length);
        keys.forEach((key, index) => this.values.publishDatum(output.name, key, value[index]));
        this.values.setKeys(output.name, keys);
        this.values.markComplete(output.name);
      } else if (this.#origins.get(step.name) === null) {
        this.values.publishOnce(output.name, value, hashValue(value ?? null));
      } else {
        this.values.publishDatum(output.name, datum, value);
      }
    }
    task.finishedAt ??= new Date();
    this.#setStatus(task, status);
    for (const output of step.outputs) {
      if (output.scatter) {
        for (const consumer of this.#consumers.get(output.name) ?? []) {
          if (
            this.#origins.get(consumer.name) === output.name &&
            (this.tasks.get(consumer.name)?.length ?? 0) === 0
          ) {
            this.#createTasks(consumer, this.values.keys(output.name) ?? []);
          }
        }
      }
      this.#wakeConsumers(output.name, output.scatter ? null : datum);
    }
  }

  /** Re-checks the tasks that read `name`: only datum `datum` when they follow its datums. */
  #wakeConsumers(name: string, datum: string | null): void {
    const origin = this.values.spec(name).origin;
    for (const consumer of this.#consumers.get(name) ?? []) {
      const followsDatums =
        datum !== null &&
        origin !== null &&
        this.#origins.get(consumer.name) === origin &&
        consumer.inputs.some((input) => input.name === name && !input.gather);
      if (followsDatums) {
        const task = this.#taskIndex.get(`${consumer.name}\0${datum}`);
        if (task) this.#checkReady(task);
      } else {
        for (const task of this.tasks.get(consumer.name) ?? []) this.#checkReady(task);
      }
    }
  }

  /** Marks a step's per-datum outputs complete once all its tasks succeeded. */
  #updateStepCompletion(step: StepSpec): void {
    const origin = this.#origins.get(step.name);
    if (origin === null || origin === undefined) return;
    if (this.values.keys(origin) === undefined) return;
    if ((this.#succeeded.get(step.name) ?? 0) !== (this.tasks.get(step.name)?.length ?? 0)) return;
    for (const output of step.outputs) {
      if (output.scatter || this.values.isAvailable(output.name)) continue;
      this.values.markComplete(output.name);
      this.#wakeConsumers(output.name, null);
    }
  }

  #checkEnd(): void {
    if (this.#finished) return;
    // NOTE: a stream still consuming may add datums; even a cancelled run waits for it to
    // stop, so that no batch is formed after the run's tasks were settled.
    if (this.#openStreams > 0) return;
    const outputs = this.#ctx.pipeline.outputs;
    const allThere = outputs.every((name) => this.values.isAvailable(name));
    if (allThere && !this.#cancelReason) {
      this.#finish();
      return;
    }
    if (this.#active > 0 || this.#waiting > 0 || this.#lookups > 0) return;
    if (!this.#cancelReason && [...this.#ready.values()].some((queue) => queue.length > 0)) return;
    this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const run = this.#ctx.run;
    const outputs = this.#ctx.pipeline.outputs;
    const allThere = outputs.every((name) => this.values.isAvailable(name));
    for (const list of this.tasks.values()) {
      for (const task of list) {
        if (!TERMINAL.has(task.status))
          this.#setStatus(task, this.#cancelReason ? 'cancelled' : 'upstream_failed');
      }
    }
    let status: RunRecord['status'];
    let error: StoredError | null = null;
    if (this.#cancelReason) {
      status = this.#cancelReason.status;
      error = {
        code: this.#cancelReason.code ?? (status === 'cancelled' ? 'RUN_CANCELLED' : 'RUN_FAILED'),
        message: this.#cancelReason.message,
      };
    } else if (allThere) {
      status = 'succeeded';
    } else {
      status = 'failed';
      const reasons = explainMissing(this.#ctx.pipeline, this.values, this.tasks);
      error = {
        code: 'RUN_FAILED',
        message: reasons.map((reason) => reason.message).join('\n'),
        details: { missing: reasons },
      };
    }
    const finished: RunRecord = {
      ...run,
      status,
      error,
      finishedAt: new Date(),
      outputs:
        status === 'succeeded'
          ? Object.fromEntries(outputs.map((name) => [name, this.values.valueOf(name)]))
          : null,
    };
    void this.#record(finished);
  }

  /** Commits the outputs of a successful run (when the pipeline has an output repo), then records the end. */
  async #record(finished: RunRecord): Promise<void> {
    let record = finished;
    // Every batch of every stream is acked, dead-lettered or given back before the run ends.
    await Promise.all([...this.#streams.values()].map((source) => source.drain()));
    if (record.status === 'succeeded' && this.#ctx.commitOutputs) {
      try {
        const outputCommit = await this.#ctx.commitOutputs(this.values);
        record = { ...record, outputCommit, finishedAt: new Date() };
      } catch (error) {
        const failure = toSluiceError(error);
        this.#ctx.logger.error({ err: failure }, 'output commit failed');
        this.#recorder.log('', '', 0, 'engine', `the output commit failed: ${failure.message}`);
        record = {
          ...record,
          status: 'failed',
          error: failure.toJSON(),
          outputs: null,
          finishedAt: new Date(),
        };
      }
    }
    this.#recorder.run(record);
    this.#recorder.flush().then(
      () => this.#resolve(record),
      () => this.#resolve(record),
    );
  }

  #setStatus(task: TaskState, status: TaskStatus): void {
    if (
      (status === 'success' || status === 'skipped') &&
      task.status !== 'success' &&
      task.status !== 'skipped'
    ) {
      this.#succeeded.set(task.step.name, (this.#succeeded.get(task.step.name) ?? 0) + 1);
    }
    const was = task.status;
    task.status = status;
    if (TERMINAL.has(status)) {
      task.finishedAt ??= new Date();
      task.inputs = undefined;
    }
    this.#recorder.task(task, true);
    if (TERMINAL.has(status) && !TERMINAL.has(was) && this.#streams.size > 0) this.#streamTaskEnded(task);
  }
}

/** The origin whose datums a step follows, or `null` when it runs once. */
export function stepOrigin(pipeline: Pipeline, step: StepSpec): string | null {
  for (const input of step.inputs) {
    if (input.gather) continue;
    const origin = pipeline.values[input.name]?.origin ?? null;
    if (origin !== null) return origin;
  }
  return null;
}
