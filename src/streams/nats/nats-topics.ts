/**
 * The NATS JetStream topic backend (`SLUICE_NATS_URL`).
 *
 * A topic is a stream with `limits` retention (every group sees every message), its Sluice
 * config kept in the stream description; a group is a durable pull consumer with explicit
 * acks. Message ids dedupe within JetStream's duplicate window (2 minutes, or the topic's
 * max age when shorter). Names and subjects: see `nats-names.ts`; fetch, acks and
 * dead-lettering: see `nats-consumer.ts`.
 *
 * @example
 * const topics = await openNatsTopics({ url: 'nats://127.0.0.1:4222' });
 * await topics.ensure('samples');
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { SluiceError, type Logger } from '../../core/index.js';
import { checkName, encodeMessage, resolveConfig } from '../codec.js';
import type {
  GroupInfo,
  Message,
  ProduceMessage,
  ReadOptions,
  StartPosition,
  TopicConfig,
  TopicInfo,
  Topics,
} from '../topics.js';
import { NatsConsumer } from './nats-consumer.js';
import { NatsContext } from './nats-context.js';
import { GroupCounters } from './nats-counters.js';
import { isConsumerNotFound, isNoResponders, isStreamNotFound, unavailable } from './nats-errors.js';
import { checkStart, createGroup, deleteGroupConsumer, listGroups, readGroup } from './nats-groups.js';
import { toNatsHeaders } from './nats-messages.js';
import { NatsNames } from './nats-names.js';
import { readSeqs, seqAtTime } from './nats-reads.js';
import { ackWaitNanos, topicStreamConfig, toTopicInfo } from './nats-streams.js';

/** Options of {@link openNatsTopics}. */
export interface NatsTopicsOptions {
  /** The NATS server(s), e.g. `nats://127.0.0.1:4222` (comma-separated for several). */
  url: string;
  logger?: Logger;
  /** Namespaces streams (`<PREFIX>_...`) and subjects (`<prefix>.topic...`); default `sluice`. */
  prefix?: string;
}

/**
 * Connects to NATS and returns its topics; `TOPIC_UNAVAILABLE` names the URL when the
 * server cannot be reached or has no JetStream.
 */
export async function openNatsTopics(options: NatsTopicsOptions): Promise<Topics> {
  const names = new NatsNames(options.prefix ?? 'sluice');
  const { url } = options;
  const nc = await connect({
    servers: url.split(',').map((server) => server.trim()),
    name: 'sluice',
    timeout: 5000,
  }).catch((error: unknown) => {
    throw new SluiceError('TOPIC_UNAVAILABLE', `cannot reach NATS at ${url}: ${(error as Error).message}`, {
      cause: error,
    });
  });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    const js = jsm.jetstream();
    const ctx = new NatsContext(url, nc, js, jsm, names, new GroupCounters(js, jsm, names), options.logger);
    options.logger?.debug({ url, prefix: names.prefix }, 'NATS topics opened');
    return new NatsTopics(ctx);
  } catch (error) {
    await nc.close();
    throw new SluiceError(
      'TOPIC_UNAVAILABLE',
      `NATS at ${url} offers no JetStream: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

class NatsTopics implements Topics {
  readonly backend = 'nats';
  readonly #ctx: NatsContext;
  readonly #consumers = new Set<NatsConsumer>();

  constructor(ctx: NatsContext) {
    this.#ctx = ctx;
  }

  async create(name: string, config?: Partial<TopicConfig>): Promise<TopicInfo> {
    checkName(name, 'topic');
    const resolved = resolveConfig(name, config);
    const created =
      (await this.#ctx.findTopicStream(name)) === null
        ? await this.#ctx.addTopicStream(name, resolved)
        : null;
    if (created === null)
      throw new SluiceError('TOPIC_EXISTS', `topic '${name}' already exists`, { details: { topic: name } });
    return toTopicInfo(created, []);
  }

  async ensure(name: string, config?: Partial<TopicConfig>): Promise<TopicInfo> {
    checkName(name, 'topic');
    const resolved = resolveConfig(name, config);
    const existing = await this.#ctx.findTopicStream(name);
    if (existing !== null) return toTopicInfo(existing, await listGroups(this.#ctx, existing));
    const created = await this.#ctx.addTopicStream(name, resolved);
    return created === null ? this.get(name) : toTopicInfo(created, []);
  }

  async get(name: string): Promise<TopicInfo> {
    const stream = await this.#ctx.topicStream(name);
    return toTopicInfo(stream, await listGroups(this.#ctx, stream));
  }

  async list(): Promise<TopicInfo[]> {
    const streams = await this.#ctx.topicStreams();
    return Promise.all(
      streams.map(async (stream) => toTopicInfo(stream, await listGroups(this.#ctx, stream))),
    );
  }

  async update(name: string, config: Partial<TopicConfig>): Promise<TopicInfo> {
    const stream = await this.#ctx.topicStream(name);
    const resolved = resolveConfig(name, config, stream.config);
    const { jsm, names } = this.#ctx;
    await this.#ctx.call(`updating topic '${name}'`, async () => {
      const { description, max_age, max_bytes, duplicate_window } = topicStreamConfig(
        names,
        name,
        resolved,
        stream.createdAt,
      );
      await jsm.streams.update(names.stream(name), { description, max_age, max_bytes, duplicate_window });
      this.#ctx.rememberConfig(name, resolved);
      if (resolved.ackWaitMs !== stream.config.ackWaitMs) {
        for await (const consumer of jsm.consumers.list(names.stream(name))) {
          await jsm.consumers.update(names.stream(name), consumer.name, { ack_wait: ackWaitNanos(resolved) });
        }
      }
    });
    return this.get(name);
  }

  async delete(name: string): Promise<void> {
    const { jsm, names } = this.#ctx;
    const deleted = await this.#ctx.call(`deleting topic '${name}'`, async () => {
      try {
        await jsm.streams.delete(names.stream(name));
      } catch (error) {
        if (isStreamNotFound(error)) return false;
        throw error;
      }
      this.#ctx.rememberConfig(name, null);
      for (const consumer of this.#members(name)) consumer.groupDeleted();
      await this.#ctx.counters.drop(name);
      return true;
    });
    if (!deleted) throw await this.#ctx.topicNotFound(name);
  }

  async produce(topic: string, messages: readonly ProduceMessage[]): Promise<number[]> {
    if (!Array.isArray(messages)) {
      throw new SluiceError('MESSAGE_INVALID', `produce to topic '${topic}': expected an array of messages`);
    }
    const maxPayload = this.#ctx.nc.info?.max_payload ?? Infinity;
    const encoded = messages.map((message, index) => {
      const encodedMessage = encodeMessage(message, index);
      if (encodedMessage.data.length > maxPayload) {
        throw new SluiceError(
          'MESSAGE_INVALID',
          `message ${index}: ${encodedMessage.data.length} bytes exceed the NATS server's max payload of ${maxPayload} bytes`,
        );
      }
      return {
        data: encodedMessage.data,
        headers: toNatsHeaders(encodedMessage, index),
        id: encodedMessage.id,
      };
    });
    if (encoded.length === 0) return [];
    const { js, names } = this.#ctx;
    const subject = names.subject(topic);
    // NOTE: one connection keeps publish order, so the stream stores the messages in order
    // while their acks come back concurrently.
    const acks = await Promise.allSettled(
      encoded.map(({ data, headers, id }) =>
        js.publish(subject, data, id === null ? { headers } : { headers, msgID: id }),
      ),
    );
    const failed = acks.find((ack) => ack.status === 'rejected');
    if (failed !== undefined) {
      if (isNoResponders(failed.reason) && (await this.#ctx.findTopicStream(topic)) === null) {
        throw await this.#ctx.topicNotFound(topic);
      }
      throw unavailable(this.#ctx.url, `producing to topic '${topic}'`, failed.reason);
    }
    return acks.map((ack) => (ack as PromiseFulfilledResult<{ seq: number }>).value.seq);
  }

  async read(topic: string, options: ReadOptions = {}): Promise<Message[]> {
    const { fromSeq, fromTime, limit = 100 } = options;
    if (!Number.isInteger(limit) || limit <= 0) {
      throw new SluiceError(
        'USAGE',
        `read: limit must be a positive integer, found ${JSON.stringify(limit)}`,
      );
    }
    if (fromSeq !== undefined && (!Number.isInteger(fromSeq) || fromSeq < 0)) {
      throw new SluiceError(
        'USAGE',
        `read: fromSeq must be an integer >= 0, found ${JSON.stringify(fromSeq)}`,
      );
    }
    if (fromTime !== undefined && !(fromTime instanceof Date && !Number.isNaN(fromTime.getTime()))) {
      throw new SluiceError('USAGE', `read: fromTime must be a valid Date, found ${String(fromTime)}`);
    }
    const stream = await this.#ctx.topicStream(topic);
    const { messages, first_seq: first, last_seq: last } = stream.info.state;
    if (messages === 0) return [];
    let start = fromSeq ?? first;
    if (fromSeq === undefined && fromTime !== undefined)
      start = await seqAtTime(this.#ctx, topic, fromTime, first, last);
    start = Math.max(start, first);
    const end = Math.min(last, start + limit - 1);
    const seqs: number[] = [];
    for (let seq = start; seq <= end; seq++) seqs.push(seq);
    return readSeqs(this.#ctx, topic, seqs);
  }

  async readSeqs(topic: string, seqs: readonly number[]): Promise<Message[]> {
    for (const seq of seqs) {
      if (!Number.isInteger(seq) || seq <= 0) {
        throw new SluiceError(
          'USAGE',
          `readSeqs: seqs must be positive integers, found ${JSON.stringify(seq)}`,
        );
      }
    }
    // NOTE: a direct get from a stream that does not exist times out rather than failing,
    // so the topic's (cached) config vouches for it first.
    await this.#ctx.topicConfig(topic);
    return readSeqs(this.#ctx, topic, seqs);
  }

  async consumer(
    topic: string,
    group: string,
    options: { start?: StartPosition } = {},
  ): Promise<NatsConsumer> {
    checkName(topic, 'topic');
    checkName(group, 'group');
    const start = options.start ?? 'earliest';
    checkStart(start);
    const { jsm, names } = this.#ctx;
    const exists = await this.#ctx.call(`joining group '${group}' on topic '${topic}'`, async () => {
      try {
        await jsm.consumers.info(names.stream(topic), names.durable(group));
        return true;
      } catch (error) {
        if (isConsumerNotFound(error) || isStreamNotFound(error)) return false;
        throw error;
      }
    });
    if (!exists) await createGroup(this.#ctx, await this.#ctx.topicStream(topic), group, start);
    const consumer = new NatsConsumer(this.#ctx, topic, group, () => this.#consumers.delete(consumer));
    this.#consumers.add(consumer);
    return consumer;
  }

  async groups(topic: string): Promise<GroupInfo[]> {
    return listGroups(this.#ctx, await this.#ctx.topicStream(topic));
  }

  async resetGroup(topic: string, group: string, start: StartPosition): Promise<GroupInfo> {
    checkStart(start);
    const stream = await this.#ctx.topicStream(topic);
    await deleteGroupConsumer(this.#ctx, stream, group);
    await createGroup(this.#ctx, stream, group, start);
    for (const consumer of this.#members(topic, group)) consumer.forgetDeliveries();
    return readGroup(this.#ctx, stream, group);
  }

  async deleteGroup(topic: string, group: string): Promise<void> {
    const stream = await this.#ctx.topicStream(topic);
    await deleteGroupConsumer(this.#ctx, stream, group);
    for (const consumer of this.#members(topic, group)) consumer.groupDeleted();
    await this.#ctx.call(`deleting group '${group}' of topic '${topic}'`, () =>
      this.#ctx.counters.drop(topic, group),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.#consumers].map((consumer) => consumer.close()));
    await this.#ctx.nc.close();
  }

  /** The open members of this instance on `topic` (in `group`). */
  #members(topic: string, group?: string): NatsConsumer[] {
    return [...this.#consumers].filter(
      (consumer) => consumer.topic === topic && (group === undefined || consumer.group === group),
    );
  }
}
