export { ModelRegistry } from './registry.js';
export { LATEST } from './model-version.js';
export type {
  DeletedVersion,
  ModelProvenance,
  ModelSummary,
  ModelVersion,
  RetentionRule,
  SaveModelOptions,
} from './model-version.js';
export { Tables, META_COLUMNS } from './tables.js';
export type { RowsOptions, TextSink } from './tables.js';
export { checkRows } from './rows.js';
export { Tracking, RunTracking } from './run-tracking.js';
export { AttemptTracking } from './attempt-tracking.js';
export type { AttemptContext } from './attempt-tracking.js';
export { runParams, artifacts } from './queries.js';
export { storeFiles, layoutFiles, contentHash } from './files.js';
export type {
  ArtifactRecord,
  ColumnType,
  LoggedParamRecord,
  TrackedFile,
  UserTableInfo,
} from '../store/index.js';
