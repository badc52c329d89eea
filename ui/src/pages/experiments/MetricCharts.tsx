/** One line chart per metric key, one series per run: what the compare view and a run page show. */
import type { Metric } from '../../api/types';
import { LineChart } from '../../components/charts/LineChart';
import { seriesColor } from '../../components/charts/scale';
import { EmptyState } from '../../components/States';
import { seriesByKey } from './data';

export function MetricCharts({
  points,
  runs,
}: {
  points: readonly Metric[];
  runs: { id: string; name: string }[];
}) {
  const charts = seriesByKey(
    points,
    runs.map((run, index) => ({ ...run, color: seriesColor(index) })),
  );
  if (charts.length === 0) {
    return (
      <EmptyState title="No metrics logged">
        Steps log metrics with{' '}
        <code className="font-mono">ctx.metric(&apos;loss&apos;, value, {'{ step }'})</code> or JSON lines
        appended to <code className="font-mono">$SLUICE_METRICS</code>.
      </EmptyState>
    );
  }
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      {charts.map((chart) => (
        <div
          key={chart.key}
          className="rounded-lg border border-line bg-panel p-3"
          data-testid="metric-chart"
        >
          <LineChart
            title={chart.key}
            series={chart.series}
            xLabel={chart.usesIndex ? 'step' : 'seconds since first point'}
            yLabel={chart.key}
          />
        </div>
      ))}
    </div>
  );
}
