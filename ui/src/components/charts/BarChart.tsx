/** A vertical bar chart of one value per category (e.g. a metric per model version). */
import { formatNumber } from '../../lib/format';
import { Axes, type Frame } from './Axes';
import { Legend } from './Legend';
import { linear, niceTicks, useWidth } from './scale';

export interface Bar {
  label: string;
  value: number;
  color: string;
}

export function BarChart({
  bars,
  title,
  xLabel,
  yLabel,
  height = 200,
}: {
  bars: Bar[];
  title: string;
  xLabel: string;
  yLabel: string;
  height?: number;
}) {
  const [box, width] = useWidth<HTMLDivElement>(320);
  const frame: Frame = { width, height, left: 60, right: 12, top: 10, bottom: 40 };
  const values = bars.map((bar) => bar.value);
  const yTicks = niceTicks(Math.min(0, ...values), Math.max(0, ...values), 4);
  const y = linear([yTicks[0]!, yTicks.at(-1)!], [height - frame.bottom, frame.top]);
  const plot = width - frame.left - frame.right;
  const slot = plot / Math.max(1, bars.length);
  const barWidth = Math.min(56, slot * 0.6);
  const x = (index: number) => frame.left + slot * (index + 0.5);
  const summary = `${title}: ${bars.map((bar) => `${bar.label} ${formatNumber(bar.value)}`).join(', ')}`;
  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 font-mono text-xs font-semibold">{title}</figcaption>
      <div ref={box} className="w-full">
        <svg width={width} height={height} role="img" aria-label={summary} className="block">
          <Axes
            frame={frame}
            xTicks={bars.map((bar, index) => ({ value: index, label: bar.label }))}
            yTicks={yTicks}
            x={x}
            y={y}
            xLabel={xLabel}
            yLabel={yLabel}
          />
          {bars.map((bar, index) => {
            const top = Math.min(y(bar.value), y(0));
            return (
              <g key={bar.label} data-testid="bar">
                <rect
                  x={x(index) - barWidth / 2}
                  y={top}
                  width={barWidth}
                  height={Math.max(1, Math.abs(y(bar.value) - y(0)))}
                  fill={bar.color}
                  rx={2}
                >
                  <title>{`${bar.label}: ${formatNumber(bar.value)}`}</title>
                </rect>
                <text x={x(index)} y={top - 4} textAnchor="middle" fontSize={11} fill="var(--color-fg)">
                  {formatNumber(bar.value)}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      <Legend items={bars.map((bar) => ({ name: bar.label, color: bar.color }))} />
    </figure>
  );
}
