/**
 * The context a TypeScript step receives. A step module's default export is
 * `async (ctx: StepContext<Inputs>) => Outputs`.
 *
 * @example
 * import type { StepContext } from 'sluice';
 * export default async function (ctx: StepContext<{ text: string }>) {
 *   ctx.metric('chars', ctx.inputs.text.length);
 *   return { words: ctx.inputs.text.split(/\s+/).length };
 * }
 */

/** Log lines of the attempt (`sluice logs`). */
export interface StepLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A model version laid out for a step: its files are under `dir` (treat them as read-only). */
export interface StepModel {
  name: string;
  version: number;
  dir: string;
  metrics: Record<string, number>;
  params: Record<string, unknown>;
}

/** The model registry as a step sees it. */
export interface StepRegistry {
  /**
   * Saves the files under `dir` (absolute, or relative to `ctx.scratchDir`) as a new
   * version of model `name`, linked to this run, step and datum; resolves to its number.
   * Saving the same files again from a re-executed datum returns the same version.
   */
  save(
    name: string,
    dir: string,
    options?: { metrics?: Record<string, number>; params?: Record<string, unknown> },
  ): Promise<{ name: string; version: number }>;
  /**
   * Lays out `name` (latest), `name@alias` or `name:version` in a scratch folder. Rejects
   * with an error whose `code` is `MODEL_NOT_FOUND` when the reference names nothing.
   */
  load(ref: string): Promise<StepModel>;
}

/** Rows for a table the step lists under `tables`. */
export interface StepTable {
  /**
   * Stages rows (`{ column: value }`); they are checked against the declared columns when
   * the step returns and written only if the attempt succeeds, once per execution key.
   */
  insert(rows: Record<string, unknown>[]): void;
}

/** What a TS step gets. `Inputs` types `ctx.inputs`; gathered inputs (`x[]`) are arrays. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface StepContext<Inputs extends Record<string, unknown> = Record<string, any>> {
  /** Input values by name (file sets as directory paths; gathered inputs as arrays ordered by datum). */
  inputs: Inputs;
  /** The run params this step lists in its `inputs`. */
  params: Record<string, unknown>;
  runId: string;
  /** The step's name. */
  step: string;
  /** The datum key, `''` for a step that runs once. */
  datum: string;
  /** 1-based attempt number (retries count up). */
  attempt: number;
  /** The folder of the pipeline spec: resolve the project's files against it. */
  pipelineDir: string;
  /** A scratch folder owned by this attempt (create it before use); removed afterwards. */
  scratchDir: string;
  log: StepLogger;
  /** Records a metric point; `step` is the x of a series (epoch, batch): `metric('loss', v, { step: epoch })`. */
  metric(key: string, value: number, step?: number | { step?: number }): void;
  /** The model registry: save new versions, load existing ones. */
  registry: StepRegistry;
  /** A table the step lists under `tables` (declared by the pipeline); throws for any other. */
  table(name: string): StepTable;
  /**
   * Stages messages for a topic the step lists under `topics`; they are published only if
   * the attempt succeeds, with idempotent ids (a message's own `id`, else one derived from
   * the execution key), so a re-executed datum publishes nothing twice.
   */
  publish(
    topic: string,
    messages: { value: unknown; key?: string; headers?: Record<string, string>; id?: string }[],
  ): void;
  /** Records params of this run, step and datum (`sluice show`); later keys override earlier ones. */
  logParams(params: Record<string, unknown>): void;
  /**
   * Records a file or folder (absolute, or relative to `ctx.scratchDir`) as artifact `name`
   * of this run, step and datum, stored content-addressed when the step returns.
   */
  artifact(name: string, path: string): void;
  /** A folder (created on call) whose files become output `name` when the step does not return it. */
  outputDir(name: string): string;
  /** Aborted when the attempt is cancelled or times out; the worker is killed shortly after. */
  signal: AbortSignal;
}
