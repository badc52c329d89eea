/** The parallel-coordinates tab: params (numeric and categorical) and metrics of every run. */
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { ParallelCoordinates, type PcAxis, type PcItem } from '../../components/charts/ParallelCoordinates';
import { EmptyState } from '../../components/States';
import { allParams, columnsOf, lastMetric, type ExperimentRun } from './data';

export function ParallelView({ runs }: { runs: ExperimentRun[] }) {
  const navigate = useNavigate();
  const { params, metrics } = useMemo(() => columnsOf(runs), [runs]);
  const [colorBy, setColorBy] = useState<string>(metrics[0] ?? '');
  const { axes, items } = useMemo(() => {
    const items: PcItem[] = runs.map((run) => {
      const values: PcItem['values'] = {};
      const all = allParams(run);
      for (const key of params) {
        const value = all[key];
        values[`p:${key}`] =
          typeof value === 'number' || typeof value === 'string'
            ? value
            : value == null
              ? null
              : JSON.stringify(value);
      }
      for (const key of metrics) values[`m:${key}`] = lastMetric(run, key) ?? null;
      return { id: run.id, label: `run ${run.id}`, values };
    });
    const axes: PcAxis[] = [
      ...params
        .filter((key) => new Set(items.map((item) => item.values[`p:${key}`])).size > 1)
        .map<PcAxis>((key) => ({
          key: `p:${key}`,
          label: key,
          kind: items.every(
            (item) => item.values[`p:${key}`] === null || typeof item.values[`p:${key}`] === 'number',
          )
            ? 'number'
            : 'category',
        })),
      ...metrics.map<PcAxis>((key) => ({ key: `m:${key}`, label: key, kind: 'number' })),
    ];
    return { axes, items };
  }, [runs, params, metrics]);
  if (runs.length < 2 || axes.length < 2) {
    return (
      <EmptyState title="Not enough variation to plot yet">
        Parallel coordinates need at least two runs and two dimensions (params that differ between runs, or
        metrics). Run the pipeline again with other params, e.g.{' '}
        <code className="font-mono">sluice run NAME -p lr=0.01</code>.
      </EmptyState>
    );
  }
  return (
    <div className="rounded-lg border border-line bg-panel p-4">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <p className="text-xs text-muted">
          Each line is a run (params that differ, then the last value of each metric). Drag along an axis to
          filter; click a line to open its run.
        </p>
        <label className="flex items-center gap-2 text-xs">
          Colour by
          <select
            className="rounded-md border border-line bg-panel px-2 py-1 font-mono text-xs"
            value={colorBy}
            onChange={(event) => setColorBy(event.target.value)}
          >
            {metrics.map((key) => (
              <option key={key} value={key}>
                {key}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ParallelCoordinates
        axes={axes}
        items={items}
        colorBy={colorBy ? `m:${colorBy}` : undefined}
        onOpen={(item) => void navigate(`/runs/${item.id}`)}
      />
    </div>
  );
}
