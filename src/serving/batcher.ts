/**
 * Dynamic batching: requests that arrive together are run as one batch. A batch leaves when
 * it holds `maxBatch` rows, when the oldest request has waited `maxWaitMs`, at once when a
 * runner slot frees up while requests wait (they have waited already), and at once when as
 * many requests have joined it as were lately in flight together (`inFlight`: read, being
 * decoded or queued; the peak of the last second) — so a lone client never waits for company
 * that is not coming, while under load the batch waits for the requests on their way. A request larger than
 * `maxBatch` runs alone, never split. `maxBatch: 1` turns batching off: each request runs
 * alone, as soon as a slot is free.
 *
 * At most `slots` batches run at once (one per model thread). Past `maxQueueRows` waiting
 * rows, new requests are refused with `MODEL_OVERLOADED` (HTTP 503) instead of queueing
 * without bound.
 */
import { SluiceError } from '../core/index.js';
import type { PreparedRows } from './request-rows.js';
import type { ModelRunner, Values } from './runner.js';

/** How long a peak of concurrent requests is remembered. */
const PEAK_MS = 1000;

/** Options of {@link DynamicBatcher}. */
export interface BatcherOptions {
  maxBatch: number;
  maxWaitMs: number;
  maxQueueRows: number;
  slots: number;
  /** Requests in flight for the version (queued, running or still being prepared). */
  inFlight?: () => number;
  /** Called with each batch's row count and seconds. */
  onBatch?: (rows: number, seconds: number) => void;
}

/** One request's share of a batch's output. */
export interface BatchResult {
  output: Values;
  width: number;
  /** Rows in the batch the request ran in. */
  batchRows: number;
}

interface Waiting {
  rows: PreparedRows;
  resolve(result: BatchResult): void;
  reject(error: unknown): void;
}

/** Groups requests for one loaded model version. */
export class DynamicBatcher {
  readonly #runner: ModelRunner;
  readonly #options: BatcherOptions;
  readonly #rowSize: number;
  #queue: Waiting[] = [];
  #queuedRows = 0;
  #running = 0;
  #runningRequests = 0;
  /** The most requests lately in flight together, and when that was seen. */
  #peak = 1;
  #peakAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(runner: ModelRunner, rowSize: number, options: BatcherOptions) {
    this.#runner = runner;
    this.#rowSize = rowSize;
    this.#options = options;
  }

  /** Requests waiting or running (a version is drained when this is 0). */
  get pending(): number {
    return this.#queue.length + this.#running;
  }

  /** Runs `rows` in the next batch; resolves with its own outputs. */
  submit(rows: PreparedRows): Promise<BatchResult> {
    if (this.#queuedRows + rows.n > this.#options.maxQueueRows && this.#queue.length > 0) {
      return Promise.reject(
        new SluiceError(
          'MODEL_OVERLOADED',
          `${this.#queuedRows} rows are waiting for this model (the queue holds ${this.#options.maxQueueRows}); retry later`,
        ),
      );
    }
    if (this.#options.inFlight) {
      const now = performance.now();
      const concurrent = this.#options.inFlight();
      if (concurrent >= this.#peak || now - this.#peakAt > PEAK_MS) {
        this.#peak = concurrent;
        this.#peakAt = now;
      }
    }
    return new Promise<BatchResult>((resolve, reject) => {
      this.#queue.push({ rows, resolve, reject });
      this.#queuedRows += rows.n;
      this.#pump(false);
    });
  }

  /** Starts batches while slots are free and a batch is due (`timedOut`: the wait is over). */
  #pump(timedOut: boolean): void {
    const { maxBatch, maxWaitMs, slots, inFlight } = this.#options;
    let started = false;
    while (this.#queue.length > 0 && this.#running < slots) {
      const nobodyElse = inFlight !== undefined && this.#queue.length + this.#runningRequests >= this.#peak;
      const due = timedOut || nobodyElse || maxBatch <= 1 || maxWaitMs <= 0 || this.#queuedRows >= maxBatch;
      if (!due) break;
      this.#start(this.#take());
      started = true;
      timedOut = false;
    }
    if (started && this.#timer) {
      // NOTE: the timer was the oldest request's, which has left: the next oldest gets a full wait.
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#queue.length > 0 && this.#running < slots && !this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#pump(true);
      }, maxWaitMs);
    } else if (this.#queue.length === 0 && this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Takes requests off the queue up to `maxBatch` rows (at least one request). */
  #take(): Waiting[] {
    const batch: Waiting[] = [];
    let rows = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0] as Waiting;
      if (batch.length > 0 && rows + next.rows.n > this.#options.maxBatch) break;
      batch.push(next);
      this.#queue.shift();
      rows += next.rows.n;
      if (rows >= this.#options.maxBatch) break;
    }
    this.#queuedRows -= rows;
    return batch;
  }

  #start(batch: Waiting[]): void {
    const rows = batch.reduce((sum, item) => sum + item.rows.n, 0);
    const first = (batch[0] as Waiting).rows.input;
    let input: Values;
    if (batch.length === 1) {
      input = first;
    } else {
      input =
        first instanceof Float64Array
          ? new Float64Array(rows * this.#rowSize)
          : new Float32Array(rows * this.#rowSize);
      let at = 0;
      for (const item of batch) {
        input.set(item.rows.input, at);
        at += item.rows.input.length;
      }
    }
    this.#running += 1;
    this.#runningRequests += batch.length;
    const started = performance.now();
    this.#runner.run(input, rows).then(
      ({ output, width }) => {
        this.#options.onBatch?.(rows, (performance.now() - started) / 1000);
        let row = 0;
        for (const item of batch) {
          item.resolve({
            output: output.subarray(row * width, (row + item.rows.n) * width),
            width,
            batchRows: rows,
          });
          row += item.rows.n;
        }
        this.#finish(batch.length);
      },
      (error: unknown) => {
        for (const item of batch) item.reject(error);
        this.#finish(batch.length);
      },
    );
  }

  #finish(requests: number): void {
    this.#running -= 1;
    this.#runningRequests -= requests;
    // NOTE: requests that queued while every slot was busy have waited already: run them now.
    this.#pump(true);
  }
}
