/** The last runs of a pipeline as a row of small coloured squares, oldest first; each links to its run. */
import { Link } from 'react-router';
import { statusColor } from '../../components/StatusBadge';
import { formatTime, shortId } from '../../lib/format';
import type { RecentRun } from './types';

export function RunStrip({ runs }: { runs: readonly RecentRun[] }) {
  if (runs.length === 0) return <span className="text-xs text-muted">no runs</span>;
  return (
    <span className="flex items-center gap-0.5" aria-label={`last ${runs.length} runs`}>
      {[...runs].reverse().map((run) => (
        <Link
          key={run.id}
          to={`/runs/${run.id}`}
          onClick={(event) => event.stopPropagation()}
          title={`${shortId(run.id)} ${run.status} · ${formatTime(run.createdAt)}`}
          aria-label={`run ${shortId(run.id)}: ${run.status}`}
          className="block h-4 w-2.5 rounded-sm hover:scale-y-125"
          style={{ background: statusColor(run.status) }}
          data-run-status={run.status}
        />
      ))}
    </span>
  );
}
