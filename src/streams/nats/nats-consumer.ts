/**
 * One member of a consumer group on JetStream: pull requests on the group's durable
 * consumer, acks by sequence number, and the dead-lettering JetStream does not do.
 *
 * A fetch asks JetStream for what is there now (`no_wait`); when nothing is, it waits up to
 * `expiresMs` for one message, then takes whatever else is there. So it returns as soon as
 * messages arrive, and no request of it stays open on the server after it returned.
 *
 * The member keeps the reply subject of each delivery it handed out and not yet settled;
 * ack, nak, extend and term publish to it. Each batch of them ends with one request, whose
 * answer says JetStream processed the whole batch.
 */
import { createInbox, type Msg } from '@nats-io/nats-core';
import { SluiceError } from '../../core/index.js';
import { DEAD_LETTER_HEADERS, type Consumer, type Delivery, type TopicConfig } from '../topics.js';
import type { NatsContext } from './nats-context.js';
import { isConsumerNotFound, isNoResponders, isStreamNotFound, unavailable } from './nats-errors.js';
import { fromDelivered, parseAckSubject, toNatsHeaders } from './nats-messages.js';

/**
 * How long past its own expiry a pull request may go unanswered. JetStream 2.9 does not
 * answer a pull for a consumer or stream that does not exist, so then the member looks.
 */
const PULL_GRACE_MS = 2000;
/** How long to wait for JetStream to confirm a batch of acks. */
const ACK_TIMEOUT_MS = 5000;

const ACK = '+ACK';
const TERM = '+TERM';
const WORKING = '+WPI';

/** A member of group `group` on `topic`; create with `NatsTopics.consumer`. */
export class NatsConsumer implements Consumer {
  readonly topic: string;
  readonly group: string;
  readonly #ctx: NatsContext;
  readonly #nextSubject: string;
  /** The pull requests in flight, by their `finish`. */
  readonly #pulls = new Set<(error?: SluiceError) => void>();
  #gone = false;
  /** Reply subjects of deliveries handed out and not settled, by seq. */
  readonly #held = new Map<number, string>();
  #closed = false;
  readonly #onClose: () => void;

  constructor(ctx: NatsContext, topic: string, group: string, onClose: () => void) {
    this.#ctx = ctx;
    this.topic = topic;
    this.group = group;
    this.#onClose = onClose;
    this.#nextSubject = `$JS.API.CONSUMER.MSG.NEXT.${ctx.names.stream(topic)}.${ctx.names.durable(group)}`;
  }

  async fetch(options: { max: number; expiresMs: number }): Promise<Delivery[]> {
    const { max, expiresMs } = options;
    if (!Number.isInteger(max) || max < 1) {
      throw new SluiceError('USAGE', `fetch: max must be an integer >= 1, found ${JSON.stringify(max)}`);
    }
    if (typeof expiresMs !== 'number' || Number.isNaN(expiresMs)) {
      throw new SluiceError('USAGE', `fetch: expiresMs must be a number, found ${JSON.stringify(expiresMs)}`);
    }
    if (this.#gone) throw this.#groupGone();
    const deadline = Date.now() + Math.max(0, expiresMs);
    for (;;) {
      let messages = await this.#request(max, 0);
      if (messages.length === 0) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) return [];
        messages = await this.#request(1, remaining);
        if (messages.length === 0) return [];
        // NOTE: the delivery says how many messages are left; none left spares a round trip.
        const left = parseAckSubject(messages[0]?.reply ?? '')?.pending ?? 1;
        if (max > 1 && left > 0) messages.push(...(await this.#request(max - 1, 0)));
      }
      const deliveries = await this.#sift(messages);
      if (deliveries.length > 0 || Date.now() >= deadline) return deliveries;
    }
  }

  async ack(messages: readonly Pick<Delivery, 'seq'>[]): Promise<void> {
    await this.#settle(messages, ACK, true);
  }

  async nak(messages: readonly Pick<Delivery, 'seq'>[], delayMs = 0): Promise<void> {
    if (typeof delayMs !== 'number' || !(delayMs >= 0)) {
      throw new SluiceError('USAGE', `nak: delayMs must be a number >= 0, found ${JSON.stringify(delayMs)}`);
    }
    await this.#settle(
      messages,
      delayMs > 0 ? `-NAK ${JSON.stringify({ delay: Math.round(delayMs * 1e6) })}` : '-NAK',
      true,
    );
  }

  async deadLetter(messages: readonly Delivery[], reason: string): Promise<void> {
    const held = messages.filter((message) => this.#held.has(message.seq));
    if (held.length === 0) return;
    await this.#deadLetter(held, reason, await this.#ctx.topicConfig(this.topic));
    await this.#settle(held, TERM, true);
    await this.#count({ deadLettered: held.length });
  }

  async extend(messages: readonly Pick<Delivery, 'seq'>[]): Promise<void> {
    await this.#settle(messages, WORKING, false);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const finish of this.#pulls) finish();
    this.#onClose();
  }

  /** Forgets the deliveries handed out: the group was reset, so acking them means nothing. */
  forgetDeliveries(): void {
    this.#held.clear();
  }

  /** Marks the group deleted: fetches fail from now on. */
  groupDeleted(): void {
    this.#gone = true;
    this.#held.clear();
  }

  /** {@link #pull}, saying what is wrong when JetStream does not answer. */
  async #request(batch: number, waitMs: number): Promise<Msg[]> {
    const messages = await this.#pull(batch, waitMs);
    if (messages !== null) return messages;
    const { jsm, names } = this.#ctx;
    try {
      await jsm.consumers.info(names.stream(this.topic), names.durable(this.group));
    } catch (error) {
      if (isStreamNotFound(error)) throw await this.#ctx.topicNotFound(this.topic);
      if (isConsumerNotFound(error)) throw this.#groupGone();
      throw unavailable(this.#ctx.url, `fetching for group '${this.group}' on topic '${this.topic}'`, error);
    }
    throw new SluiceError(
      'TOPIC_UNAVAILABLE',
      `NATS at ${this.#ctx.url}: no answer to a fetch of group '${this.group}' on topic '${this.topic}' within ${waitMs + PULL_GRACE_MS} ms`,
    );
  }

  /**
   * Sends one pull request for up to `batch` messages (`no_wait` when `waitMs` is 0) on an
   * inbox of its own: deliveries carry their stream subject, so only the subscription tells
   * which request they answer.
   */
  #pull(batch: number, waitMs: number): Promise<Msg[] | null> {
    if (this.#closed) {
      return Promise.reject(
        new SluiceError('USAGE', `the consumer of group '${this.group}' on topic '${this.topic}' is closed`),
      );
    }
    const inbox = createInbox();
    return new Promise<Msg[] | null>((resolve, reject) => {
      const messages: Msg[] = [];
      /** Ends the request: `error` fails it, `answered: false` says the server never answered. */
      const finish = (error?: SluiceError, answered = true) => {
        clearTimeout(timer);
        subscription.unsubscribe();
        this.#pulls.delete(finish);
        if (messages.length > 0) resolve(messages);
        else if (error !== undefined) reject(error);
        else resolve(answered ? messages : null);
      };
      const subscription = this.#ctx.nc.subscribe(inbox, {
        callback: (_error, msg) => {
          if (msg.reply) {
            messages.push(msg);
            if (messages.length >= batch) finish();
            return;
          }
          const code = msg.headers?.code ?? 0;
          if (code === 100) return;
          // 503: nobody serves the durable, so the group (or the topic) is gone.
          if (code === 503) finish(this.#groupGone());
          // 404 no messages, 408 request expired, 409 consumer deleted: the request is over.
          else finish();
        },
      });
      const timer = setTimeout(() => finish(undefined, false), waitMs + PULL_GRACE_MS);
      this.#pulls.add(finish);
      const request =
        waitMs > 0 ? { batch, expires: Math.ceil(waitMs) * 1_000_000 } : { batch, no_wait: true };
      this.#ctx.nc.publish(this.#nextSubject, JSON.stringify(request), { reply: inbox });
    });
  }

  #groupGone(): SluiceError {
    return new SluiceError(
      'TOPIC_GROUP_NOT_FOUND',
      `topic '${this.topic}' has no consumer group '${this.group}'`,
      { details: { topic: this.topic, group: this.group } },
    );
  }

  /** Deliveries from pulled messages; those beyond `maxDeliveries` are dead-lettered instead. */
  async #sift(messages: Msg[]): Promise<Delivery[]> {
    let config = await this.#ctx.topicConfig(this.topic);
    const parsed = messages.flatMap((msg) => {
      const ack = parseAckSubject(msg.reply ?? '');
      if (ack === null) {
        this.#ctx.logger?.warn(
          { subject: msg.subject, reply: msg.reply },
          'ignoring a JetStream delivery without an ack subject',
        );
        return [];
      }
      this.#held.set(ack.seq, msg.reply ?? '');
      return [{ ...fromDelivered(this.topic, msg, ack), deliveries: ack.deliveries }];
    });
    if (parsed.some((delivery) => delivery.deliveries > config.maxDeliveries)) {
      config = await this.#ctx.topicConfig(this.topic, true);
    }
    const exhausted = parsed.filter((delivery) => delivery.deliveries > config.maxDeliveries);
    const deliveries = parsed.filter((delivery) => delivery.deliveries <= config.maxDeliveries);
    const redelivered = deliveries.filter((delivery) => delivery.deliveries > 1).length;
    if (exhausted.length > 0) {
      const reason = `no ack after ${config.maxDeliveries} deliveries`;
      // NOTE: the delivery that would exceed the limit never reaches a member: the message
      // was delivered `deliveries - 1` times, as the embedded backend counts.
      await this.#deadLetter(
        exhausted.map((delivery) => ({ ...delivery, deliveries: delivery.deliveries - 1 })),
        reason,
        config,
      );
      await this.#settle(exhausted, TERM, true);
    }
    if (exhausted.length > 0 || redelivered > 0)
      await this.#count({ deadLettered: exhausted.length, redelivered });
    return deliveries;
  }

  /** Publishes `messages` to the topic's dead-letter topic (unless it has none: then they are dropped). */
  async #deadLetter(messages: readonly Delivery[], reason: string, config: TopicConfig): Promise<void> {
    const target = config.deadLetter;
    if (target === null) return;
    const { js, names } = this.#ctx;
    const publishAll = () =>
      Promise.all(
        messages.map((message, index) => {
          const headers = toNatsHeaders(
            {
              key: message.key,
              data: message.data,
              id: null,
              headers: {
                ...message.headers,
                [DEAD_LETTER_HEADERS.topic]: this.topic,
                [DEAD_LETTER_HEADERS.seq]: String(message.seq),
                [DEAD_LETTER_HEADERS.group]: this.group,
                [DEAD_LETTER_HEADERS.reason]: reason,
                [DEAD_LETTER_HEADERS.deliveries]: String(message.deliveries),
              },
            },
            index,
          );
          return js.publish(names.subject(target), message.data, { headers });
        }),
      );
    await this.#ctx.call(`dead-lettering to topic '${target}'`, async () => {
      await this.#ctx.ensureDeadLetterTopic(target);
      try {
        await publishAll();
      } catch (error) {
        if (!isNoResponders(error)) throw error;
        // The dead-letter topic was deleted since we last saw it: create it again.
        this.#ctx.rememberConfig(target, null);
        await this.#ctx.ensureDeadLetterTopic(target);
        await publishAll();
      }
    });
  }

  /** Publishes `payload` to the reply subject of each held delivery in `messages`. */
  async #settle(messages: readonly Pick<Delivery, 'seq'>[], payload: string, forget: boolean): Promise<void> {
    const replies: string[] = [];
    for (const { seq } of messages) {
      const reply = this.#held.get(seq);
      if (reply === undefined) continue;
      replies.push(reply);
      if (forget) this.#held.delete(seq);
    }
    const last = replies.pop();
    if (last === undefined) return;
    const { nc } = this.#ctx;
    for (const reply of replies) nc.publish(reply, payload);
    try {
      // NOTE: JetStream handles a consumer's acks in order, so its answer to the last one
      // confirms them all.
      await nc.request(last, payload, { timeout: ACK_TIMEOUT_MS });
    } catch (error) {
      // The group was reset or deleted: its old deliveries are void anyway.
      if (isNoResponders(error)) return;
      throw new SluiceError(
        'TOPIC_UNAVAILABLE',
        `NATS at ${this.#ctx.url}: settling messages of group '${this.group}' on topic '${this.topic}' failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async #count(delta: { deadLettered?: number; redelivered?: number }): Promise<void> {
    await this.#ctx.call(`counting for group '${this.group}' on topic '${this.topic}'`, () =>
      this.#ctx.counters.add(this.topic, this.group, delta),
    );
  }
}
