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
}
