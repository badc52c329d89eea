/**
 * Topics: append-only streams with consumer groups, explicit acks and redelivery.
 *
 * One interface, two backends: embedded (tables in the metadata store, the default) and
 * NATS JetStream (`SLUICE_NATS_URL`). Both pass `topics.case.ts`.
 *
 * - Every message of a topic has a sequence number (`seq`, 1, 2, 3... per topic, never
 *   reused), a publish time, an optional key, headers and bytes.
 * - A consumer group sees every message of its topic; each message goes to one member of
 *   the group at a time. A delivered message is pending until acked. A message not acked
 *   within `ackWaitMs` (or nak'ed) is delivered again; the delivery that would exceed
 *   `maxDeliveries` moves it to the dead-letter topic instead, and the group acks it there.
 * - Replay: a group can be created at, or reset to, a sequence number or a time.
 * - Retention drops the oldest messages beyond `maxAgeMs` or `maxBytes`, whether acked or not.
 *
 * @example
 * const topics = await openTopics({ store });
 * await topics.ensure('samples');
 * await topics.produce('samples', [{ value: { label: 3 } }]);
 * const consumer = await topics.consumer('samples', 'predictor');
 * const batch = await consumer.fetch({ max: 64, expiresMs: 1000 });
 * await consumer.ack(batch);
 */

/** Topic and group names: lowercase letters, digits, `-`, `_` and `.`; starting with a letter or digit. */
export const TOPIC_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/** How a topic keeps and delivers its messages. */
export interface TopicConfig {
  /** Drop messages older than this many ms; `null`: keep forever. */
  maxAgeMs: number | null;
  /** Keep at most this many bytes of message data, dropping the oldest; `null`: no limit. */
  maxBytes: number | null;
  /** Deliveries of one message to a group before it is dead-lettered (default 5). */
  maxDeliveries: number;
  /** How long a delivered message waits for its ack before it is delivered again (default 30 s). */
  ackWaitMs: number;
  /** Where messages that ran out of deliveries go (default `<name>.dlq`); `null`: dropped. */
  deadLetter: string | null;
}

export const DEFAULT_TOPIC_CONFIG: Omit<TopicConfig, 'deadLetter'> = {
  maxAgeMs: null,
  maxBytes: null,
  maxDeliveries: 5,
  ackWaitMs: 30_000,
};

/** A message to produce. */
export interface ProduceMessage {
  /** A key users filter or partition by; shown by the CLI and UI. */
  key?: string;
  /**
   * The payload: bytes as they are; anything else is encoded as JSON (and decoded again
   * by {@link messageValue}).
   */
  value: unknown;
  headers?: Record<string, string>;
  /**
   * An idempotency id: a second produce with the same id is dropped (the embedded backend
   * remembers ids while the message is retained; JetStream within its duplicate window).
   */
  id?: string;
}

/** A stored message. */
export interface Message {
  topic: string;
  seq: number;
  key: string | null;
  /** The payload; `headers['content-type']` says how it is encoded. */
  data: Uint8Array;
  headers: Record<string, string>;
  time: Date;
}

/** A message delivered to a consumer group member. */
export interface Delivery extends Message {
  /** 1 on the first delivery to this group, 2 on the first redelivery... */
  deliveries: number;
}

/** Where a new group starts reading (or where a reset moves it). */
export type StartPosition = 'earliest' | 'latest' | { seq: number } | { time: Date };

/** A consumer group's progress on its topic. */
export interface GroupInfo {
  topic: string;
  name: string;
  /** Messages not yet delivered to the group. */
  pending: number;
  /** Messages delivered and waiting for their ack. */
  unacked: number;
  /** `pending + unacked`: how far the group is behind the topic's end. */
  lag: number;
  /** Every message at or below this seq is acked (or dead-lettered). */
  ackFloor: number;
  /** The highest seq delivered to the group so far. */
  delivered: number;
  /** Redeliveries made so far (deliveries beyond each message's first). */
  redelivered: number;
  /** Messages moved to the dead-letter topic from this group. */
  deadLettered: number;
}

/** A topic with its current extent. */
export interface TopicInfo {
  name: string;
  config: TopicConfig;
  /** Messages retained now. */
  messages: number;
  /** Bytes of message data retained now. */
  bytes: number;
  /** The oldest retained seq (0 when empty). */
  firstSeq: number;
  /** The newest seq ever produced (0 when none). */
  lastSeq: number;
  createdAt: Date;
  /** When the newest message was produced; `null` when none. */
  lastProducedAt: Date | null;
  groups: GroupInfo[];
}

/** Options of {@link Topics.read}. */
export interface ReadOptions {
  /** First seq to read (default: the oldest retained). */
  fromSeq?: number;
  /** First publish time to read, when `fromSeq` is not given. */
  fromTime?: Date;
  /** At most this many messages (default 100). */
  limit?: number;
}

/** One member of a consumer group. */
export interface Consumer {
  readonly topic: string;
  readonly group: string;
  /**
   * Up to `max` messages for this member: redeliveries due first, then new messages in
   * seq order. Waits up to `expiresMs` for the first one; returns `[]` when none came.
   * Messages that would exceed `maxDeliveries` are dead-lettered instead of returned.
   */
  fetch(options: { max: number; expiresMs: number }): Promise<Delivery[]>;
  /** Acknowledges messages: they are never delivered to this group again. */
  ack(messages: readonly Pick<Delivery, 'seq'>[]): Promise<void>;
  /** Gives messages back for redelivery, after `delayMs` (default at once). */
  nak(messages: readonly Pick<Delivery, 'seq'>[], delayMs?: number): Promise<void>;
  /** Moves messages to the dead-letter topic now (a poison message), recording `reason`. */
  deadLetter(messages: readonly Delivery[], reason: string): Promise<void>;
  /** Restarts the ack deadline of messages still being worked on. */
  extend(messages: readonly Pick<Delivery, 'seq'>[]): Promise<void>;
  /** Leaves the group; un-acked messages are redelivered to other members after their deadline. */
  close(): Promise<void>;
}

/** A topic backend. */
export interface Topics {
  /** `embedded` or `nats`. */
  readonly backend: string;
  /** Creates a topic; `TOPIC_EXISTS` when it exists. */
  create(name: string, config?: Partial<TopicConfig>): Promise<TopicInfo>;
  /** Creates a topic unless it exists (an existing topic keeps its config). */
  ensure(name: string, config?: Partial<TopicConfig>): Promise<TopicInfo>;
  /** One topic; `TOPIC_NOT_FOUND` names the topics that exist. */
  get(name: string): Promise<TopicInfo>;
  list(): Promise<TopicInfo[]>;
  /** Changes a topic's config; retention applies at once. */
  update(name: string, config: Partial<TopicConfig>): Promise<TopicInfo>;
  /** Deletes a topic with its messages and groups. */
  delete(name: string): Promise<void>;
  /**
   * Appends messages in order, durably, and returns their seqs (a duplicate `id` returns
   * the seq of the message it duplicates). The topic must exist.
   */
  produce(topic: string, messages: readonly ProduceMessage[]): Promise<number[]>;
  /** Retained messages in seq order, without a group. */
  read(topic: string, options?: ReadOptions): Promise<Message[]>;
  /** Retained messages by seq, in the order asked; a seq no longer retained is left out. */
  readSeqs(topic: string, seqs: readonly number[]): Promise<Message[]>;
  /** Joins consumer group `group`, creating it at `start` (default `earliest`) if new. */
  consumer(topic: string, group: string, options?: { start?: StartPosition }): Promise<Consumer>;
  /** The groups of a topic with their lag. */
  groups(topic: string): Promise<GroupInfo[]>;
  /** Moves a group to `start` (replay); its pending deliveries are forgotten. */
  resetGroup(topic: string, group: string, start: StartPosition): Promise<GroupInfo>;
  deleteGroup(topic: string, group: string): Promise<void>;
  close(): Promise<void>;
}

/** Headers a dead-lettered message carries, besides its own. */
export const DEAD_LETTER_HEADERS = {
  topic: 'sluice-dead-letter-topic',
  seq: 'sluice-dead-letter-seq',
  group: 'sluice-dead-letter-group',
  reason: 'sluice-dead-letter-reason',
  deliveries: 'sluice-dead-letter-deliveries',
} as const;
