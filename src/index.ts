/**
 * Sluice's public API: the typed pipeline builder, the step context type, the engine and
 * stores for embedding, and the error type.
 */
export { ERROR_CODES, SluiceError, SpecError, formatProblem } from './core/index.js';
export type { ErrorCode, SpecProblem } from './core/index.js';
export {
  compilePipeline,
  definePipeline,
  defineStep,
  loadPipeline,
  loadPipelineFile,
  resolveParams,
} from './spec/index.js';
export type { Pipeline, StepSpec, ValidationReport } from './spec/index.js';
export type { StepContext, StepModel, StepRegistry, StepTable } from './runtime/index.js';
export { ModelRegistry, Tables, Tracking, artifacts, runParams } from './tracking/index.js';
export type { ModelSummary, ModelVersion, RetentionRule } from './tracking/index.js';
export { createEngine } from './engine/index.js';
export type { Engine, EngineOptions, RunEvent, RunHandle, RunOptions } from './engine/index.js';
export { openEmbeddedStore, StateWriter } from './store/index.js';
export type { MetadataStore, RunRecord } from './store/index.js';
export { Repos, openLocalObjectStore, parseRepoAddress } from './data/index.js';
export type { ObjectStore } from './data/index.js';
export { runCommitTriggers } from './triggers/index.js';
export type { CommitRecord, FileEntry, Provenance, RepoStore } from './store/index.js';
export { Service } from './service/index.js';
export type { LaunchRequest, RunLauncher, ServiceEvent, ServiceOptions } from './service/index.js';
export { registerPipeline } from './server/pipelines.js';
export {
  DEAD_LETTER_HEADERS,
  createEmbeddedTopics,
  messageValue,
  openNatsTopics,
  openTopics,
} from './streams/index.js';
export type {
  Consumer,
  Delivery,
  GroupInfo,
  Message,
  ProduceMessage,
  StartPosition,
  TopicConfig,
  TopicInfo,
  Topics,
} from './streams/index.js';
export { decodeArrays, encodeArrays, openBatches, BatchSession, Permutation } from './batches/index.js';
export type {
  ArrayBundle,
  Batch,
  BatchesOptions,
  BatchSource,
  Dtype,
  NdArray,
  TypedArray,
} from './batches/index.js';
export { batches, openWorkspace } from './cli/open-workspace.js';
export type { WorkspaceLocation } from './cli/open-workspace.js';
