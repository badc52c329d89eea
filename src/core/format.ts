/** Formatting shared by messages: durations as people write them in specs. */

/** `250ms`, `2s`, `1.5s`: the form `timeout:` and `retry_delay:` accept. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(1))}s`;
}
