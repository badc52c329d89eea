/**
 * The JetStream form of topics and groups: the stream config a topic compiles to, the
 * Sluice facts kept in the stream's description (JetStream 2.9 has no stream metadata),
 * and topic and group info read back from stream and consumer info.
 */
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerInfo,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import type { GroupCounts } from './nats-counters.js';
import { decodeName, type NatsNames } from './nats-names.js';
import type { GroupInfo, TopicConfig, TopicInfo } from '../topics.js';

/** How long JetStream remembers produce ids (`Nats-Msg-Id`) to drop duplicates. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

/** What the description of a topic stream holds. */
interface TopicDescription {
  topic: string;
  config: TopicConfig;
  createdAt: string;
}

/** A topic stream as Sluice reads it. */
export interface TopicStream {
  name: string;
  config: TopicConfig;
  createdAt: Date;
  info: StreamInfo;
}

const nanos = (ms: number): number => ms * 1_000_000;

/** The stream config of topic `name`. */
export function topicStreamConfig(
  names: NatsNames,
  name: string,
  config: TopicConfig,
  createdAt: Date,
): Partial<StreamConfig> & { name: string } {
  const description: TopicDescription = { topic: name, config, createdAt: createdAt.toISOString() };
  return {
    name: names.stream(name),
    description: JSON.stringify(description),
    subjects: [names.subject(name)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: config.maxAgeMs === null ? 0 : nanos(config.maxAgeMs),
    max_bytes: config.maxBytes ?? -1,
    // NOTE: JetStream refuses a duplicate window longer than the max age.
    duplicate_window: nanos(Math.min(DUPLICATE_WINDOW_MS, config.maxAgeMs ?? DUPLICATE_WINDOW_MS)),
    allow_direct: true,
  };
}

/** The topic a stream holds; `null` for a stream Sluice did not create. */
export function readTopicStream(info: StreamInfo): TopicStream | null {
  try {
    const parsed = JSON.parse(info.config.description ?? '') as Partial<TopicDescription>;
    if (typeof parsed.topic !== 'string' || typeof parsed.config !== 'object' || parsed.config === null)
      return null;
    return {
      name: parsed.topic,
      config: parsed.config,
      createdAt: new Date(parsed.createdAt ?? info.created),
      info,
    };
  } catch {
    return null;
  }
}

/** Topic info from its stream and its groups. */
export function toTopicInfo(stream: TopicStream, groups: GroupInfo[]): TopicInfo {
  const { state } = stream.info;
  return {
    name: stream.name,
    config: stream.config,
    messages: state.messages,
    bytes: state.bytes,
    firstSeq: state.messages > 0 ? state.first_seq : 0,
    lastSeq: state.last_seq,
    createdAt: stream.createdAt,
    lastProducedAt: state.last_seq > 0 ? new Date(state.last_ts) : null,
    groups,
  };
}

/** The consumer config of a new group starting after `startAfter` (0: at the oldest message). */
export function groupConsumerConfig(
  names: NatsNames,
  group: string,
  config: TopicConfig,
  startAfter: number,
): Partial<ConsumerConfig> {
  return {
    durable_name: names.durable(group),
    description: `Sluice consumer group '${group}'`,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(config.ackWaitMs),
    // NOTE: Sluice dead-letters the delivery beyond maxDeliveries itself, so JetStream
    // redelivers without limit; a member that dies mid-dead-letter loses nothing.
    max_deliver: -1,
    max_ack_pending: -1,
    ...(startAfter === 0
      ? { deliver_policy: DeliverPolicy.All }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startAfter + 1 }),
  };
}

/** The ack wait a topic config asks of its group consumers, in JetStream's nanoseconds. */
export function ackWaitNanos(config: TopicConfig): number {
  return nanos(config.ackWaitMs);
}

/** Group info from its consumer info and counters. */
export function toGroupInfo(topic: string, info: ConsumerInfo, counts: GroupCounts): GroupInfo {
  // NOTE: JetStream reports an ack floor of 0 until the first ack; the group starts after
  // `opt_start_seq - 1`, which is acked as far as the group is concerned.
  const startAfter = (info.config.opt_start_seq ?? 1) - 1;
  const pending = info.num_pending;
  const unacked = info.num_ack_pending;
  return {
    topic,
    name: decodeName(info.name),
    pending,
    unacked,
    lag: pending + unacked,
    ackFloor: Math.max(info.ack_floor.stream_seq, startAfter),
    delivered: Math.max(info.delivered.stream_seq, startAfter),
    redelivered: counts.redelivered,
    deadLettered: counts.deadLettered,
  };
}
