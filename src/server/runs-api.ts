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
      const [tasks, attempts, metrics] = await Promise.all([
        store.listTasks(run.id),
        store.listAttempts(run.id),
        store.listMetrics(run.id),
      ]);
      return { run, tasks, attempts, metrics };
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
