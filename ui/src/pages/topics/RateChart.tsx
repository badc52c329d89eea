/** A topic's rates over the sampled hour: produced, and acked per consumer group. */
import { LineChart, type LineSeries } from '../../components/charts/LineChart';
import { seriesColor } from '../../components/charts/scale';
import type { RateSample } from './types';

/** A clock time, with seconds when the samples span less than 10 minutes. */
function clockOf(rates: readonly RateSample[]): (ms: number) => string {
  const span = rates.length ? Date.parse(rates.at(-1)!.time) - Date.parse(rates[0]!.time) : 0;
  return (ms) => {
    const date = new Date(ms);
    const parts = [date.getHours(), date.getMinutes(), ...(span < 600_000 ? [date.getSeconds()] : [])];
    return parts.map((part) => String(part).padStart(2, '0')).join(':');
  };
}

/** One series for production and one per group that has consumed in the window. */
export function rateSeries(rates: readonly RateSample[]): LineSeries[] {
  const groups = [...new Set(rates.flatMap((sample) => Object.keys(sample.consumed)))].sort();
  const at = (sample: RateSample) => Date.parse(sample.time);
  return [
    {
      name: 'produced',
      color: seriesColor(0),
      points: rates.map((sample) => ({ x: at(sample), y: sample.produced })),
    },
    ...groups.map((group, index) => ({
      name: `consumed by ${group}`,
      color: seriesColor(index + 1),
      points: rates
        .filter((sample) => sample.consumed[group] !== undefined)
        .map((sample) => ({ x: at(sample), y: sample.consumed[group]! })),
    })),
  ];
}

/** The rate chart, or a line saying why there is none yet. */
export function RateChart({ rates }: { rates: readonly RateSample[] }) {
  if (rates.length < 2) {
    return (
      <p className="py-8 text-center text-muted">
        Collecting rate samples: the server takes one every few seconds.
      </p>
    );
  }
  const series = rateSeries(rates);
  if (series.every((item) => item.points.every((point) => point.y === 0))) {
    return (
      <p className="py-8 text-center text-muted" data-testid="rate-chart-idle">
        Nothing produced or consumed since {clockOf(rates)(Date.parse(rates[0]!.time))}.
      </p>
    );
  }
  return (
    <div data-testid="rate-chart">
      <LineChart
        series={series}
        title="messages/s"
        xLabel="time"
        yLabel="msgs/s"
        height={200}
        formatX={clockOf(rates)}
      />
    </div>
  );
}
