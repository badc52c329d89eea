/** A run's, task's or datum's state as a coloured pill; the colours are the same on every page. */

const TONE: Record<string, string> = {
  succeeded: 'bg-ok/15 text-ok',
  success: 'bg-ok/15 text-ok',
  skipped: 'bg-ok/10 text-ok',
  recovered: 'bg-ok/15 text-ok',
  running: 'bg-info/15 text-info',
  queued: 'bg-muted/15 text-muted',
  pending: 'bg-muted/15 text-muted',
  failed: 'bg-bad/15 text-bad',
  cancelled: 'bg-warn/15 text-warn',
  interrupted: 'bg-warn/15 text-warn',
  upstream_failed: 'bg-warn/15 text-warn',
};

/** The colour (a CSS variable) of `status`, for charts and timelines. */
export function statusColor(status: string): string {
  if (['succeeded', 'success', 'skipped', 'recovered'].includes(status)) return 'var(--color-ok)';
  if (status === 'running') return 'var(--color-info)';
  if (status === 'failed') return 'var(--color-bad)';
  if (status === 'cancelled' || status === 'interrupted' || status === 'upstream_failed')
    return 'var(--color-warn)';
  return 'var(--color-muted)';
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ${TONE[status] ?? 'bg-muted/15 text-muted'}`}
      data-status={status}
    >
      {status === 'running' && (
        <span className="size-1.5 animate-pulse rounded-full bg-current" aria-hidden />
      )}
      {status}
    </span>
  );
}
