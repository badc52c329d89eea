/**
 * What the topics and consumers of one NATS connection share: the connection, the
 * JetStream clients, names, counters, and the topic-stream operations both need (a
 * consumer creates the dead-letter topic on first use).
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { SluiceError, type Logger } from '../../core/index.js';
import { resolveConfig } from '../codec.js';
import type { TopicConfig } from '../topics.js';
import type { GroupCounters } from './nats-counters.js';
import { isNameInUse, isStreamNotFound, unavailable } from './nats-errors.js';
import type { NatsNames } from './nats-names.js';
import { readTopicStream, topicStreamConfig, type TopicStream } from './nats-streams.js';

/** How long a consumer trusts the topic config it read before reading it again. */
const CONFIG_TTL_MS = 1000;

/** The shared state of one `openNatsTopics` instance. */
export class NatsContext {
  readonly #configs = new Map<string, { config: TopicConfig; at: number }>();

  constructor(
    readonly url: string,
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly names: NatsNames,
    readonly counters: GroupCounters,
    readonly logger: Logger | undefined,
  ) {}

  /** Runs a NATS call; failures other than SluiceErrors become `TOPIC_UNAVAILABLE` naming `what`. */
  async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw unavailable(this.url, what, error);
    }
  }

  /** The stream of topic `topic`; `TOPIC_NOT_FOUND` names the topics that exist. */
  async topicStream(topic: string): Promise<TopicStream> {
    const found = await this.findTopicStream(topic);
    if (found === null) throw await this.topicNotFound(topic);
    return found;
  }

  /** The stream of topic `topic`, or `null`. */
  async findTopicStream(topic: string): Promise<TopicStream | null> {
    return this.call(`reading topic '${topic}'`, async () => {
      try {
        const stream = readTopicStream(await this.jsm.streams.info(this.names.stream(topic)));
        if (stream !== null) this.#configs.set(topic, { config: stream.config, at: Date.now() });
        return stream;
      } catch (error) {
        if (isStreamNotFound(error)) return null;
        throw error;
      }
    });
  }

  /** Every topic stream of this namespace, by topic name. */
  async topicStreams(): Promise<TopicStream[]> {
    return this.call('listing topics', async () => {
      const streams: TopicStream[] = [];
      for await (const info of this.jsm.streams.list(this.names.topicSubjects)) {
        const stream = readTopicStream(info);
        if (stream !== null) streams.push(stream);
      }
      return streams.sort((a, b) => a.name.localeCompare(b.name));
    });
  }

  /** `TOPIC_NOT_FOUND` for `topic`, naming the topics that exist. */
  async topicNotFound(topic: string): Promise<SluiceError> {
    const names = (await this.topicStreams()).map((stream) => stream.name);
    const existing = names.join(', ') || '(none; create one with `sluice topic create NAME`)';
    return new SluiceError('TOPIC_NOT_FOUND', `topic '${topic}' does not exist; topics: ${existing}`, {
      details: { topic, topics: names },
    });
  }

  /**
   * Creates the stream of topic `name`; `null` when a stream of that name exists (created
   * before, or by another process just now).
   */
  async addTopicStream(name: string, config: TopicConfig): Promise<TopicStream | null> {
    return this.call(`creating topic '${name}'`, async () => {
      try {
        const info = await this.jsm.streams.add(topicStreamConfig(this.names, name, config, new Date()));
        const stream = readTopicStream(info);
        if (stream !== null) this.#configs.set(name, { config: stream.config, at: Date.now() });
        return stream;
      } catch (error) {
        if (isNameInUse(error)) return null;
        throw error;
      }
    });
  }

  /** Creates dead-letter topic `name` unless it exists (it has no dead-letter topic of its own). */
  async ensureDeadLetterTopic(name: string): Promise<void> {
    if (this.#configs.has(name)) return;
    if ((await this.findTopicStream(name)) !== null) return;
    await this.addTopicStream(name, resolveConfig(name, { deadLetter: null }));
  }

  /** Remembers the current config of `topic`, as just written. */
  rememberConfig(topic: string, config: TopicConfig | null): void {
    if (config === null) this.#configs.delete(topic);
    else this.#configs.set(topic, { config, at: Date.now() });
  }

  /** The config of `topic`, as read at most a second ago (or now, with `fresh`). */
  async topicConfig(topic: string, fresh = false): Promise<TopicConfig> {
    const cached = this.#configs.get(topic);
    if (!fresh && cached !== undefined && Date.now() - cached.at < CONFIG_TTL_MS) return cached.config;
    return (await this.topicStream(topic)).config;
  }
}
