/**
 * A line chart of several series over a shared x (epoch, step or time): nice ticks on both
 * axes, axis titles, a legend, and a tooltip with every series' value nearest the pointer.
 */
import { useMemo, useState, type PointerEvent } from 'react';
import { formatNumber } from '../../lib/format';
import { Axes, type Frame } from './Axes';
import { Legend } from './Legend';
import { linear, niceTicks, tickLabel, useWidth } from './scale';

export interface LinePoint {
  x: number;
  y: number;
}

export interface LineSeries {
  name: string;
  color: string;
  points: LinePoint[];
}

/** The point of `points` (sorted by x) nearest to `x`. */
function nearest(points: LinePoint[], x: number): LinePoint | undefined {
  let best: LinePoint | undefined;
  for (const point of points) if (!best || Math.abs(point.x - x) < Math.abs(best.x - x)) best = point;
  return best;
}

export function LineChart({
  series,
  title,
  xLabel,
  yLabel,
  height = 240,
  formatX = tickLabel,
}: {
  series: LineSeries[];
  title: string;
  xLabel: string;
  yLabel: string;
  height?: number;
  formatX?: (value: number) => string;
}) {
  const [box, width] = useWidth<HTMLDivElement>();
  const [hoverX, setHoverX] = useState<number | null>(null);
  const frame: Frame = { width, height, left: 60, right: 16, top: 10, bottom: 40 };
  const { x, y, xTicks, yTicks, xDomain } = useMemo(() => {
    const all = series.flatMap((item) => item.points);
    const xs = all.map((point) => point.x);
    const ys = all.map((point) => point.y);
    const xMin = xs.length ? Math.min(...xs) : 0;
    const xMax = xs.length ? Math.max(...xs) : 1;
    const yt = niceTicks(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1);
    const xt = niceTicks(xMin, xMax, Math.max(2, Math.floor((width - 80) / 90)));
    const xDomain: [number, number] = xMin === xMax ? [xt[0]!, xt.at(-1)!] : [xMin, xMax];
    return {
      x: linear(xDomain, [frame.left, width - frame.right]),
      y: linear([yt[0]!, yt.at(-1)!], [height - frame.bottom, frame.top]),
      xTicks: xt.filter((tick) => tick >= xDomain[0] && tick <= xDomain[1]).map((value) => ({ value })),
      yTicks: yt,
      xDomain,
    };
  }, [series, width, height, frame.left, frame.right, frame.bottom, frame.top]);
  const onMove = (event: PointerEvent<SVGRectElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const share = (event.clientX - rect.left) / (rect.width || 1);
    setHoverX(xDomain[0] + share * (xDomain[1] - xDomain[0]));
  };
  const hovered =
    hoverX === null
      ? []
      : series
          .map((item) => ({ item, point: nearest(item.points, hoverX) }))
          .filter((entry): entry is { item: LineSeries; point: LinePoint } => entry.point !== undefined);
  const anchor = hovered[0]?.point.x;
  const summary = `${title}: ${series
    .map((item) => {
      const last = item.points.at(-1);
      return `${item.name} ${last ? `last ${formatNumber(last.y)} at ${formatX(last.x)}` : 'no points'}`;
    })
    .join('; ')}`;
  const tooltipLeft = anchor === undefined ? 0 : x(anchor);
  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 font-mono text-xs font-semibold">{title}</figcaption>
      <div ref={box} className="relative w-full">
        <svg width={width} height={height} role="img" aria-label={summary} className="block overflow-visible">
          <Axes
            frame={frame}
            xTicks={xTicks}
            yTicks={yTicks}
            x={x}
            y={y}
            xLabel={xLabel}
            yLabel={yLabel}
            formatX={formatX}
          />
          {series.map((item) => (
            <g key={item.name} data-series={item.name}>
              <path
                data-testid="series-line"
                d={item.points
                  .map(
                    (point, index) =>
                      `${index === 0 ? 'M' : 'L'}${x(point.x).toFixed(1)},${y(point.y).toFixed(1)}`,
                  )
                  .join('')}
                fill="none"
                stroke={item.color}
                strokeWidth={2}
                strokeLinejoin="round"
              />
              {item.points.length === 1 && (
                <circle cx={x(item.points[0]!.x)} cy={y(item.points[0]!.y)} r={3.5} fill={item.color} />
              )}
            </g>
          ))}
          {anchor !== undefined && (
            <g pointerEvents="none">
              <line
                x1={x(anchor)}
                x2={x(anchor)}
                y1={frame.top}
                y2={height - frame.bottom}
                stroke="var(--color-muted)"
                strokeDasharray="3 3"
              />
              {hovered.map(({ item, point }) => (
                <circle
                  key={item.name}
                  cx={x(point.x)}
                  cy={y(point.y)}
                  r={4}
                  fill={item.color}
                  stroke="var(--color-panel)"
                  strokeWidth={1.5}
                />
              ))}
            </g>
          )}
          <rect
            x={frame.left}
            y={frame.top}
            width={Math.max(0, width - frame.left - frame.right)}
            height={Math.max(0, height - frame.top - frame.bottom)}
            fill="transparent"
            onPointerMove={onMove}
            onPointerLeave={() => setHoverX(null)}
          />
        </svg>
        {anchor !== undefined && (
          <div
            role="tooltip"
            className="pointer-events-none absolute top-2 z-10 min-w-32 rounded-md border border-line bg-panel px-2 py-1.5 text-xs shadow-lg"
            style={tooltipLeft > width / 2 ? { right: width - tooltipLeft + 10 } : { left: tooltipLeft + 10 }}
          >
            <div className="mb-1 text-muted">
              {xLabel} {formatX(anchor)}
            </div>
            {hovered.map(({ item, point }) => (
              <div key={item.name} className="flex items-center justify-between gap-3">
                <span className="flex items-center gap-1.5 font-mono">
                  <span
                    className="inline-block size-2 rounded-full"
                    style={{ background: item.color }}
                    aria-hidden
                  />
                  {item.name}
                </span>
                <span className="font-mono tabular-nums">{formatNumber(point.y)}</span>
              </div>
            ))}
          </div>
        )}
      </div>
      <Legend items={series} />
    </figure>
  );
}
