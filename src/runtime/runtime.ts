/**
 * The step-runtime interface: how one attempt of one step on one datum is executed.
 * Implementations: `ts/` (worker-thread pool) and `command/` (subprocesses); both pass
 * `runtime.case.ts`. A runtime never touches the metadata store: it receives resolved
 * input values and returns output values; the engine records everything.
 */
import type { Pipeline, StepSpec } from '../spec/model.js';
import type { RunRecord } from '../store/store.js';

/** A stream a log line came from. `log` is the step's own logger (TS steps). */
export type LogStream = 'stdout' | 'stderr' | 'log';

/** A metric point reported by a step (`ctx.metric()` or the `SLUICE_METRICS` file). */
export interface MetricPoint {
  key: string;
  value: number;
  step?: number;
}

/** A model version laid out for a step: what a `type: model` param and `registry.load()` give. */
export interface LoadedModel {
  name: string;
  version: number;
  /** A folder holding the version's files (read-only by convention). */
  dir: string;
  metrics: Record<string, number>;
  params: Record<string, unknown>;
}

/** Metrics and params stored with a model version. */
export interface ModelSaveOptions {
  metrics?: Record<string, number>;
  params?: Record<string, unknown>;
}

/**
 * What an attempt may record besides its outputs (`src/tracking` implements it per attempt).
 * Model versions saved with `saveModel` exist at once (a step needs the version number);
 * everything else is staged — files stored content-addressed right away, rows written only
 * when the engine accepts the attempt as successful.
 */
export interface StepTracking {
  /** Saves the files under `dir` as a new version of model `name` now. */
  saveModel(
    name: string,
    dir: string,
    options?: ModelSaveOptions,
  ): Promise<{ name: string; version: number }>;
  /** Stores the files under `dir` now; the version is created when the attempt succeeds. */
  stageModel(name: string, dir: string, options?: ModelSaveOptions): Promise<void>;
  /** Lays a model version (`name`, `name@alias`, `name:version`) out under `toDir`. */
  loadModel(ref: string, toDir: string): Promise<LoadedModel>;
  /** Stores a file or folder now; recorded as artifact `name` when the attempt succeeds. */
  artifact(name: string, path: string): Promise<void>;
  /** Checks rows against the table's declared columns (`TABLE_ROW`) and stages them. */
  insertRows(table: string, rows: unknown[]): void;
  /** Checks messages (`MESSAGE_INVALID`) and stages them for a topic the step lists. */
  stageMessages(topic: string, messages: unknown[]): void;
  /** Stages params logged by the step. */
  logParams(params: Record<string, unknown>): void;
}

/** One attempt to execute. */
export interface StepTask {
  runId: string;
  step: StepSpec;
  /** Directory that relative paths in the step resolve against (the spec's folder). */
  pipelineDir: string;
  /** Datum key; `''` for a step that runs once. */
  datum: string;
  /** 1-based attempt number. */
  attempt: number;
  /**
   * Input values by name, gathered inputs as arrays ordered by datum key. File-set values
   * (`{ $files }`) are laid out as directories by the runtime and passed as their path.
   */
  inputs: Record<string, unknown>;
  /** All run params (a step also sees params it lists in `inputs` there). */
  params: Record<string, unknown>;
  /** A fresh, empty directory owned by this attempt; removed by the engine afterwards. */
  scratchDir: string;
  /** Receives the attempt's log lines, in order. */
  log(stream: LogStream, line: string): void;
  metric(point: MetricPoint): void;
  /** Aborted on cancellation: the attempt is stopped and rejects with `RUN_CANCELLED`. */
  signal: AbortSignal;
  /** Model registry, tables, params and artifacts of this attempt (absent: not available). */
  tracking?: StepTracking;
  /** The execution key its result is stored under (what keys its table rows too). */
  execKey?: string;
}

/** What an attempt produced: one value per declared output (file outputs as `{ $files }`). */
export interface StepResult {
  outputs: Record<string, unknown>;
}

/** Executes attempts of one kind of step. */
export interface StepRuntime {
  /**
   * True for a runtime that executes attempts in other processes with their own tracking
   * (cluster dispatch to `sluice worker`s): the engine passes model params unresolved and no
   * `tracking`, and the executing side records models, rows, params and artifacts itself.
   */
  readonly remote?: boolean;
  /** Told before a run's first attempt (a remote runtime ships what its workers need). */
  beginRun?(run: RunRecord, pipeline: Pipeline): Promise<void>;
  /**
   * Prepares a step once per run (e.g. bundles a TS module) and returns the hash of its
   * code, which goes into the step version. Throws `SPEC_MODULE_NOT_FOUND` or
   * `SPEC_PROGRAM_NOT_FOUND` when the code is missing.
   */
  prepare(step: StepSpec, pipelineDir: string): Promise<{ codeHash: string }>;
  /**
   * Runs one attempt, enforcing `step.timeoutMs` (the attempt is killed: `STEP_TIMEOUT`)
   * and `task.signal` (`RUN_CANCELLED`). Rejects with `STEP_FAILED` when the step throws
   * or exits non-zero, `STEP_CRASHED` when its worker or process dies, `STEP_OUTPUT` when
   * the outputs do not match the declaration.
   */
  execute(task: StepTask): Promise<StepResult>;
  /** Stops every worker and process. */
  close(): Promise<void>;
}
