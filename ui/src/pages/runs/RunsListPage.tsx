/**
 * `/runs`: every run, newest first, filtered by pipeline, state and text (all in the URL),
 * or with `?view=grid` the runs grid of one pipeline.
 */
import { useQuery } from '@tanstack/react-query';
import { LayoutGrid, List } from 'lucide-react';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { Run } from '../../api/types';
import { PageHeader } from '../../components/Page';
import { Command, EmptyState, ErrorView, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { elapsed, formatAgo, formatDuration, formatTime } from '../../lib/format';
import { FilterSelect } from './FilterSelect';
import { GridLimit, RunsGrid } from './RunsGrid';
import { useNow, usePipelineNames } from './run-queries';
import { RUN_STATES, triggerLabel } from './run-state';
import { useQueryState } from './use-params';

function ViewToggle({ view, onChange }: { view: string; onChange: (view: string) => void }) {
  const item = (id: string, label: string, Icon: typeof List) => (
    <button
      type="button"
      aria-pressed={view === id}
      onClick={() => onChange(id)}
      className={`inline-flex items-center gap-1.5 px-3 py-1.5 text-sm ${view === id ? 'bg-accent/10 font-medium text-accent' : 'text-fg hover:bg-sunken'}`}
    >
      <Icon className="size-4" aria-hidden /> {label}
    </button>
  );
  return (
    <div
      role="group"
      aria-label="View"
      className="inline-flex overflow-hidden rounded-md border border-line bg-panel"
    >
      {item('list', 'List', List)}
      {item('grid', 'Grid', LayoutGrid)}
    </div>
  );
}

function runColumns(now: number): Column<Run>[] {
  return [
    { id: 'status', header: 'Status', width: '8rem', cell: (run) => <StatusBadge status={run.status} /> },
    {
      id: 'id',
      header: 'Run',
      width: '9rem',
      className: 'font-mono',
      cell: (run) => (
        <Link
          to={`/runs/${run.id}`}
          className="text-accent hover:underline"
          onClick={(e) => e.stopPropagation()}
        >
          {run.id}
        </Link>
      ),
    },
    {
      id: 'pipeline',
      header: 'Pipeline',
      width: 'minmax(8rem, 1fr)',
      cell: (run) => (
        <Link
          to={`/pipelines/${encodeURIComponent(run.pipeline)}`}
          className="hover:text-accent hover:underline"
          onClick={(e) => e.stopPropagation()}
        >
          {run.pipeline}
        </Link>
      ),
    },
    {
      id: 'trigger',
      header: 'Trigger',
      width: 'minmax(8rem, 1fr)',
      className: 'text-muted',
      cell: (run) => triggerLabel(run.trigger),
    },
    {
      id: 'created',
      header: 'Created',
      width: '10rem',
      className: 'text-muted',
      cell: (run) => <span title={formatTime(run.createdAt)}>{formatAgo(run.createdAt, now)}</span>,
    },
    {
      id: 'duration',
      header: 'Duration',
      width: '7rem',
      className: 'tabular-nums',
      cell: (run) =>
        formatDuration(
          run.startedAt
            ? run.finishedAt
              ? elapsed(run.startedAt, run.finishedAt)
              : now - Date.parse(run.startedAt)
            : null,
        ),
    },
  ];
}

function RunsList({ pipeline, status, text }: { pipeline: string; status: string; text: string }) {
  const runs = useQuery({
    queryKey: ['runs', { pipeline, status }],
    queryFn: () =>
      unwrap(
        api.GET('/api/runs', {
          params: {
            query: {
              limit: 1000,
              ...(pipeline ? { pipeline } : {}),
              ...(status ? { status: status as Run['status'] } : {}),
            },
          },
        }),
      ),
  });
  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const all = runs.data ?? [];
    if (!needle) return all;
    return all.filter(
      (run) =>
        run.id.toLowerCase().includes(needle) || triggerLabel(run.trigger).toLowerCase().includes(needle),
    );
  }, [runs.data, text]);
  const now = useNow(shown.some((run) => run.status === 'running'));
  const columns = useMemo(() => runColumns(now), [now]);
  if (runs.isPending) return <Loading label="Loading runs…" />;
  if (runs.isError) return <ErrorView error={runs.error} />;
  if (runs.data.length === 0 && !pipeline && !status)
    return (
      <EmptyState title="No runs yet">
        Launch one from a pipeline&apos;s page, commit data to a repo a registered pipeline reads, or run
        <div>
          <Command>sluice run pipeline.yaml</Command>
        </div>
      </EmptyState>
    );
  return (
    <VirtualTable
      label="Runs"
      rows={shown}
      columns={columns}
      rowKey={(run) => run.id}
      rowHref={(run) => `/runs/${run.id}`}
      empty={<EmptyState title="No runs match">Clear a filter to see more runs.</EmptyState>}
    />
  );
}

/** The runs page. */
export function RunsListPage() {
  const [search, update] = useQueryState();
  const view = search.get('view') === 'grid' ? 'grid' : 'list';
  const pipeline = search.get('pipeline') ?? '';
  const status = search.get('status') ?? '';
  const text = search.get('q') ?? '';
  const pipelines = usePipelineNames();
  return (
    <div>
      <PageHeader
        title="Runs"
        actions={
          <ViewToggle
            view={view}
            onChange={(next) => update({ view: next === 'grid' ? 'grid' : undefined })}
          />
        }
      >
        Every execution of a pipeline: what started it, how it went, how long it took.
      </PageHeader>
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <FilterSelect
          label="Pipeline"
          value={pipeline}
          choices={pipelines.data ?? []}
          onChange={(value) => update({ pipeline: value })}
          allLabel={view === 'grid' ? 'choose…' : 'all'}
        />
        {view === 'grid' && <GridLimit />}
        {view === 'list' && (
          <>
            <FilterSelect
              label="Status"
              value={status}
              choices={RUN_STATES}
              onChange={(value) => update({ status: value })}
            />
            <input
              type="search"
              aria-label="Filter by run id or trigger"
              placeholder="Filter by id or trigger…"
              value={text}
              onChange={(event) => update({ q: event.target.value })}
              className="w-64 rounded-md border border-line bg-panel px-2 py-1.5"
            />
          </>
        )}
      </div>
      {view === 'grid' ? (
        <RunsGrid
          pipeline={pipeline}
          pipelines={pipelines.data}
          onPipeline={(value) => update({ pipeline: value })}
        />
      ) : (
        <RunsList pipeline={pipeline} status={status} text={text} />
      )}
    </div>
  );
}
