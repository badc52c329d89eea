export type { LogStream, MetricPoint, StepResult, StepRuntime, StepTask } from './runtime.js';
export type { StepContext, StepLogger } from './ts/context.js';
export { createTsRuntime } from './ts/ts-runtime.js';
export type { TsRuntimeOptions } from './ts/ts-runtime.js';
export { createCommandRuntime } from './command/command-runtime.js';
export type { CommandRuntimeOptions } from './command/command-runtime.js';
export { checkOutputs } from './outputs.js';
