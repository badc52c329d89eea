/**
 * A run's stream input: consumes a topic as a consumer group, forms batches of messages
 * into datums, and acknowledges each batch only once its datum's outputs are committed.
 *
 * Exactly-once effect over at-least-once delivery: a batch's seqs are recorded (in the
 * metadata store) before its datum runs. A message that comes back — redelivered after a
 * crash, or after its ack deadline — is looked up first:
 * - in a batch that finished: acked again, nothing runs;
 * - in a batch that failed: dead-lettered;
 * - in a batch still open in this run: its ack joins that batch's;
 * - in a batch left open by a dead run: that batch is formed again from the recorded seqs
 *   (same messages, same value, same execution key), so its results replace, never add;
 * - delivered for the first time although known: the group was reset to replay it, and it
 *   forms a new batch.
 *
 * Consumption stops once no message came for the input's timeout (or on cancel); the run
 * then knows the stream's full list of datums.
 */
import { SluiceError, toSluiceError, type Logger } from '../core/index.js';
import type { TopicInputSpec } from '../spec/index.js';
import type { StreamBatchStore } from '../store/index.js';
import { messageValue, type Consumer, type Delivery, type Message, type Topics } from '../streams/index.js';

/** How a datum of a stream ended, as far as its messages are concerned. */
export type BatchOutcome =
  { status: 'success' } | { status: 'failed'; reason: string } | { status: 'cancelled' };

/** The value of one stream datum. */
export interface StreamBatchValue {
  topic: string;
  messages: {
    seq: number;
    key: string | null;
    time: string;
    headers: Record<string, string>;
    value: unknown;
  }[];
}

/** Options of a {@link StreamSource}. */
export interface StreamSourceOptions {
  input: TopicInputSpec;
  /** The input's timeout, resolved against the run's params. */
  timeoutMs: number;
  topics: Topics;
  batches: StreamBatchStore;
  runId: string;
  /** Batches running at once before consumption pauses (backpressure). */
  inflightLimit: number;
  logger: Logger;
  /** A new datum: the run creates its tasks. */
  onDatum(key: string, value: StreamBatchValue): void;
  /** A line for the run's log. */
  log(message: string): void;
}

interface Inflight {
  deliveries: Delivery[];
}

const SEQ_WIDTH = 12;

/** A datum key for a batch: its first and last seq, zero-padded so keys sort as seqs do. */
export function batchKey(seqs: readonly number[]): string {
  const first = String(seqs[0] ?? 0).padStart(SEQ_WIDTH, '0');
  const last = String(seqs.at(-1) ?? 0).padStart(SEQ_WIDTH, '0');
  return `${first}-${last}`;
}

/** A message as a datum sees it: JSON and text payloads decoded, bytes as `{ $base64 }`. */
export function batchMessage(message: Message): StreamBatchValue['messages'][number] {
  let value: unknown;
  try {
    const decoded = messageValue(message);
    value = decoded instanceof Uint8Array ? { $base64: Buffer.from(decoded).toString('base64') } : decoded;
  } catch {
    // NOTE: a message whose JSON does not parse reaches the step as its raw text: the step
    // decides (and reports) what is wrong with it, rather than the batch failing to form.
    value = { $invalid: new TextDecoder().decode(message.data) };
  }
  return {
    seq: message.seq,
    key: message.key,
    time: message.time.toISOString(),
    headers: message.headers,
    value,
  };
}

/** One stream input of one run. */
export class StreamSource {
  /** Every datum key formed, once consumption has stopped. */
  readonly ended: Promise<string[]>;
  readonly #options: StreamSourceOptions;
  readonly #consumerKey: string;
  readonly #inflight = new Map<string, Inflight>();
  readonly #keys: string[] = [];
  /** New messages waiting to fill a batch. */
  #pending: Delivery[] = [];
  #pendingSince = 0;
  #consumer: Consumer | undefined;
  #stopped = false;
  #serial: Promise<void> = Promise.resolve();
  #waiters: (() => void)[] = [];
  #endResolve!: (keys: string[]) => void;
  #endReject!: (error: unknown) => void;
  #extendTimer: NodeJS.Timeout | undefined;

  constructor(options: StreamSourceOptions) {
    this.#options = options;
    this.#consumerKey = `${options.input.topic}/${options.input.group}`;
    this.ended = new Promise((resolve, reject) => {
      this.#endResolve = resolve;
      this.#endReject = reject;
    });
    // The run handles a failed start through `ended`; this keeps an early failure from
    // being reported as unhandled before the run awaits it.
    this.ended.catch(() => undefined);
  }

  get input(): TopicInputSpec {
    return this.#options.input;
  }

  /** Starts consuming. */
  start(): void {
    void this.#run().then(
      () => this.#endResolve([...this.#keys].sort()),
      (error: unknown) => this.#endReject(error),
    );
  }

  /** Stops consuming (cancel); batches already formed still settle. */
  stop(): void {
    this.#stopped = true;
    this.#wake();
  }

  /** Called by the run when every task of datum `key` has ended. */
  settled(key: string, outcome: BatchOutcome): Promise<void> {
    return this.#exclusive(async () => {
      const entry = this.#inflight.get(key);
      if (!entry) return;
      const consumer = this.#consumer;
      if (!consumer) return;
      if (outcome.status === 'success') {
        await this.#options.batches.finish(this.#consumerKey, key, 'done');
        await consumer.ack(entry.deliveries);
      } else if (outcome.status === 'failed') {
        await this.#options.batches.finish(this.#consumerKey, key, 'failed', outcome.reason);
        await consumer.deadLetter(entry.deliveries, outcome.reason);
        this.#options.log(
          `stream '${this.input.name}': batch ${key} failed; its ${entry.deliveries.length} messages went to the dead-letter topic`,
        );
      } else {
        // Cancelled or interrupted: the messages go back to the group for the next run.
        await consumer.nak(entry.deliveries);
      }
      this.#inflight.delete(key);
      this.#wake();
    });
  }

  /** Waits until every formed batch has settled, then leaves the group. */
  async drain(): Promise<void> {
    await this.ended.catch(() => undefined);
    while (this.#inflight.size > 0) await this.#changed();
    await this.#serial;
    if (this.#extendTimer) clearInterval(this.#extendTimer);
    await this.#consumer?.close().catch(() => undefined);
  }

  /** Resolves when a batch settles or consumption stops. */
  #changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Runs `fn` after every earlier lookup and settlement: they read and change the same batches. */
  #exclusive(fn: () => Promise<void>): Promise<void> {
    const next = this.#serial.then(fn);
    this.#serial = next.catch((error: unknown) => {
      this.#options.logger.error({ err: error, input: this.input.name }, 'stream batch bookkeeping failed');
      this.#options.log(`stream '${this.input.name}': ${toSluiceError(error).message}`);
    });
    return next;
  }

  async #run(): Promise<void> {
    const { input, topics, timeoutMs } = this.#options;
    let ackWaitMs: number;
    try {
      ackWaitMs = (await topics.get(input.topic)).config.ackWaitMs;
      this.#consumer = await topics.consumer(input.topic, input.group, { start: input.start });
    } catch (error) {
      const failure = toSluiceError(error);
      throw new SluiceError(failure.code, `stream input '${input.name}': ${failure.message}`, {
        cause: error,
      });
    }
    // Batches that run longer than the ack deadline keep their messages: deadlines restart.
    this.#extendTimer = setInterval(
      () => {
        const deliveries = [...this.#inflight.values()].flatMap((entry) => entry.deliveries);
        if (deliveries.length > 0) void this.#consumer?.extend(deliveries).catch(() => undefined);
      },
      Math.max(100, Math.floor(ackWaitMs / 3)),
    );
    this.#extendTimer.unref();
    // NOTE: the idle clock runs only while fetches come back empty, not while this run is
    // busy with its own batches (backpressure), so a slow step never ends a stream early.
    let idleMs = 0;
    while (!this.#stopped) {
      if (this.#inflight.size >= this.#options.inflightLimit) {
        await this.#changed();
        continue;
      }
      const idleLeft = timeoutMs - idleMs;
      if (idleLeft <= 0) break;
      const fillLeft = this.#pending.length > 0 ? input.waitMs - (Date.now() - this.#pendingSince) : Infinity;
      if (fillLeft <= 0) {
        await this.#formBatch();
        continue;
      }
      const room = input.batch - this.#pending.length;
      const asked = Date.now();
      const deliveries = await this.#consumer.fetch({
        max: room,
        expiresMs: Math.max(1, Math.min(idleLeft, fillLeft, 1000)),
      });
      if (deliveries.length === 0) {
        idleMs += Date.now() - asked;
        continue;
      }
      idleMs = 0;
      await this.#exclusive(() => this.#sort(deliveries));
      if (this.#pending.length >= input.batch) await this.#formBatch();
    }
    if (this.#pending.length > 0) await this.#formBatch();
    await this.#serial;
  }

  /** Sorts fetched messages: known ones by their batch, new ones into the pending batch. */
  async #sort(deliveries: Delivery[]): Promise<void> {
    const consumer = this.#consumer;
    if (!consumer) return;
    const known = await this.#options.batches.lookup(
      this.#consumerKey,
      deliveries.map((delivery) => delivery.seq),
    );
    const ack: Delivery[] = [];
    const dead = new Map<string, Delivery[]>();
    // NOTE: a message comes back to a group only as a redelivery (deliveries > 1), unless the
    // group was reset to replay it: a first delivery of a known message is a replay, and
    // forms a new batch like any new message.
    const replayed = deliveries.filter((delivery) => delivery.deliveries === 1 && known.has(delivery.seq));
    if (replayed.length > 0) {
      await this.#options.batches.forget(
        this.#consumerKey,
        replayed.map((delivery) => delivery.seq),
      );
      for (const delivery of replayed) known.delete(delivery.seq);
    }
    for (const delivery of deliveries) {
      const batch = known.get(delivery.seq);
      if (!batch) {
        if (this.#pending.length === 0) this.#pendingSince = Date.now();
        if (!this.#pending.some((pending) => pending.seq === delivery.seq)) this.#pending.push(delivery);
      } else if (batch.status === 'done') {
        ack.push(delivery);
      } else if (batch.status === 'failed') {
        const reason = batch.reason ?? `batch ${batch.datum} failed`;
        dead.set(reason, [...(dead.get(reason) ?? []), delivery]);
      } else {
        const entry = this.#inflight.get(batch.datum);
        if (entry) entry.deliveries.push(delivery);
        else await this.#reform(batch.datum, delivery);
      }
    }
    if (ack.length > 0) await consumer.ack(ack);
    for (const [reason, list] of dead) await consumer.deadLetter(list, reason);
  }

  /** Forms again a batch a dead run left open, from its recorded seqs. */
  async #reform(key: string, delivery: Delivery): Promise<void> {
    const seqs = await this.#options.batches.seqs(this.#consumerKey, key);
    const messages = await this.#options.topics.readSeqs(this.input.topic, seqs);
    if (messages.length < seqs.length) {
      this.#options.log(
        `stream '${this.input.name}': batch ${key} is formed again with ${messages.length} of its ${seqs.length} messages; the others are no longer retained`,
      );
    }
    this.#inflight.set(key, { deliveries: [delivery] });
    this.#keys.push(key);
    this.#options.log(
      `stream '${this.input.name}': batch ${key} was left unfinished by an earlier run; running it again`,
    );
    this.#options.onDatum(key, { topic: this.input.topic, messages: messages.map(batchMessage) });
  }

  /** Records the pending messages as a new batch and hands it to the run as a datum. */
  #formBatch(): Promise<void> {
    return this.#exclusive(async () => {
      const batch = this.#pending.sort((a, b) => a.seq - b.seq);
      this.#pending = [];
      if (batch.length === 0) return;
      const seqs = batch.map((delivery) => delivery.seq);
      const key = batchKey(seqs);
      await this.#options.batches.assign(this.#consumerKey, key, seqs, this.#options.runId);
      this.#inflight.set(key, { deliveries: batch });
      this.#keys.push(key);
      this.#options.onDatum(key, { topic: this.input.topic, messages: batch.map(batchMessage) });
    });
  }
}
