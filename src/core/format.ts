/** Formatting and parsing shared by messages: durations as people write them, times users give. */
import { SluiceError } from './errors.js';

/** `250ms`, `2s`, `1.5s`: the form `timeout:` and `retry_delay:` accept. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(1))}s`;
}

/**
 * A time a user gave (flag, query or body field `where`) as ISO 8601; a `code` error that
 * names `where` and shows the expected form when it is not one.
 */
export function parseIsoTime(text: string, where: string, code: 'USAGE' | 'INVALID_REQUEST' = 'USAGE'): Date {
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) {
    throw new SluiceError(code, `${where}: expected an ISO time like 2026-12-04T10:00:00Z, found '${text}'`);
  }
  return time;
}
