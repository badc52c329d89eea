/** `/experiments/:pipeline/compare?runs=a,b`: metric curves of the chosen runs and their params side by side. */
import { useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { seriesColor } from '../../components/charts/scale';
import { PageHeader, Panel } from '../../components/Page';
import { EmptyState, ErrorView, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { formatNumber } from '../../lib/format';
import {
  allParams,
  columnsOf,
  lastMetric,
  showValue,
  useExperimentRuns,
  useSeries,
  type ExperimentRun,
} from './data';
import { MetricCharts } from './MetricCharts';

interface Row {
  kind: 'param' | 'metric';
  key: string;
  values: string[];
}

function rowsOf(runs: ExperimentRun[]): Row[] {
  const { params, metrics } = columnsOf(runs);
  return [
    ...params.map<Row>((key) => ({
      kind: 'param',
      key,
      values: runs.map((run) => showValue(allParams(run)[key])),
    })),
    ...metrics.map<Row>((key) => ({
      kind: 'metric',
      key,
      values: runs.map((run) => {
        const value = lastMetric(run, key);
        return value === undefined ? '—' : formatNumber(value);
      }),
    })),
  ];
}

export function CompareRuns() {
  const pipeline = useParams().pipeline!;
  const [search] = useSearchParams();
  const ids = useMemo(() => (search.get('runs') ?? '').split(',').filter(Boolean), [search]);
  const runsQuery = useExperimentRuns(pipeline);
  const series = useSeries(pipeline, ids);
  const [onlyDiffs, setOnlyDiffs] = useState(false);
  const runs = useMemo(
    () =>
      ids
        .map((id) => runsQuery.data?.find((run) => run.id === id))
        .filter((run): run is ExperimentRun => !!run),
    [ids, runsQuery.data],
  );
  const header = (
    <PageHeader
      title={`Compare ${ids.length} run${ids.length === 1 ? '' : 's'}`}
      crumbs={[
        { label: 'Experiments', to: '/experiments' },
        { label: pipeline, to: `/experiments/${encodeURIComponent(pipeline)}` },
      ]}
    />
  );
  if (ids.length === 0) {
    return (
      <div>
        {header}
        <EmptyState title="No runs chosen">
          Select runs with the checkboxes on{' '}
          <Link className="text-accent hover:underline" to={`/experiments/${encodeURIComponent(pipeline)}`}>
            the experiment&apos;s page
          </Link>{' '}
          and press Compare.
        </EmptyState>
      </div>
    );
  }
  if (runsQuery.isPending || series.isPending) return <Loading />;
  if (runsQuery.isError || series.isError) return <ErrorView error={runsQuery.error ?? series.error} />;
  const missing = ids.filter((id) => !runs.some((run) => run.id === id));
  const rows = rowsOf(runs).map((row) => ({ ...row, differs: new Set(row.values).size > 1 }));
  const shown = onlyDiffs ? rows.filter((row) => row.differs) : rows;
  return (
    <div className="space-y-4">
      {header}
      <ul className="flex flex-wrap gap-2" aria-label="Compared runs">
        {runs.map((run, index) => (
          <li
            key={run.id}
            className="flex items-center gap-2 rounded-full border border-line bg-panel px-3 py-1 text-xs"
          >
            <span
              className="inline-block size-2.5 rounded-full"
              style={{ background: seriesColor(index) }}
              aria-hidden
            />
            <Link to={`/runs/${run.id}`} className="font-mono text-accent hover:underline">
              {run.id.slice(0, 10)}
            </Link>
            <StatusBadge status={run.status} />
          </li>
        ))}
      </ul>
      {missing.length > 0 && (
        <ErrorView title="Some runs are not runs of this pipeline" error={missing.join(', ')} />
      )}
      <MetricCharts
        points={series.data}
        runs={runs.map((run) => ({ id: run.id, name: run.id.slice(0, 10) }))}
      />
      <Panel
        title="Params and final metrics"
        actions={
          <label className="flex items-center gap-2 text-xs text-muted">
            <input
              type="checkbox"
              className="accent-accent"
              checked={onlyDiffs}
              onChange={(event) => setOnlyDiffs(event.target.checked)}
            />
            Only differences
          </label>
        }
      >
        <div className="overflow-x-auto">
          <table className="w-full text-left" aria-label="Params and final metrics of the compared runs">
            <thead className="text-xs text-muted uppercase">
              <tr className="border-b border-line">
                <th scope="col" className="px-2 py-1.5">
                  name
                </th>
                {runs.map((run, index) => (
                  <th key={run.id} scope="col" className="px-2 py-1.5 font-mono normal-case">
                    <span
                      className="mr-1.5 inline-block size-2 rounded-full"
                      style={{ background: seriesColor(index) }}
                      aria-hidden
                    />
                    {run.id.slice(0, 10)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <tr
                  key={`${row.kind}:${row.key}`}
                  className={`border-b border-line/60 ${row.differs ? 'bg-warn/10' : ''}`}
                  data-differs={row.differs || undefined}
                >
                  <th scope="row" className="px-2 py-1.5 font-normal">
                    <span className="mr-2 text-xs text-muted">{row.kind}</span>
                    <span className="font-mono">{row.key}</span>
                    {row.differs && <span className="sr-only"> (differs)</span>}
                  </th>
                  {row.values.map((value, index) => (
                    <td key={runs[index]!.id} className="px-2 py-1.5 font-mono tabular-nums">
                      {value}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length === 0 && <p className="p-2 text-muted">The runs have the same params and metrics.</p>}
        </div>
      </Panel>
    </div>
  );
}
