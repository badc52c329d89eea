/**
 * Parallel coordinates: one vertical axis per dimension (numeric or categorical), one line
 * per item across them, coloured by a chosen numeric dimension. Dragging along an axis
 * brushes a range: lines outside every brush fade; a click on an axis clears its brush.
 */
import { useMemo, useState, type PointerEvent } from 'react';
import { formatNumber } from '../../lib/format';
import { linear, niceTicks, tickLabel, useWidth } from './scale';

export interface PcAxis {
  key: string;
  label: string;
  kind: 'number' | 'category';
}

export interface PcItem {
  id: string;
  label: string;
  values: Record<string, number | string | null>;
}

interface ScaledAxis extends PcAxis {
  x: number;
  /** Pixel y of a value, or null when the item has none. */
  at: (value: number | string | null) => number | null;
  ticks: { y: number; label: string }[];
}

const TOP = 28;
const BOTTOM = 24;
/** How far beyond an axis' ends a brush may start, so the extreme values can be brushed. */
const SLACK = 8;

/** The colour of `share` (0..1) on a ramp between two theme colours. */
function ramp(share: number): string {
  const percent = Math.round(Math.min(1, Math.max(0, share)) * 100);
  return `color-mix(in oklab, var(--color-warn) ${percent}%, var(--color-info))`;
}

export function ParallelCoordinates({
  axes,
  items,
  colorBy,
  height = 320,
  onOpen,
}: {
  axes: PcAxis[];
  items: PcItem[];
  colorBy?: string;
  height?: number;
  onOpen?: (item: PcItem) => void;
}) {
  const [box, width] = useWidth<HTMLDivElement>();
  const [brushes, setBrushes] = useState<Record<string, [number, number]>>({});
  const [drag, setDrag] = useState<{ key: string; from: number; to: number } | null>(null);
  const bottom = height - BOTTOM;
  const scaled = useMemo<ScaledAxis[]>(() => {
    const left = 60;
    const step = (width - left - 60) / Math.max(1, axes.length - 1);
    return axes.map((axis, index) => {
      const x = axes.length === 1 ? width / 2 : left + index * step;
      const present = items.map((item) => item.values[axis.key]).filter((value) => value != null);
      if (axis.kind === 'number') {
        const numbers = present.map(Number);
        const ticks = niceTicks(Math.min(...numbers), Math.max(...numbers), 4);
        const y = linear([ticks[0]!, ticks.at(-1)!], [bottom, TOP]);
        return {
          ...axis,
          x,
          at: (value) => (value == null ? null : y(Number(value))),
          ticks: ticks.map((tick) => ({ y: y(tick), label: tickLabel(tick) })),
        };
      }
      const categories = [...new Set(present.map(String))].sort();
      const y = (category: string) =>
        categories.length === 1
          ? (TOP + bottom) / 2
          : TOP + (categories.indexOf(category) / (categories.length - 1)) * (bottom - TOP);
      return {
        ...axis,
        x,
        at: (value) => (value == null ? null : y(String(value))),
        ticks: categories.map((category) => ({ y: y(category), label: category })),
      };
    });
  }, [axes, items, width, bottom]);
  const colorRange = useMemo(() => {
    if (!colorBy) return null;
    const numbers = items
      .map((item) => item.values[colorBy])
      .filter((value): value is number => typeof value === 'number');
    return numbers.length ? { min: Math.min(...numbers), max: Math.max(...numbers) } : null;
  }, [items, colorBy]);
  const colorOf = (item: PcItem): string => {
    const value = colorBy ? item.values[colorBy] : null;
    if (!colorRange || typeof value !== 'number') return 'var(--color-muted)';
    return ramp((value - colorRange.min) / (colorRange.max - colorRange.min || 1));
  };
  const selected = (item: PcItem): boolean =>
    scaled.every((axis) => {
      const brush = brushes[axis.key];
      if (!brush) return true;
      const y = axis.at(item.values[axis.key] ?? null);
      return y !== null && y >= brush[0] && y <= brush[1];
    });
  const matching = items.filter(selected);
  const colorName = axes.find((axis) => axis.key === colorBy)?.label ?? colorBy;
  const localY = (event: PointerEvent<SVGRectElement>) => {
    const svg = event.currentTarget.ownerSVGElement!.getBoundingClientRect();
    return Math.min(bottom + SLACK, Math.max(TOP - SLACK, event.clientY - svg.top));
  };
  const finish = () => {
    if (!drag) return;
    const [from, to] = [Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)];
    setBrushes((prev) => {
      const next = { ...prev };
      if (to - from < 4) delete next[drag.key];
      else next[drag.key] = [from, to];
      return next;
    });
    setDrag(null);
  };
  const path = (item: PcItem) => {
    let d = '';
    let pen = false;
    for (const axis of scaled) {
      const y = axis.at(item.values[axis.key] ?? null);
      if (y === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${axis.x.toFixed(1)},${y.toFixed(1)}`;
      pen = true;
    }
    return d;
  };
  const summary = `Parallel coordinates of ${items.length} runs over ${axes.map((axis) => axis.label).join(', ')}${colorBy ? `, coloured by ${colorName}` : ''}; ${matching.length} match the brushes.`;
  return (
    <div>
      <div ref={box} className="w-full">
        <svg width={width} height={height} role="img" aria-label={summary} className="block select-none">
          {items.map((item) => {
            const on = selected(item);
            return (
              <path
                key={item.id}
                data-testid="pc-line"
                d={path(item)}
                fill="none"
                stroke={on ? colorOf(item) : 'var(--color-line)'}
                strokeOpacity={on ? 0.9 : 0.6}
                strokeWidth={on ? 2 : 1}
                className={onOpen ? 'cursor-pointer' : undefined}
                onClick={onOpen ? () => onOpen(item) : undefined}
              >
                <title>{item.label}</title>
              </path>
            );
          })}
          {scaled.map((axis) => {
            const brush: [number, number] | undefined =
              drag?.key === axis.key
                ? [Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)]
                : brushes[axis.key];
            return (
              <g key={axis.key} fontSize={11}>
                <line x1={axis.x} x2={axis.x} y1={TOP} y2={bottom} stroke="var(--color-muted)" />
                <text x={axis.x} y={TOP - 12} textAnchor="middle" fill="var(--color-fg)" fontWeight={600}>
                  {axis.label}
                </text>
                {axis.ticks.map((tick) => (
                  <g key={tick.label}>
                    <line
                      x1={axis.x - 3}
                      x2={axis.x + 3}
                      y1={tick.y}
                      y2={tick.y}
                      stroke="var(--color-muted)"
                    />
                    <text
                      x={axis.x - 6}
                      y={tick.y}
                      dy="0.32em"
                      textAnchor="end"
                      fill="var(--color-muted)"
                      paintOrder="stroke"
                      stroke="var(--color-panel)"
                      strokeWidth={3}
                    >
                      {tick.label}
                    </text>
                  </g>
                ))}
                {brush && (
                  <rect
                    x={axis.x - 8}
                    y={brush[0]}
                    width={16}
                    height={brush[1] - brush[0]}
                    fill="var(--color-accent)"
                    fillOpacity={0.25}
                    stroke="var(--color-accent)"
                  />
                )}
                <rect
                  data-testid={`pc-axis-${axis.key}`}
                  x={axis.x - 12}
                  y={TOP - SLACK}
                  width={24}
                  height={bottom - TOP + 2 * SLACK}
                  fill="transparent"
                  className="cursor-ns-resize"
                  onPointerDown={(event) => {
                    event.currentTarget.setPointerCapture(event.pointerId);
                    const y = localY(event);
                    setDrag({ key: axis.key, from: y, to: y });
                  }}
                  onPointerMove={(event) => drag?.key === axis.key && setDrag({ ...drag, to: localY(event) })}
                  onPointerUp={finish}
                >
                  <title>{`Drag to filter ${axis.label}; click to clear`}</title>
                </rect>
              </g>
            );
          })}
        </svg>
      </div>
      <div className="mt-2 flex flex-wrap items-center gap-4 text-xs text-muted">
        <span>
          {matching.length} of {items.length} runs match
          {Object.keys(brushes).length > 0 ? ' the brushes' : ''}
        </span>
        {Object.keys(brushes).length > 0 && (
          <button type="button" className="text-accent hover:underline" onClick={() => setBrushes({})}>
            Clear brushes
          </button>
        )}
        {colorBy && colorRange && (
          <span className="flex items-center gap-2" aria-label={`Colour scale of ${colorName}`}>
            <span className="font-mono">{colorName}</span>
            <span className="font-mono">{formatNumber(colorRange.min)}</span>
            <span
              className="inline-block h-2 w-24 rounded"
              style={{ background: `linear-gradient(to right, ${ramp(0)}, ${ramp(1)})` }}
              aria-hidden
            />
            <span className="font-mono">{formatNumber(colorRange.max)}</span>
          </span>
        )}
      </div>
    </div>
  );
}
