export type {
  CatchUpPolicy,
  CombinedInputSpec,
  DataInputSpec,
  ColumnType,
  ParamSpec,
  ParamType,
  Pipeline,
  RepoInputSpec,
  StepInput,
  StepOutput,
  StepRun,
  StepSpec,
  TableSpec,
  TopicInputSpec,
  TriggerSpec,
  ValueSpec,
} from './model.js';
export { compilePipeline, loadPipeline, loadPipelineFile, validatePipelineText } from './load.js';
export type { CompilePipelineOptions, LoadOptions } from './load.js';
export type { ValidationReport } from './compile.js';
export { definePipeline, defineStep, isPipelineDefinition } from './builder.js';
export type { PipelineDefinition, PipelineInput, StepDefinition } from './builder.js';
export { resolveParams } from './params.js';
export { MODEL_ALIAS, MODEL_NAME, formatModelRef, parseModelRef } from './model-ref.js';
export type { ModelRef } from './model-ref.js';
export { parseDuration } from './duration.js';
export { isTimeZone } from './triggers.js';
export { formatReport } from './report.js';
export { pipelineJsonSchema } from './schema.js';
