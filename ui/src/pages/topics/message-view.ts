/** How a message's value reads in the browser: a one-line preview and the full text. */
import { formatBytes } from '../../lib/format';
import type { TopicMessage } from './types';

/** The full value: JSON pretty-printed, text as is, bytes as their size (and base64). */
export function fullValue(message: TopicMessage): string {
  if (message.encoding === 'base64') return `${binaryLabel(message)}\n\nbase64: ${String(message.value)}`;
  if (message.encoding === 'text') return String(message.value);
  return JSON.stringify(message.value ?? null, null, 2);
}

/** A one-line preview of the value (the row's cell). */
export function previewValue(message: TopicMessage): string {
  if (message.encoding === 'base64') return binaryLabel(message);
  const text = message.encoding === 'text' ? String(message.value) : JSON.stringify(message.value ?? null);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function binaryLabel(message: TopicMessage): string {
  return `${message.size.toLocaleString('en-US')} bytes binary`;
}

/** `1 h`, `7 d`, `512 MiB` for a retention limit; `forever` when none. */
export function describeRetention(maxAgeMs: number | null, maxBytes: number | null): string {
  const parts: string[] = [];
  if (maxAgeMs !== null) parts.push(formatSpan(maxAgeMs));
  if (maxBytes !== null) parts.push(formatBytes(maxBytes));
  return parts.length ? parts.join(' or ') : 'forever';
}

/** A span as its largest whole unit: `30 s`, `15 min`, `36 h`, `7 d`. */
export function formatSpan(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1_000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

/** A rate in messages/s: `0`, `0.25`, `12.5`, `1,204`. */
export function formatRate(perSecond: number): string {
  if (perSecond === 0) return '0';
  if (perSecond >= 100) return Math.round(perSecond).toLocaleString('en-US');
  return String(Number(perSecond.toPrecision(3)));
}
