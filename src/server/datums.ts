/**
 * Datum states as users see them (`sluice datums`, `GET /api/runs/{id}/datums`): a task's
 * status, with `recovered` for a success that needed more than one attempt. Per step, the
 * counts by state add up to the step's total.
 */
import type { TaskRecord, TaskStatus } from '../store/index.js';

/** A datum's state: its task status, or `recovered`. */
export type DatumState = TaskStatus | 'recovered';

/** Datum states in the order they are listed (also the CLI's `--state` choices). */
export const STATE_ORDER: DatumState[] = [
  'pending',
  'running',
  'success',
  'skipped',
  'failed',
  'recovered',
  'cancelled',
  'upstream_failed',
];

/** The state a task shows as. */
export function datumState(task: TaskRecord): DatumState {
  return task.status === 'success' && task.attempts > 1 ? 'recovered' : task.status;
}

/** Per step: `total` and a count per state. */
export function datumCounts(tasks: TaskRecord[]): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const task of tasks) {
    const step = (counts[task.step] ??= { total: 0 });
    step.total = (step.total ?? 0) + 1;
    const state = datumState(task);
    step[state] = (step[state] ?? 0) + 1;
  }
  return counts;
}

/** Tasks a restart would run again: failed, upstream-failed or cancelled (of one step, if given). */
export function restartableTasks(tasks: TaskRecord[], step?: string): TaskRecord[] {
  return tasks.filter(
    (task) =>
      (task.status === 'failed' || task.status === 'upstream_failed' || task.status === 'cancelled') &&
      (!step || task.step === step),
  );
}

/** One datum as `sluice datums --json` and `GET /api/runs/{id}/datums` list it. */
export interface DatumEntry {
  step: string;
  datum: string;
  state: DatumState;
  attempts: number;
  /** The execution key: the datum's id. */
  id: string | null;
  error: TaskRecord['error'];
}

/** A run's datums with per-step counts (of all datums) and the entries `filter` selects. */
export function datumListing(
  runId: string,
  tasks: TaskRecord[],
  filter: { step?: string | undefined; state?: string | undefined },
): { run: string; counts: Record<string, Record<string, number>>; datums: DatumEntry[] } {
  const selected = tasks.filter(
    (task) =>
      (!filter.step || task.step === filter.step) && (!filter.state || datumState(task) === filter.state),
  );
  return {
    run: runId,
    counts: datumCounts(tasks),
    datums: selected.map((task) => ({
      step: task.step,
      datum: task.datum,
      state: datumState(task),
      attempts: task.attempts,
      id: task.execKey,
      error: task.error,
    })),
  };
}
