/**
 * Records of tracking: model versions and aliases, params and artifacts logged by steps,
 * and the user tables steps write rows to (schema `sluice_tables`). The logic (naming
 * rules, retention, validation) lives in `src/tracking`; this is the metadata half.
 */
import type { ProvenanceInput } from './repo-records.js';

/** A file of a model version or an artifact, stored in the object store by hash. */
export interface TrackedFile {
  /** Relative path with '/' separators. */
  path: string;
  hash: string;
  size: number;
}

/** A named model with its retention rule. */
export interface ModelRecord {
  name: string;
  /** Keep only the newest N versions (`null`: keep all). */
  keepLast: number | null;
  /** Retention never deletes a version that has an alias. */
  keepAliased: boolean;
  createdAt: Date;
}

/** One immutable model version as stored (aliases are kept apart). */
export interface ModelVersionRecord {
  name: string;
  version: number;
  files: TrackedFile[];
  /** Hash of the file list: two versions with equal `contentHash` hold the same files. */
  contentHash: string;
  metrics: Record<string, number>;
  params: Record<string, unknown>;
  runId: string | null;
  step: string | null;
  datum: string | null;
  pipeline: string | null;
  pipelineVersion: string | null;
  inputCommits: ProvenanceInput[];
  createdAt: Date;
}

/** A user-defined alias (`production`) of a model version. */
export interface ModelAliasRecord {
  name: string;
  alias: string;
  version: number;
  updatedAt: Date;
}

/** A param a step logged (`ctx.logParams`). */
export interface LoggedParamRecord {
  runId: string;
  step: string;
  datum: string;
  key: string;
  value: unknown;
  time: Date;
}

/** A file or folder a step recorded (`ctx.artifact`, `$SLUICE_ARTIFACTS/<name>`). */
export interface ArtifactRecord {
  runId: string;
  step: string;
  datum: string;
  name: string;
  /** One file for a file artifact (path = its base name), every file for a folder. */
  files: TrackedFile[];
  bytes: number;
  createdAt: Date;
}

/** SQL column types of user tables, by spec type name. */
export const COLUMN_SQL_TYPES = {
  text: 'text',
  integer: 'integer',
  bigint: 'bigint',
  double: 'double precision',
  boolean: 'boolean',
  timestamp: 'timestamp with time zone',
  json: 'jsonb',
} as const;

/** A column type of a user table, as written in the spec. */
export type ColumnType = keyof typeof COLUMN_SQL_TYPES;

/** A user table as it exists in the store. */
export interface UserTableInfo {
  name: string;
  /** The user columns in table order (metadata columns `_run_id`... are not listed). */
  columns: { name: string; type: ColumnType }[];
  rows: number;
}

/** Rows of one execution for one table, ready to insert (already validated). */
export interface TableRowsBatch {
  table: string;
  columns: Record<string, ColumnType>;
  runId: string;
  step: string;
  datum: string;
  /** Rows are unique by (execKey, row index): the same execution never inserts twice. */
  execKey: string;
  rows: Record<string, unknown>[];
}

/** Reading rows of a user table. */
export interface TableRowsQuery {
  limit: number;
  offset: number;
  /** Column = value equality filters (user or metadata columns). */
  where?: Record<string, unknown>;
  runId?: string;
}

/** Tracking metadata. */
export interface TrackingStore {
  getModel(name: string): Promise<ModelRecord | undefined>;
  listModels(): Promise<(ModelRecord & { versions: number; latest: number | null })[]>;
  /**
   * Stores a new version of `name` (creating the model) with the next number; versions are
   * never renumbered or reused. When `dedupe` is set and a version with the same origin
   * (run, step, datum) and content exists, returns that one instead.
   */
  addModelVersion(
    record: Omit<ModelVersionRecord, 'version' | 'createdAt'>,
    dedupe: boolean,
  ): Promise<ModelVersionRecord>;
  getModelVersion(name: string, version: number): Promise<ModelVersionRecord | undefined>;
  /** Versions of a model, newest first. */
  listModelVersions(name: string): Promise<ModelVersionRecord[]>;
  listAliases(name: string): Promise<ModelAliasRecord[]>;
  setAlias(name: string, alias: string, version: number): Promise<void>;
  removeAlias(name: string, alias: string): Promise<boolean>;
  /** Deletes versions (with their aliases); returns how many existed. */
  deleteModelVersions(name: string, versions: number[]): Promise<number>;
  setRetention(name: string, keepLast: number | null, keepAliased: boolean): Promise<void>;
  /** Upserts logged params (a key logged again by the same step and datum keeps the last value). */
  logParams(records: LoggedParamRecord[]): Promise<void>;
  listParams(runId: string): Promise<LoggedParamRecord[]>;
  /** Upserts artifacts by (run, step, datum, name). */
  addArtifacts(records: ArtifactRecord[]): Promise<void>;
  listArtifacts(runId: string): Promise<ArtifactRecord[]>;
  /** The user table's columns and types, or `undefined` when it does not exist. */
  tableColumns(name: string): Promise<Record<string, ColumnType | 'other'> | undefined>;
  /** Creates a table or adds the given columns to it (callers checked the types). */
  createOrExtendTable(name: string, columns: Record<string, ColumnType>, existing: boolean): Promise<void>;
  /** Inserts rows of several tables in one transaction; rows already present are kept. */
  insertTableRows(batches: TableRowsBatch[]): Promise<void>;
  listTables(): Promise<UserTableInfo[]>;
  /** Rows ordered by insertion (`_created_at`, `_exec_key`, `_row`), with metadata columns. */
  tableRows(name: string, query: TableRowsQuery): Promise<Record<string, unknown>[]>;
}
