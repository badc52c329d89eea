/**
 * Per-group counters JetStream does not keep: messages dead-lettered from a group, and
 * redeliveries made to it (JetStream's `num_redelivered` only counts messages still unacked).
 *
 * Each group has one message on subject `<prefix>.counters.<topic>.<group>` of the counters
 * stream (`max_msgs_per_subject: 1`), whose JSON body holds the totals. An increment reads
 * the last message and publishes the new totals expecting that message's sequence, so
 * members of a group in different processes never lose each other's increments.
 *
 * NOTE: an increment follows the act it counts (the dead-letter publish, the fetch); a
 * process that dies between the two leaves the count one act short.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { JetStreamApiError } from '@nats-io/jetstream';
import { isStreamNotFound } from './nats-errors.js';
import type { NatsNames } from './nats-names.js';

/** A group's totals. */
export interface GroupCounts {
  deadLettered: number;
  redelivered: number;
}

const ZERO: GroupCounts = { deadLettered: 0, redelivered: 0 };
/** JetStream's answer when the expected last sequence of a subject is not the last one. */
const WRONG_LAST_SEQUENCE = 10071;
const MAX_ATTEMPTS = 50;

/** The counters of every group of one namespace. */
export class GroupCounters {
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #names: NatsNames;
  #stream: Promise<void> | null = null;

  constructor(js: JetStreamClient, jsm: JetStreamManager, names: NatsNames) {
    this.#js = js;
    this.#jsm = jsm;
    this.#names = names;
  }

  /** Adds `delta` to the counts of `group` on `topic`. */
  async add(topic: string, group: string, delta: Partial<GroupCounts>): Promise<void> {
    await this.#ensureStream();
    const subject = this.#names.counters(topic, group);
    for (let attempt = 0; ; attempt++) {
      const last = await this.#jsm.direct.getMessage(this.#names.countersStream, { last_by_subj: subject });
      const counts = last === null ? ZERO : parseCounts(last.data);
      const next: GroupCounts = {
        deadLettered: counts.deadLettered + (delta.deadLettered ?? 0),
        redelivered: counts.redelivered + (delta.redelivered ?? 0),
      };
      try {
        await this.#js.publish(subject, JSON.stringify(next), {
          expect: { lastSubjectSequence: last?.seq ?? 0 },
        });
        return;
      } catch (error) {
        const raced = error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE;
        if (!raced || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** The counts of each group in `groups` of `topic` (a group that never counted is left out). */
  async read(topic: string, groups: readonly string[]): Promise<Map<string, GroupCounts>> {
    const counts = new Map<string, GroupCounts>();
    // NOTE: a direct get from a stream that does not exist times out rather than failing.
    if (groups.length === 0 || !(await this.#streamExists())) return counts;
    const found = await Promise.all(
      groups.map(async (group) => {
        const last = await this.#jsm.direct.getMessage(this.#names.countersStream, {
          last_by_subj: this.#names.counters(topic, group),
        });
        return last === null ? ZERO : parseCounts(last.data);
      }),
    );
    groups.forEach((group, index) => counts.set(group, found[index] ?? ZERO));
    return counts;
  }

  /** Forgets the counts of `group` of `topic`, or of every group of `topic`. */
  async drop(topic: string, group?: string): Promise<void> {
    try {
      await this.#jsm.streams.purge(this.#names.countersStream, {
        filter: this.#names.counters(topic, group),
      });
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
    }
  }

  async #streamExists(): Promise<boolean> {
    if (this.#stream !== null) return true;
    try {
      await this.#jsm.streams.info(this.#names.countersStream);
      this.#stream = Promise.resolve();
      return true;
    } catch (error) {
      if (isStreamNotFound(error)) return false;
      throw error;
    }
  }

  #ensureStream(): Promise<void> {
    this.#stream ??= this.#createStream().catch((error: unknown) => {
      this.#stream = null;
      throw error;
    });
    return this.#stream;
  }

  async #createStream(): Promise<void> {
    const name = this.#names.countersStream;
    try {
      await this.#jsm.streams.info(name);
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
      await this.#jsm.streams.add({
        name,
        description: 'Sluice consumer group counters',
        subjects: [`${this.#names.prefix}.counters.>`],
        max_msgs_per_subject: 1,
        allow_direct: true,
      });
    }
  }
}

function parseCounts(data: Uint8Array): GroupCounts {
  const parsed = JSON.parse(new TextDecoder().decode(data)) as Partial<GroupCounts>;
  return { deadLettered: parsed.deadLettered ?? 0, redelivered: parsed.redelivered ?? 0 };
}
