/**
 * The metadata-store interface: runs, step executions (tasks), attempts, logs, metrics and
 * cached results. The embedded implementation is PGlite in `<home>/db`; the same SQL runs on
 * a PostgreSQL server ([cluster]). Every implementation passes `store.case.ts`.
 *
 * Writes made while a run executes go through {@link StateBatch}: the engine keeps live
 * state in memory and flushes it in batches, each batch one transaction.
 */

import type { StatsStore, TokenStore } from './api-records.js';
import type { ProvenanceInput, RepoStore } from './repo-records.js';
import type { TrackingStore } from './tracking-records.js';
import type { ScheduleStore } from './service-records.js';
import type { SqlClient } from './sql-client.js';

/** Run states. `queued -> running -> succeeded | failed | cancelled`; a run whose owning
 * process died while running is found `interrupted` by the next process that opens the store. */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** Task (one step on one datum) states. `skipped` means a cached result was reused. */
export type TaskStatus =
  'pending' | 'running' | 'success' | 'skipped' | 'failed' | 'cancelled' | 'upstream_failed';

/** Attempt states. */
export type AttemptStatus = 'running' | 'success' | 'failed' | 'timeout' | 'cancelled' | 'crashed';

/** A JSON error as stored: `{ code, message, details? }`. */
export interface StoredError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface RunRecord {
  id: string;
  pipeline: string;
  /** Hash of the compiled pipeline. */
  pipelineVersion: string;
  /** Absolute path of the spec file, when there is one. */
  specFile: string | null;
  params: Record<string, unknown>;
  status: RunStatus;
  desiredOutputs: string[];
  /** The desired outputs' values once the run succeeded. */
  outputs: Record<string, unknown> | null;
  error: StoredError | null;
  /** pid of the process executing the run. */
  pid: number | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The data commits the run read, one per repo input (empty when it reads none). */
  inputCommits: ProvenanceInput[];
  /** The commit of the run's outputs in the pipeline's output repo, once made. */
  outputCommit: string | null;
  /** What started the run. */
  trigger: RunTrigger | null;
}

/** What started a run. */
export type RunTrigger =
  | { kind: 'manual' }
  | { kind: 'commit'; repo: string; branch: string; commit: string }
  | { kind: 'pipeline'; action: 'create' | 'update'; version: number }
  | { kind: 'restart'; runId: string; datums: string[] }
  /** A cron tick; `tick` is the scheduled time (ISO), the same for every scheduler. */
  | { kind: 'cron'; schedule: string; tick: string }
  /** Upstream runs that all succeeded (one for a plain `after`, several for a fan-in). */
  | { kind: 'after'; runs: { pipeline: string; runId: string }[] }
  /** One run of `sluice backfill`: a cron tick or an input commit of the range. */
  | { kind: 'backfill'; backfill: string; tick?: string; commit?: string }
  | { kind: 'retry'; runId: string }
  /** A run interrupted by a shutdown or crash, started again by the service. */
  | { kind: 'resume'; runId: string }
  /** Messages a stream input's group had not acked (`lag` of them when the run was queued). */
  | { kind: 'topic'; topic: string; group: string; lag: number };

export interface TaskRecord {
  runId: string;
  step: string;
  /** Datum key; `''` for a step that runs once. */
  datum: string;
  status: TaskStatus;
  /** hash(step version, input hashes); `null` until the inputs are known. */
  execKey: string | null;
  attempts: number;
  error: StoredError | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface AttemptRecord {
  runId: string;
  step: string;
  datum: string;
  attempt: number;
  status: AttemptStatus;
  error: StoredError | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface LogRecord {
  runId: string;
  /** Increasing per run; `logs --follow` resumes after the last one seen. */
  seq: number;
  step: string;
  datum: string;
  attempt: number;
  stream: 'stdout' | 'stderr' | 'log' | 'engine';
  time: Date;
  line: string;
}

export interface MetricRecord {
  runId: string;
  step: string;
  datum: string;
  key: string;
  value: number;
  /** The x of a series (epoch, batch); `null` for a single value. */
  index: number | null;
  time: Date;
}

/** A stored result: the outputs of one successful execution, reused by its key. */
export interface ResultRecord {
  execKey: string;
  step: string;
  outputs: Record<string, unknown>;
  createdAt: Date;
}

/**
 * One batch of state writes, applied in one transaction. Tasks and attempts are upserts
 * (the last state wins); logs, metrics and results are inserts (results by key: a second
 * insert of the same key is ignored, so a re-executed datum never duplicates a result).
 */
export interface StateBatch {
  runs?: RunRecord[];
  tasks?: TaskRecord[];
  attempts?: AttemptRecord[];
  logs?: LogRecord[];
  metrics?: MetricRecord[];
  results?: ResultRecord[];
}

export interface ListRunsFilter {
  pipeline?: string;
  status?: RunStatus;
  /** Newest first; default 50. */
  limit?: number;
}

/** The metadata store. */
export interface MetadataStore {
  /** Applies a batch in one transaction. */
  write(batch: StateBatch): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Finds a run by a unique prefix of its id (what users type). */
  findRun(idOrPrefix: string): Promise<RunRecord | undefined>;
  listRuns(filter?: ListRunsFilter): Promise<RunRecord[]>;
  listTasks(runId: string): Promise<TaskRecord[]>;
  listAttempts(runId: string): Promise<AttemptRecord[]>;
  /** Log lines of a run with `seq > afterSeq`, oldest first. */
  listLogs(
    runId: string,
    options?: { afterSeq?: number; limit?: number; step?: string },
  ): Promise<LogRecord[]>;
  listMetrics(runId: string): Promise<MetricRecord[]>;
  /** A run's tasks, attempts and metrics at once (as the three lists above), in one round trip. */
  runContents(
    runId: string,
  ): Promise<{ tasks: TaskRecord[]; attempts: AttemptRecord[]; metrics: MetricRecord[] }>;
  /** The highest log seq of a run (0 when none), so a new process continues the numbering. */
  maxLogSeq(runId: string): Promise<number>;
  /** Results stored under any of these keys. */
  findResults(execKeys: string[]): Promise<Map<string, ResultRecord>>;
  /**
   * Marks runs left `running` by a dead process as `interrupted`; returns their ids. Queued
   * runs belong to the service's queue, not to a process, and wait for the next service.
   */
  sweepInterrupted(livePid: number): Promise<string[]>;
  /** Versioned data and registered pipelines. */
  repos: RepoStore;
  /** Model registry, logged params and artifacts, user tables. */
  tracking: TrackingStore;
  /** The service's cron ticks. */
  schedules: ScheduleStore;
  /** API tokens (`sluice token`). */
  tokens: TokenStore;
  /** Aggregates for `/metrics` and the HTTP API. */
  stats: StatsStore;
  /** The SQL connection itself, for subsystems that keep their own tables (embedded topics). */
  sql: SqlClient;
  close(): Promise<void>;
}
