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
export { sqlStore } from './sql-store.js';
export { openPgliteClient } from './pglite/pglite-client.js';
export { openEmbeddedStore } from './open.js';
export { LockHeldError, acquireHomeLock, readHomeLock } from './lock.js';
export type { HomeLock, LockInfo } from './lock.js';
export { StateWriter } from './state-writer.js';
export type { StateWriterOptions } from './state-writer.js';
