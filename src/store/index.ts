export type {
  AttemptRecord,
  AttemptStatus,
  ListRunsFilter,
  LogRecord,
  MetadataStore,
  MetricRecord,
  ResultRecord,
  RunRecord,
  RunStatus,
  RunTrigger,
  StateBatch,
  StoredError,
  TaskRecord,
  TaskStatus,
} from './store.js';
export type { SqlClient } from './sql-client.js';
export { COLUMN_SQL_TYPES } from './tracking-records.js';
export type {
  ArtifactRecord,
  ColumnType,
  LoggedParamRecord,
  ModelAliasRecord,
  ModelRecord,
  ModelVersionRecord,
  TableRowsBatch,
  TableRowsQuery,
  TrackedFile,
  TrackingStore,
  UserTableInfo,
} from './tracking-records.js';
export type {
  ExperimentPipeline,
  ExperimentRun,
  FinishedSpan,
  LatestMetric,
  MetricSummary,
  StateCounts,
  StatsStore,
  TokenRecord,
  TokenRole,
  TokenStore,
} from './api-records.js';
export type {
  BranchRecord,
  CommitRecord,
  FileChange,
  FileDiff,
  FileEntry,
  NewCommit,
  PipelineRecord,
  Provenance,
  ProvenanceInput,
  RepoRecord,
  RepoStore,
} from './repo-records.js';
export type { ScheduleStore } from './service-records.js';
export { sqlStore } from './sql-store.js';
export { openPgliteClient } from './pglite/pglite-client.js';
export { openClusterStore, openEmbeddedStore } from './open.js';
export { endUnfinishedWork } from './sql/runs.js';
export { listen } from './postgres/listener.js';
export type { Listener, ListenOptions } from './postgres/listener.js';
export { DISPATCH_CHANNEL, DISPATCH_DONE_CHANNEL, RUNS_CHANNEL, dispatchQueries } from './sql/dispatch.js';
export type {
  DispatchItem,
  DispatchOutcome,
  DispatchQueries,
  DispatchRow,
  DispatchState,
  Lease,
  SweepCounts,
  WorkerRecord,
} from './sql/dispatch.js';
export { LockHeldError, acquireHomeLock, readHomeLock } from './lock.js';
export type { HomeLock, LockInfo } from './lock.js';
export { StateWriter } from './state-writer.js';
export type { StateWriterOptions } from './state-writer.js';
export { streamBatchQueries } from './sql/stream-batches.js';
export type { StreamBatchAssignment, StreamBatchStatus, StreamBatchStore } from './sql/stream-batches.js';
export { tableQueries } from './sql/tables.js';
export type { TableStore } from './sql/tables.js';
export { openPostgresClient, redact } from './postgres/pg-client.js';
export type { PostgresClientOptions } from './postgres/pg-client.js';
