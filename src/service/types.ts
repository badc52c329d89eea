/**
 * What the long-running service offers the HTTP API and the CLI: launching runs through
 * its queue, cancelling and retrying them, and hearing about commits made through the API.
 */
import type { CommitRecord, ProvenanceInput, RunRecord, RunTrigger } from '../store/index.js';

/** A request to start a run of a registered pipeline. */
export interface LaunchRequest {
  /** A registered pipeline's name (`sluice pipeline create`). */
  pipeline: string;
  /** Param values as given (strings from a command line are converted), checked against the spec. */
  params?: Record<string, unknown>;
  /** Read these commits instead of the input branches' heads (backfills, retries). */
  inputCommits?: ProvenanceInput[];
  /** What asks for the run; default a manual launch. */
  trigger?: RunTrigger;
}

/** Starts, stops and restarts runs through the service's queue and pools. */
export interface RunLauncher {
  /**
   * Checks the pipeline and params (`PIPELINE_NOT_FOUND`, `PARAM_*` errors), records the
   * run as `queued` and returns that record; the scheduler starts it when its pools allow.
   */
  launch(request: LaunchRequest): Promise<RunRecord>;
  /** Cancels a queued run at once, or a running one once its attempts have stopped. */
  cancel(runId: string): Promise<RunRecord>;
  /** Queues a new run of the same pipeline with the same params and input commits. */
  retry(runId: string): Promise<RunRecord>;
  /** Commits made outside the scheduler (API uploads) fire the commit triggers. */
  notifyCommits(commits: CommitRecord[]): void;
  /** Pipelines were registered, updated or deleted: re-read them and re-arm cron schedules. */
  reload?(): Promise<void>;
  /** Queues a backfill of a registered pipeline (see `planBackfill`), `concurrency` at once. */
  backfill?(request: BackfillRequest): Promise<{ id: string; runs: RunRecord[] }>;
}

/** A backfill: cron ticks between two dates, or input commits between two commits. */
export interface BackfillRequest {
  pipeline: string;
  from: string;
  to: string;
  /** For a pipeline reading several repos: the input whose commits `from`/`to` name. */
  input?: string;
  /** Runs of the backfill at once (default 2). */
  concurrency?: number;
  params?: Record<string, unknown>;
}
