/** Durations in specs and flags: `500ms`, `1.5s`, `2m`, `1h`, or a number of seconds. */
import { SluiceError } from '../core/index.js';

/** The accepted string form. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Milliseconds of a duration; throws `SPEC_TYPE` for anything else. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return Math.round(text * 1000);
  } else {
    const match = DURATION_PATTERN.exec(text.trim());
    if (match) return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
  }
  throw new SluiceError(
    'SPEC_TYPE',
    `expected a duration like 500ms, 30s, 5m, 1h or a number of seconds, found ${JSON.stringify(text)}`,
  );
}
