/** A tiny line of a topic's produce rate over the sampled hour, for the topics table. */
import { linear } from '../../components/charts/scale';

/** A sparkline of `values` scaled from 0 to their maximum; `label` is its accessible name. */
export function Sparkline({
  values,
  label,
  width = 80,
  height = 20,
}: {
  values: readonly number[];
  label: string;
  width?: number;
  height?: number;
}) {
  if (values.length < 2) return <span className="inline-block" style={{ width }} aria-hidden />;
  const x = linear([0, values.length - 1], [1, width - 1]);
  const y = linear([0, Math.max(...values) || 1], [height - 2, 2]);
  const line = values.map(
    (value, index) => `${index ? 'L' : 'M'}${x(index).toFixed(1)},${y(value).toFixed(1)}`,
  );
  return (
    <svg width={width} height={height} role="img" aria-label={label} className="inline-block shrink-0">
      <path
        d={`${line.join('')}L${x(values.length - 1).toFixed(1)},${height}L1,${height}Z`}
        fill="var(--color-accent)"
        opacity={0.15}
      />
      <path
        d={line.join('')}
        fill="none"
        stroke="var(--color-accent)"
        strokeWidth={1.5}
        strokeLinejoin="round"
      />
    </svg>
  );
}
