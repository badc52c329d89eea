/** A pipeline's Runs tab: its recent runs, newest first, each opening its run page. */
import { Link } from 'react-router';
import type { Run } from '../../api/types';
import { EmptyState, ErrorView, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { elapsed, formatAgo, formatDuration, formatTime, shortId } from '../../lib/format';
import { usePipelineRuns } from './queries';
import { runTriggerText } from './triggers';

const COLUMNS: Column<Run>[] = [
  { id: 'status', header: 'Status', width: '8rem', cell: (run) => <StatusBadge status={run.status} /> },
  {
    id: 'id',
    header: 'Run',
    width: '7rem',
    cell: (run) => (
      <Link
        to={`/runs/${run.id}`}
        className="font-mono text-accent hover:underline"
        onClick={(event) => event.stopPropagation()}
      >
        {shortId(run.id)}
      </Link>
    ),
  },
  {
    id: 'trigger',
    header: 'Trigger',
    width: 'minmax(10rem, 1fr)',
    cell: (run) => runTriggerText(run.trigger),
  },
  {
    id: 'started',
    header: 'Started',
    width: '12rem',
    cell: (run) => (
      <span title={formatAgo(run.startedAt ?? run.createdAt)}>
        {formatTime(run.startedAt ?? run.createdAt)}
      </span>
    ),
  },
  {
    id: 'duration',
    header: 'Duration',
    width: '7rem',
    className: 'text-right tabular-nums',
    cell: (run) => formatDuration(elapsed(run.startedAt, run.finishedAt)),
  },
];

export function RunsTab({ name }: { name: string }) {
  const runs = usePipelineRuns(name);
  if (runs.isPending) return <Loading />;
  if (runs.isError) return <ErrorView error={runs.error} />;
  return (
    <VirtualTable
      label={`Runs of ${name}`}
      rows={runs.data}
      columns={COLUMNS}
      rowKey={(run) => run.id}
      rowHref={(run) => `/runs/${run.id}`}
      empty={
        <EmptyState title="No runs yet">
          Launch one with the Launch button, or commit data to a repo this pipeline reads.
        </EmptyState>
      }
    />
  );
}
