/**
 * The runs grid of one pipeline (as Airflow draws it): a column per run, oldest to newest,
 * a row per step, each cell coloured by the step's overall state in that run. A cell opens
 * the run with that step selected.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { Command, EmptyState, ErrorView, Loading } from '../../components/States';
import { formatTime } from '../../lib/format';
import { FilterSelect } from './FilterSelect';
import { aggregateState, describeCounts, isActive, stateColor, triggerLabel } from './run-state';
import { useQueryState } from './use-params';

type RunGrid = components['schemas']['RunGrid'];
const LIMITS = ['10', '25', '50', '100'];
const LEGEND = [
  'success',
  'skipped',
  'recovered',
  'running',
  'pending',
  'failed',
  'upstream_failed',
  'cancelled',
];

function useRunGrid(pipeline: string, limit: number) {
  return useQuery({
    queryKey: ['runs', 'grid', pipeline, limit],
    enabled: pipeline !== '',
    queryFn: () => unwrap(api.GET('/api/runs/grid', { params: { query: { pipeline, limit } } })),
    // NOTE: a running run's datums progress without a status event, so follow it.
    refetchInterval: (query) => (query.state.data?.runs.some((run) => isActive(run.status)) ? 2000 : false),
  });
}

function Cell({ run, step }: { run: RunGrid['runs'][number]; step: string }) {
  const counts = run.steps[step];
  const state = aggregateState(counts);
  const label = `${step} in run ${run.id}: ${counts ? `${state} (${describeCounts(counts)})` : 'did not run'}`;
  return (
    <Link
      to={`/runs/${run.id}?step=${encodeURIComponent(step)}`}
      title={label}
      aria-label={label}
      data-state={state}
      className="block size-5 rounded-sm border border-line hover:ring-2 hover:ring-accent/50"
      style={
        counts
          ? {
              background: stateColor(state),
              borderColor: 'transparent',
              opacity: state === 'skipped' ? 0.55 : 1,
            }
          : undefined
      }
    />
  );
}

function GridTable({ grid }: { grid: RunGrid }) {
  const template = `minmax(9rem, max-content) repeat(${grid.runs.length}, 1.5rem)`;
  return (
    <div className="overflow-auto rounded-lg border border-line bg-panel p-4">
      <div
        role="grid"
        aria-label={`Runs of ${grid.pipeline} by step`}
        className="grid items-center gap-x-1 gap-y-1.5"
        style={{ gridTemplateColumns: template }}
      >
        <div role="row" className="contents">
          <div role="columnheader" className="pr-3 text-xs font-semibold text-muted uppercase">
            Step / run
          </div>
          {grid.runs.map((run) => (
            <div role="columnheader" key={run.id} className="flex justify-center">
              <Link
                to={`/runs/${run.id}`}
                title={`run ${run.id}: ${run.status}, ${triggerLabel(run.trigger)}, ${formatTime(run.createdAt)}`}
                aria-label={`run ${run.id} ${run.status}`}
                className="block h-8 w-3 rounded-full hover:ring-2 hover:ring-accent/50"
                style={{ background: stateColor(run.status) }}
              />
            </div>
          ))}
        </div>
        {grid.steps.map((step) => (
          <div role="row" key={step} className="contents">
            <div role="rowheader" className="truncate pr-3 font-mono text-sm">
              {step}
            </div>
            {grid.runs.map((run) => (
              <div role="gridcell" key={run.id} className="flex justify-center">
                <Cell run={run} step={step} />
              </div>
            ))}
          </div>
        ))}
      </div>
      <div className="mt-4 flex flex-wrap gap-3 text-xs text-muted" aria-label="Legend">
        {LEGEND.map((state) => (
          <span key={state} className="inline-flex items-center gap-1">
            <span className="size-3 rounded-sm" style={{ background: stateColor(state) }} aria-hidden />
            {state}
          </span>
        ))}
        <span className="inline-flex items-center gap-1">
          <span className="size-3 rounded-sm border border-line" aria-hidden /> did not run
        </span>
      </div>
    </div>
  );
}

/** How many runs the grid shows (`?limit=`), for the page's filter row. */
export function GridLimit() {
  const [search, update] = useQueryState();
  return (
    <span className="flex items-center gap-2 text-muted">
      <FilterSelect
        label="Last"
        value={search.get('limit') ?? '25'}
        choices={LIMITS}
        onChange={(value) => update({ limit: value === '25' ? '' : value })}
        withAll={false}
      />
      runs, oldest to newest; a cell opens the run at that step.
    </span>
  );
}

/** The grid view of `/runs?view=grid&pipeline=NAME`. */
export function RunsGrid({
  pipeline,
  pipelines,
  onPipeline,
}: {
  pipeline: string;
  pipelines: string[] | undefined;
  onPipeline: (name: string) => void;
}) {
  const [search] = useQueryState();
  const limit = Number(search.get('limit') ?? 25) || 25;
  const grid = useRunGrid(pipeline, limit);
  useEffect(() => {
    if (!pipeline && pipelines?.[0]) onPipeline(pipelines[0]);
  }, [pipeline, pipelines, onPipeline]);
  if (pipelines && pipelines.length === 0)
    return (
      <EmptyState title="No pipelines yet">
        The grid shows a registered pipeline&apos;s runs step by step. Register one with
        <div>
          <Command>sluice pipeline create pipeline.yaml</Command>
        </div>
      </EmptyState>
    );
  if (!pipeline || grid.isPending) return <Loading label="Loading the grid…" />;
  if (grid.isError) return <ErrorView error={grid.error} />;
  return (
    <div>
      {grid.data.runs.length === 0 ? (
        <EmptyState title={`${grid.data.pipeline} has no runs yet`}>
          Launch one from the pipeline&apos;s page, commit to a repo it reads, or run
          <div>
            <Command>{`sluice run ${grid.data.pipeline}`}</Command>
          </div>
        </EmptyState>
      ) : (
        <GridTable grid={grid.data} />
      )}
    </div>
  );
}
