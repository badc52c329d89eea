/** Short texts for a pipeline's triggers and a run's trigger, as lists and headers show them. */
import type { PipelineTrigger } from './types';

/** One label per way the pipeline starts; `manual` always applies. */
export function triggerLabels(triggers: readonly PipelineTrigger[], inputRepos: readonly string[]): string[] {
  const labels = triggers.map((trigger) => {
    switch (trigger.kind) {
      case 'commit':
        return `commit: ${trigger.repo ?? '?'}`;
      case 'cron':
        return `cron: ${trigger.cron ?? '?'}${trigger.tz ? ` (${trigger.tz})` : ''}`;
      case 'after':
        return `after: ${(trigger.pipelines ?? []).join(' + ')}`;
      case 'topic':
        return `topic: ${trigger.topic ?? '?'}`;
      default: {
        const never: never = trigger.kind;
        return String(never);
      }
    }
  });
  // NOTE: without declared triggers, a pipeline runs on commits to every repo it reads.
  if (triggers.length === 0 && inputRepos.length > 0) labels.push('commit: any input');
  labels.push('manual');
  return labels;
}

/** `manual`, `commit sensors@main`, `cron 2026-11-25T16:00`, ... from a run's `trigger`. */
export function runTriggerText(trigger: Record<string, unknown> | null): string {
  if (!trigger) return '—';
  const kind = typeof trigger.kind === 'string' ? trigger.kind : '?';
  const text = (key: string) => (typeof trigger[key] === 'string' ? (trigger[key] as string) : '');
  switch (kind) {
    case 'commit':
      return `commit ${text('repo')}@${text('branch')}`;
    case 'cron':
      return `cron ${text('tick').slice(0, 16)}`;
    case 'after': {
      const runs = Array.isArray(trigger.runs) ? (trigger.runs as { pipeline?: string }[]) : [];
      return `after ${runs.map((run) => run.pipeline ?? '?').join(' + ')}`;
    }
    case 'pipeline':
      return `registered (${text('action')})`;
    case 'backfill':
      return 'backfill';
    case 'topic':
      return `topic ${text('topic')}`;
    default:
      return kind;
  }
}
