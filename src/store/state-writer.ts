/**
 * Batches state writes. The engine enqueues every change as it happens; the writer merges
 * them (the last state of a run, task or attempt wins) and writes one transaction per
 * interval, so the store is never on the engine's hot path. One flush is in flight at a
 * time, which keeps writes in order; a failed flush keeps its rows for the next one, up to
 * three tries, after which that batch is reported and dropped.
 */
import type { AttemptRecord, MetadataStore, RunRecord, StateBatch, TaskRecord } from './store.js';

/** Tries of one batch before it is given up. */
const MAX_FAILURES = 3;

/** Options of {@link StateWriter}. */
export interface StateWriterOptions {
  /** Wait at most this long before writing what is pending (default 25 ms). */
  intervalMs?: number;
  /** Write at once when this many rows are pending (default 5,000). */
  maxRows?: number;
  /** Told about a failed write; the rows are retried with the next one. */
  onError?: (error: unknown) => void;
}

interface Pending {
  runs: Map<string, RunRecord>;
  tasks: Map<string, TaskRecord>;
  attempts: Map<string, AttemptRecord>;
  rest: Required<Pick<StateBatch, 'logs' | 'metrics' | 'results'>>;
  rows: number;
}

function empty(): Pending {
  return {
    runs: new Map(),
    tasks: new Map(),
    attempts: new Map(),
    rest: { logs: [], metrics: [], results: [] },
    rows: 0,
  };
}

/** Merges state changes and writes them to a store in batches. */
export class StateWriter {
  readonly #store: MetadataStore;
  readonly #intervalMs: number;
  readonly #maxRows: number;
  readonly #onError: (error: unknown) => void;
  #pending = empty();
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  #writes = 0;
  #failures = 0;

  constructor(store: MetadataStore, options: StateWriterOptions = {}) {
    this.#store = store;
    this.#intervalMs = options.intervalMs ?? 25;
    this.#maxRows = options.maxRows ?? 5000;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** How many transactions have been written (for tests and benchmarks). */
  get writes(): number {
    return this.#writes;
  }

  enqueue(part: StateBatch): void {
    const pending = this.#pending;
    for (const run of part.runs ?? []) pending.runs.set(run.id, run);
    for (const task of part.tasks ?? [])
      pending.tasks.set(`${task.runId}\0${task.step}\0${task.datum}`, task);
    for (const attempt of part.attempts ?? []) {
      pending.attempts.set(
        `${attempt.runId}\0${attempt.step}\0${attempt.datum}\0${attempt.attempt}`,
        attempt,
      );
    }
    if (part.logs) pending.rest.logs.push(...part.logs);
    if (part.metrics) pending.rest.metrics.push(...part.metrics);
    if (part.results) pending.rest.results.push(...part.results);
    pending.rows +=
      (part.runs?.length ?? 0) +
      (part.tasks?.length ?? 0) +
      (part.attempts?.length ?? 0) +
      (part.logs?.length ?? 0) +
      (part.metrics?.length ?? 0) +
      (part.results?.length ?? 0);
    if (pending.rows >= this.#maxRows) {
      void this.flush();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#intervalMs);
      this.#timer.unref();
    }
  }

  /** Resolves once everything enqueued before the call is written (or its write failed). */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const next = this.#inFlight.then(() => this.#write());
    this.#inFlight = next;
    return next;
  }

  /** Flushes and stops the timer. */
  async close(): Promise<void> {
    await this.flush();
  }

  async #write(): Promise<void> {
    const batch = this.#pending;
    if (batch.rows === 0) return;
    this.#pending = empty();
    try {
      await this.#store.write({
        runs: [...batch.runs.values()],
        tasks: [...batch.tasks.values()],
        attempts: [...batch.attempts.values()],
        ...batch.rest,
      });
      this.#writes += 1;
      this.#failures = 0;
    } catch (error) {
      this.#onError(error);
      this.#failures += 1;
      if (this.#failures >= MAX_FAILURES) {
        // NOTE: a batch the store keeps refusing would poison every later write merged into
        // it; after a few tries it is given up (and reported) so newer state can land.
        this.#failures = 0;
        this.#onError(
          new Error(`gave up writing a batch of ${batch.rows} rows after ${MAX_FAILURES} failures`),
        );
        return;
      }
      // Put the rows back in front of anything enqueued meanwhile (newer states win).
      const newer = this.#pending;
      this.#pending = batch;
      this.enqueue({
        runs: [...newer.runs.values()],
        tasks: [...newer.tasks.values()],
        attempts: [...newer.attempts.values()],
        ...newer.rest,
      });
    }
  }
}
