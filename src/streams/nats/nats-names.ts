/**
 * How Sluice names map onto JetStream names: one stream per topic, one durable pull consumer
 * per group, and one counters stream per prefix.
 *
 * Stream and consumer names (and subject tokens) cannot hold `.`, so a `.` in a topic or
 * group name is written `_D_`. Topic and group names never hold upper-case letters, so the
 * encoding is reversible and two names never share a stream.
 *
 * | Sluice                    | JetStream                                        |
 * |---------------------------|--------------------------------------------------|
 * | topic `samples.dlq`       | stream `SLUICE_samples_D_dlq`, subject `sluice.topic.samples_D_dlq` |
 * | group `predictor`         | durable consumer `predictor` of the topic stream |
 * | group counters            | subject `sluice.counters.<topic>.<group>` of stream `SLUICE__COUNTERS` |
 */
import { SluiceError } from '../../core/index.js';

/** A prefix: lower-case letters, digits and `-`, so `<PREFIX>_` always ends at the first `_`. */
const PREFIX = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Writes a topic or group name as one stream/consumer name or subject token. */
export function encodeName(name: string): string {
  return name.replaceAll('.', '_D_');
}

/** The topic or group name {@link encodeName} was given. */
export function decodeName(encoded: string): string {
  return encoded.replaceAll('_D_', '.');
}

/** The JetStream names of one Topics namespace. */
export class NatsNames {
  readonly prefix: string;
  readonly #streamPrefix: string;

  constructor(prefix: string) {
    if (!PREFIX.test(prefix)) {
      throw new SluiceError(
        'USAGE',
        `NATS topic prefix '${prefix}' is invalid: use lower-case letters, digits and '-', starting with a letter or digit (at most 32)`,
      );
    }
    this.prefix = prefix;
    this.#streamPrefix = `${prefix.toUpperCase()}_`;
  }

  /** The stream holding topic `topic`. */
  stream(topic: string): string {
    return `${this.#streamPrefix}${encodeName(topic)}`;
  }

  /** The subject messages of topic `topic` are published on. */
  subject(topic: string): string {
    return `${this.prefix}.topic.${encodeName(topic)}`;
  }

  /** The subject filter matching every topic stream of this prefix. */
  get topicSubjects(): string {
    return `${this.prefix}.topic.*`;
  }

  /** The durable consumer name of group `group`. */
  durable(group: string): string {
    return encodeName(group);
  }

  /** The stream holding the groups' counters (one message per group). */
  get countersStream(): string {
    return `${this.#streamPrefix}_COUNTERS`;
  }

  /** The subject of group `group`'s counters; without `group`, a filter for every group of `topic`. */
  counters(topic: string, group?: string): string {
    return `${this.prefix}.counters.${encodeName(topic)}.${group === undefined ? '*' : encodeName(group)}`;
  }
}
