/** Scales, ticks and the series palette shared by the SVG charts. */
import { useEffect, useRef, useState, type RefObject } from 'react';

/**
 * Series colours: the theme's semantic colours first (they adapt to light and dark), then
 * mid-tone hues that read on both backgrounds.
 */
export const PALETTE = [
  'var(--color-accent)',
  'var(--color-warn)',
  '#a855f7',
  'var(--color-ok)',
  'var(--color-bad)',
  'var(--color-info)',
  '#db2777',
  '#64748b',
];

/** The palette colour of the `index`th series. */
export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

/** Round tick values ("nice" steps of 1, 2 or 5 × 10^n) covering `[min, max]`. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let i = 0; start + i * step <= end + step * 1e-9 && i <= 50; i += 1) {
    ticks.push(Number((start + i * step).toPrecision(12)));
  }
  if (ticks.length < 2) ticks.push(Number((start + step).toPrecision(12)));
  return ticks;
}

/** A linear map from `domain` to `range`. */
export function linear(domain: [number, number], range: [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/** A short tick label: at most 4 significant digits, exponent for extremes. */
export function tickLabel(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) return value.toExponential(1);
  return String(Number(value.toPrecision(4)));
}

/** The width of an element, kept up to date as it resizes. */
export function useWidth<T extends HTMLElement>(fallback = 600): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    setWidth(element.clientWidth || fallback);
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.max(200, Math.floor(entry.contentRect.width)));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [fallback]);
  return [ref, width];
}
