/**
 * What the read-and-control commands need from a data directory: list and inspect runs,
 * read logs, cancel. Served locally from the store, or by the process that owns the data
 * directory over its control socket ({@link startControlServer}); later over HTTP.
 */
import { SluiceError } from '../core/index.js';
import type { Engine } from '../engine/index.js';
import type {
  AttemptRecord,
  ListRunsFilter,
  LogRecord,
  MetadataStore,
  MetricRecord,
  RunRecord,
  TaskRecord,
} from '../store/index.js';

/** A run with everything `sluice show` prints. */
export interface RunDetail {
  run: RunRecord;
  tasks: TaskRecord[];
  attempts: AttemptRecord[];
  metrics: MetricRecord[];
}

/** Reads and controls runs. */
export interface RunsApi {
  listRuns(filter?: ListRunsFilter): Promise<RunRecord[]>;
  /** `RUN_NOT_FOUND` when no run matches the id or unique prefix. */
  runDetail(idOrPrefix: string): Promise<RunDetail>;
  logs(id: string, options?: { afterSeq?: number; limit?: number; step?: string }): Promise<LogRecord[]>;
  /** Cancels a running run; resolves with the run as recorded once it has stopped. */
  cancel(idOrPrefix: string): Promise<RunRecord>;
}

/** A {@link RunsApi} over a store, with the engine that executes runs in this process, if any. */
export function localRunsApi(store: MetadataStore, engine?: Engine): RunsApi {
  async function find(idOrPrefix: string): Promise<RunRecord> {
    const run = await store.findRun(idOrPrefix);
    if (!run) throw new SluiceError('RUN_NOT_FOUND', `no run has id '${idOrPrefix}'; see \`sluice runs\``);
    return run;
  }
  return {
    listRuns: (filter) => store.listRuns(filter),
    async runDetail(idOrPrefix) {
      const run = await find(idOrPrefix);
      const { tasks, attempts, metrics } = await store.runContents(run.id);
      return { run, tasks, attempts: withFirstAttempts(tasks, attempts), metrics };
    },
    async logs(id, options) {
      const run = await find(id);
      return store.listLogs(run.id, options);
    },
    async cancel(idOrPrefix) {
      const run = await find(idOrPrefix);
      const handle = engine?.active().get(run.id);
      if (!handle) {
        throw new SluiceError(
          'USAGE',
          `run ${run.id} is not running (it is ${run.status}); nothing to cancel`,
        );
      }
      handle.cancel('cancelled by `sluice cancel`');
      return handle.result;
    },
  };
}

/**
 * Attempts including the first attempts the engine does not write separately: a task that
 * ran once is its own attempt record (see the engine's state writes).
 */
function withFirstAttempts(tasks: TaskRecord[], attempts: AttemptRecord[]): AttemptRecord[] {
  const recorded = new Set(
    attempts.map((attempt) => `${attempt.step}\0${attempt.datum}\0${attempt.attempt}`),
  );
  const all = [...attempts];
  for (const task of tasks) {
    if (task.attempts < 1 || !task.startedAt || recorded.has(`${task.step}\0${task.datum}\0${1}`)) continue;
    const status: AttemptRecord['status'] =
      task.status === 'success'
        ? 'success'
        : task.status === 'running'
          ? 'running'
          : task.status === 'cancelled'
            ? 'cancelled'
            : 'failed';
    all.push({
      runId: task.runId,
      step: task.step,
      datum: task.datum,
      attempt: 1,
      status,
      error: task.status === 'success' ? null : task.error,
      startedAt: task.startedAt,
      finishedAt: task.finishedAt,
    });
  }
  return all.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.attempt - b.attempt);
}
