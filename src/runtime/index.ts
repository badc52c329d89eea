export type {
  LoadedModel,
  LogStream,
  MetricPoint,
  ModelSaveOptions,
  StepResult,
  StepRuntime,
  StepTask,
  StepTracking,
} from './runtime.js';
export type { StepContext, StepLogger, StepModel, StepRegistry, StepTable } from './ts/context.js';
export { createTsRuntime } from './ts/ts-runtime.js';
export type { TsRuntimeOptions } from './ts/ts-runtime.js';
export { createCommandRuntime } from './command/command-runtime.js';
export type { CommandRuntimeOptions } from './command/command-runtime.js';
export { checkOutputs } from './outputs.js';
