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
  /** Records a metric point; `step` is the x of a series (epoch, batch). */
  metric(key: string, value: number, step?: number): void;
  /** A folder (created on call) whose files become output `name` when the step does not return it. */
  outputDir(name: string): string;
  /** Aborted when the attempt is cancelled or times out; the worker is killed shortly after. */
  signal: AbortSignal;
}
