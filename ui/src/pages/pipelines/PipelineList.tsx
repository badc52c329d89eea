/** `/pipelines`: every registered pipeline with its triggers, inputs, latest run and recent runs. */
import { AlertTriangle, Play } from 'lucide-react';
import { Link } from 'react-router';
import { PageHeader } from '../../components/Page';
import { Command, EmptyState, ErrorView, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatAgo, formatTime } from '../../lib/format';
import { usePipelines } from './queries';
import { RunStrip } from './RunStrip';
import { TriggerChips } from './TriggerChips';
import type { PipelineListItem } from './types';

const COLUMNS: Column<PipelineListItem>[] = [
  {
    id: 'name',
    header: 'Pipeline',
    width: 'minmax(14rem, 2fr)',
    cell: (pipeline) => (
      <div className="min-w-0">
        <div className="flex items-center gap-1.5">
          <Link
            to={`/pipelines/${pipeline.name}`}
            className="truncate font-medium text-accent hover:underline"
            onClick={(event) => event.stopPropagation()}
          >
            {pipeline.name}
          </Link>
          {pipeline.problems.length > 0 && (
            <AlertTriangle className="size-3.5 shrink-0 text-warn" aria-label="the spec file does not load" />
          )}
        </div>
        <div className="truncate text-xs text-muted">
          {pipeline.description ?? `${pipeline.steps} step${pipeline.steps === 1 ? '' : 's'}`}
        </div>
      </div>
    ),
  },
  {
    id: 'triggers',
    header: 'Triggers',
    width: 'minmax(16rem, 2fr)',
    cell: (pipeline) => (
      <TriggerChips triggers={pipeline.triggers} inputRepos={pipeline.inputRepos} wrap={false} />
    ),
  },
  {
    id: 'inputs',
    header: 'Inputs',
    width: 'minmax(8rem, 1fr)',
    cell: (pipeline) =>
      pipeline.inputRepos.length === 0 ? (
        <span className="text-muted">params only</span>
      ) : (
        <span className="font-mono text-xs" title={pipeline.inputRepos.join(', ')}>
          {pipeline.inputRepos.join(', ')}
        </span>
      ),
  },
  {
    id: 'latest',
    header: 'Latest run',
    width: '10rem',
    cell: (pipeline) => {
      const latest = pipeline.recentRuns[0];
      if (!latest) return <span className="text-muted">never run</span>;
      return (
        <span className="flex items-center gap-2" title={formatTime(latest.createdAt)}>
          <StatusBadge status={latest.status} />
          <span className="text-xs text-muted">{formatAgo(latest.createdAt)}</span>
        </span>
      );
    },
  },
  {
    id: 'recent',
    header: 'Recent',
    width: '8rem',
    cell: (pipeline) => <RunStrip runs={pipeline.recentRuns} />,
  },
  {
    id: 'version',
    header: 'Version',
    width: '4.5rem',
    cell: (pipeline) => (
      <span className="font-mono text-xs" title={`pipeline version ${pipeline.pipelineVersion}`}>
        v{pipeline.version}
      </span>
    ),
  },
  {
    id: 'launch',
    header: <span className="sr-only">Launch</span>,
    width: '4rem',
    className: 'text-right',
    cell: (pipeline) => (
      <Link
        to={`/pipelines/${pipeline.name}/launch`}
        onClick={(event) => event.stopPropagation()}
        className="inline-flex rounded p-1.5 text-muted hover:bg-sunken hover:text-accent"
        aria-label={`Launch ${pipeline.name}`}
        title="Launch a run"
      >
        <Play className="size-4" aria-hidden />
      </Link>
    ),
  },
];

export function PipelineList() {
  const pipelines = usePipelines();
  return (
    <>
      <PageHeader title="Pipelines">
        Registered pipelines, their triggers and how their latest runs went.
      </PageHeader>
      {pipelines.isPending ? (
        <Loading />
      ) : pipelines.isError ? (
        <ErrorView error={pipelines.error} />
      ) : (
        <VirtualTable
          label="Pipelines"
          rows={pipelines.data}
          columns={COLUMNS}
          rowKey={(pipeline) => pipeline.name}
          rowHref={(pipeline) => `/pipelines/${pipeline.name}`}
          rowHeight={56}
          empty={
            <EmptyState title="No pipelines registered yet">
              <p>A pipeline is a spec file (YAML) of steps wired by named values. Start a project with</p>
              <Command>sluice init my-project</Command>
              <p className="mt-3">
                then run <code className="font-mono">sluice dev</code> in it: every spec in the folder it
                watches is registered, and again on each change. Or register one file with
              </p>
              <Command>sluice pipeline create spec.yaml</Command>
            </EmptyState>
          }
        />
      )}
    </>
  );
}
