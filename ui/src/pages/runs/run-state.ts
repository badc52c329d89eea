/**
 * What the runs pages compute from API data: a step's overall state from its datum counts,
 * state colours, trigger labels, and the URL of a datum's page.
 */
import { statusColor } from '../../components/StatusBadge';
import type { Run, Task } from '../../api/types';

/** Datum states in the order the pages list them (as the API's datum listing does). */
export const DATUM_STATES = [
  'pending',
  'running',
  'success',
  'skipped',
  'failed',
  'recovered',
  'cancelled',
  'upstream_failed',
] as const;

/** Run states, for filters. */
export const RUN_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;

/** Whether a run may still change (so pages follow it). */
export function isActive(status: string): boolean {
  return status === 'queued' || status === 'running';
}

/** The colour (a CSS variable) of a run, task, attempt or datum state. */
export function stateColor(state: string): string {
  if (state === 'upstream_failed' || state === 'timeout' || state === 'crashed') return 'var(--color-warn)';
  return statusColor(state);
}

/** A datum's state as the API lists it: `recovered` for a success after a failed attempt. */
export function datumState(task: Pick<Task, 'status' | 'attempts'>): string {
  return task.status === 'success' && task.attempts > 1 ? 'recovered' : task.status;
}

/** Counts by state (with `total`) per step. */
export type StepCounts = Record<string, Record<string, number>>;

/** Per step, `total` and a count per datum state; steps in the order they first started. */
export function countByStep(tasks: readonly Task[]): StepCounts {
  const counts: StepCounts = {};
  for (const task of tasks) {
    const step = (counts[task.step] ??= { total: 0 });
    step.total = (step.total ?? 0) + 1;
    const state = datumState(task);
    step[state] = (step[state] ?? 0) + 1;
  }
  return counts;
}

const PRECEDENCE = ['running', 'failed', 'upstream_failed', 'cancelled', 'pending', 'recovered', 'success'];

/** The state a step shows overall: running, then the worst outcome, then success or skipped. */
export function aggregateState(counts: Record<string, number> | undefined): string {
  if (!counts) return 'none';
  for (const state of PRECEDENCE) if ((counts[state] ?? 0) > 0) return state;
  return (counts.skipped ?? 0) > 0 ? 'skipped' : 'none';
}

/** `3 success, 1 failed` for a tooltip. */
export function describeCounts(counts: Record<string, number> | undefined): string {
  if (!counts) return 'did not run';
  return DATUM_STATES.filter((state) => (counts[state] ?? 0) > 0)
    .map((state) => `${counts[state]} ${state}`)
    .join(', ');
}

/** A run's trigger in a few words: `commit docs@main`, `cron 0 * * * *`, `retry of ab12cd34`. */
export function triggerLabel(trigger: Run['trigger']): string {
  if (!trigger) return '—';
  const text = (key: string) => (typeof trigger[key] === 'string' ? (trigger[key] as string) : '');
  const kind = text('kind') || 'unknown';
  switch (kind) {
    case 'commit':
      return `commit ${text('repo')}@${text('branch')}`;
    case 'cron':
      return `cron ${text('schedule')}`;
    case 'pipeline':
      return `pipeline ${text('action')} v${String(trigger.version ?? '')}`;
    case 'after': {
      const runs = Array.isArray(trigger.runs) ? (trigger.runs as { pipeline?: string }[]) : [];
      return `after ${runs.map((run) => run.pipeline ?? '?').join(', ')}`;
    }
    case 'backfill':
      return `backfill ${text('tick') || text('commit').slice(0, 8)}`.trim();
    case 'restart':
    case 'retry':
    case 'resume':
      return `${kind} of ${text('runId').slice(0, 8)}`;
    case 'topic':
      return `topic ${text('topic')} (${String(trigger.lag ?? '?')} waiting)`;
    default:
      return kind;
  }
}

/** The run a trigger refers to (retry, restart, resume), if any. */
export function triggerRun(trigger: Run['trigger']): string | undefined {
  const id = trigger?.runId;
  return typeof id === 'string' ? id : undefined;
}

/** The page of one datum; a step that runs once has the empty datum and no last segment. */
export function datumHref(runId: string, step: string, datum: string): string {
  const base = `/runs/${encodeURIComponent(runId)}/datums/${encodeURIComponent(step)}`;
  return datum === '' ? base : `${base}/${encodeURIComponent(datum)}`;
}
