/**
 * Records the HTTP API keeps in the metadata store: API tokens (only the SHA-256 of each
 * secret), and the aggregates `/metrics` reads on every scrape.
 */
import type { PipelineRecord } from './repo-records.js';
import type { MetricRecord } from './store.js';

/** What a token may do: `viewer` reads, `editor` also launches and uploads, `admin` also deletes and manages tokens. */
export type TokenRole = 'viewer' | 'editor' | 'admin';

/** An API token as stored; the secret itself is never stored. */
export interface TokenRecord {
  id: string;
  name: string;
  role: TokenRole;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** API tokens (`sluice token create|list|revoke`). */
export interface TokenStore {
  createToken(
    record: Omit<TokenRecord, 'lastUsedAt' | 'revokedAt'> & { secretSha256: string },
  ): Promise<void>;
  /** The live (not revoked) token whose secret hashes to `secretSha256`. */
  findTokenBySecret(secretSha256: string): Promise<TokenRecord | undefined>;
  listTokens(): Promise<TokenRecord[]>;
  /** Marks a token revoked; `false` when no live token has this id. */
  revokeToken(id: string): Promise<boolean>;
  /** Records a use (at most the caller's precision; cheap). */
  touchToken(id: string, at: Date): Promise<void>;
  /** Whether any live token exists (a server bound beyond localhost requires one). */
  hasTokens(): Promise<boolean>;
}

/** A count per state. */
export type StateCounts = Record<string, number>;

/** The latest value of one logged metric of a pipeline's step. */
export interface LatestMetric {
  pipeline: string;
  step: string;
  key: string;
  value: number;
}

/** A pipeline whose runs logged metrics (the experiments page's choices). */
export interface ExperimentPipeline {
  pipeline: string;
  /** Runs that logged at least one metric. */
  runs: number;
  keys: string[];
  lastRunAt: Date;
}

/** One metric key of a run, summarised. */
export interface MetricSummary {
  key: string;
  /** The value logged last (by time, then index). */
  last: number;
  min: number;
  max: number;
  count: number;
}

/** A run of an experiment: its params, the params its steps logged, and its metrics. */
export interface ExperimentRun {
  id: string;
  status: string;
  params: Record<string, unknown>;
  loggedParams: Record<string, unknown>;
  metrics: MetricSummary[];
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** One run of a pipeline's runs grid: per step, a count of datums per state. */
export interface RunGridColumn {
  id: string;
  status: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  trigger: Record<string, unknown> | null;
  steps: Record<string, Record<string, number>>;
}

/** A pipeline's runs grid: its runs, and its steps in the order they first started. */
export interface RunGrid {
  steps: string[];
  runs: RunGridColumn[];
}

/** A finished run or task with its duration, for histograms. */
export interface FinishedSpan {
  pipeline: string;
  step: string | null;
  status: string;
  seconds: number;
  finishedAt: Date;
}

/** Aggregates for `/metrics` and the API: each is one query. */
export interface StatsStore {
  /** Runs per status. */
  runsByStatus(): Promise<StateCounts>;
  /** Tasks (step x datum) per status, over all runs, or of one run. */
  tasksByStatus(runId?: string): Promise<StateCounts>;
  /** Per pipeline, step and key, the value logged last. */
  latestMetrics(): Promise<LatestMetric[]>;
  /** Runs finished after `after` (oldest first, at most `limit`). */
  finishedRuns(after: Date, limit: number): Promise<FinishedSpan[]>;
  /** Tasks finished after `after` (oldest first, at most `limit`). */
  finishedTasks(after: Date, limit: number): Promise<FinishedSpan[]>;
  /** Every registered version of a pipeline, newest first (deleted ones included). */
  pipelineVersions(name: string): Promise<PipelineRecord[]>;
  /** Pipelines whose runs logged metrics. */
  experimentPipelines(): Promise<ExperimentPipeline[]>;
  /** The newest `limit` runs of a pipeline with params, logged params and metric summaries. */
  experimentRuns(pipeline: string, limit: number): Promise<ExperimentRun[]>;
  /** The metric points of several runs of a pipeline (optionally of one key). */
  metricSeries(pipeline: string, runIds: string[], key?: string): Promise<MetricRecord[]>;
  /** The newest `limit` runs of a pipeline, oldest first, with per-step datum counts by state. */
  runGrid(pipeline: string, limit: number): Promise<RunGrid>;
}
