/** Axis lines, gridlines, tick labels and axis titles for the cartesian charts. */
import { tickLabel } from './scale';

export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Horizontal gridlines with y tick labels, x ticks, and the axis titles. */
export function Axes({
  frame,
  xTicks,
  yTicks,
  x,
  y,
  xLabel,
  yLabel,
  formatX = tickLabel,
}: {
  frame: Frame;
  xTicks: { value: number; label?: string }[];
  yTicks: number[];
  x: (value: number) => number;
  y: (value: number) => number;
  xLabel: string;
  yLabel: string;
  formatX?: (value: number) => string;
}) {
  const { width, height, left, right, top, bottom } = frame;
  const plotBottom = height - bottom;
  return (
    <g fontSize={11} fill="var(--color-muted)">
      {yTicks.map((tick) => (
        <g key={`y${tick}`}>
          <line x1={left} x2={width - right} y1={y(tick)} y2={y(tick)} stroke="var(--color-line)" />
          <text x={left - 6} y={y(tick)} dy="0.32em" textAnchor="end">
            {tickLabel(tick)}
          </text>
        </g>
      ))}
      <line x1={left} x2={width - right} y1={plotBottom} y2={plotBottom} stroke="var(--color-muted)" />
      {xTicks.map((tick) => (
        <g key={`x${tick.value}`}>
          <line
            x1={x(tick.value)}
            x2={x(tick.value)}
            y1={plotBottom}
            y2={plotBottom + 4}
            stroke="var(--color-muted)"
          />
          <text x={x(tick.value)} y={plotBottom + 16} textAnchor="middle">
            {tick.label ?? formatX(tick.value)}
          </text>
        </g>
      ))}
      <text x={(left + width - right) / 2} y={height - 4} textAnchor="middle" fill="var(--color-fg)">
        {xLabel}
      </text>
      <text
        transform={`translate(12 ${(top + plotBottom) / 2}) rotate(-90)`}
        textAnchor="middle"
        fill="var(--color-fg)"
      >
        {yLabel}
      </text>
    </g>
  );
}
