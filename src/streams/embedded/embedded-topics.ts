/**
 * The embedded topic backend: topics as tables in the metadata store (migration 6), the
 * default of `sluice dev`.
 *
 * - A topic row holds its config and `last_seq`; messages are rows keyed by (topic, seq).
 * - A group's `cursor` is the highest seq handed out. A fetch takes due redeliveries first,
 *   then messages above the cursor, and records each in `topic_pending` with a deadline;
 *   an ack deletes the pending row. The ack floor is just below the lowest pending seq.
 * - The store has one owning process, so fetches of one group are serialised in memory
 *   (no message is handed to two members), and waiting fetches are woken in memory by
 *   produce, by the next redelivery deadline, or by their expiry — never by polling.
 */
import { SluiceError, type Logger } from '../../core/index.js';
import type { SqlClient } from '../../store/index.js';
import { checkName, encodeMessage, resolveConfig, type EncodedMessage } from '../codec.js';
import {
  DEAD_LETTER_HEADERS,
  type Consumer,
  type Delivery,
  type GroupInfo,
  type Message,
  type ProduceMessage,
  type ReadOptions,
  type StartPosition,
  type TopicConfig,
  type TopicInfo,
  type Topics,
} from '../topics.js';

/** How often age-based retention runs besides on produce. */
const RETENTION_INTERVAL_MS = 1000;

interface MessageRow {
  seq: number | string;
  msg_key: string | null;
  data: Uint8Array;
  headers: Record<string, string>;
  time: Date | string;
}

function toMessage(topic: string, row: MessageRow): Message {
  return {
    topic,
    seq: Number(row.seq),
    key: row.msg_key,
    data: row.data instanceof Uint8Array ? row.data : new Uint8Array(row.data),
    headers: row.headers,
    time: new Date(row.time),
  };
}

/** Runs tasks with the same key one after another. */
class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}

/** Creates the embedded backend over the metadata store's SQL connection. */
export async function createEmbeddedTopics(
  sql: SqlClient,
  options: { logger?: Logger } = {},
): Promise<Topics> {
  const topics = new EmbeddedTopics(sql, options.logger);
  await topics.applyRetention();
  return topics;
}

class EmbeddedTopics implements Topics {
  readonly backend = 'embedded';
  readonly #sql: SqlClient;
  readonly #logger: Logger | undefined;
  readonly #queue = new KeyedQueue();
  /** Fetches waiting for a topic, woken by produce. */
  readonly #waiting = new Map<string, Set<() => void>>();
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(sql: SqlClient, logger?: Logger) {
    this.#sql = sql;
    this.#logger = logger;
    this.#timer = setInterval(() => {
      this.applyRetention().catch((error: unknown) =>
        this.#logger?.warn({ err: error }, 'topic retention failed'),
      );
    }, RETENTION_INTERVAL_MS);
    this.#timer.unref();
  }

  async create(name: string, config: Partial<TopicConfig> = {}): Promise<TopicInfo> {
    checkName(name, 'topic');
    const resolved = resolveConfig(name, config);
    const { rows } = await this.#sql.query(
      `INSERT INTO topics (name, config, created_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (name) DO NOTHING RETURNING name`,
      [name, JSON.stringify(resolved)],
    );
    if (rows.length === 0) throw new SluiceError('TOPIC_EXISTS', `topic '${name}' already exists`);
    return this.get(name);
  }

  async ensure(name: string, config: Partial<TopicConfig> = {}): Promise<TopicInfo> {
    checkName(name, 'topic');
    await this.#sql.query(
      `INSERT INTO topics (name, config, created_at) VALUES ($1, $2::jsonb, now()) ON CONFLICT (name) DO NOTHING`,
      [name, JSON.stringify(resolveConfig(name, config))],
    );
    return this.get(name);
  }

  async get(name: string): Promise<TopicInfo> {
    const [info] = await this.#infos(name);
    if (!info) await this.#missing(name);
    return info as TopicInfo;
  }

  list(): Promise<TopicInfo[]> {
    return this.#infos();
  }

  async update(name: string, config: Partial<TopicConfig>): Promise<TopicInfo> {
    const current = await this.get(name);
    const resolved = resolveConfig(name, config, current.config);
    await this.#sql.query('UPDATE topics SET config = $2::jsonb WHERE name = $1', [
      name,
      JSON.stringify(resolved),
    ]);
    await this.#retain(name, resolved);
    return this.get(name);
  }

  async delete(name: string): Promise<void> {
    await this.#mustExist(name);
    await this.#sql.transaction(async (tx) => {
      for (const table of ['topic_pending', 'topic_groups', 'topic_messages']) {
        await tx.query(`DELETE FROM ${table} WHERE topic = $1`, [name]);
      }
      await tx.query('DELETE FROM topics WHERE name = $1', [name]);
    });
    this.#wake(name);
  }

  async produce(topic: string, messages: readonly ProduceMessage[]): Promise<number[]> {
    const encoded = messages.map((message, index) => encodeMessage(message, index));
    return this.#produceEncoded(topic, encoded);
  }

  #produceEncoded(topic: string, encoded: EncodedMessage[]): Promise<number[]> {
    if (encoded.length === 0) return Promise.resolve([]);
    return this.#queue.run(`produce:${topic}`, async () => {
      const seqs = await this.#sql.transaction(async (tx) => {
        const { rows } = await tx.query<{ last_seq: number | string; config: TopicConfig }>(
          'SELECT last_seq, config FROM topics WHERE name = $1 FOR UPDATE',
          [topic],
        );
        const row = rows[0];
        if (!row) return undefined;
        // Idempotent ids: a known id returns the seq it has; repeats within the batch too.
        const ids = encoded.flatMap((message) => (message.id === null ? [] : [message.id]));
        const known = new Map<string, number>();
        if (ids.length > 0) {
          const found = await tx.query<{ msg_id: string; seq: number | string }>(
            'SELECT msg_id, seq FROM topic_messages WHERE topic = $1 AND msg_id = ANY($2::text[])',
            [topic, ids],
          );
          for (const item of found.rows) known.set(item.msg_id, Number(item.seq));
        }
        let last = Number(row.last_seq);
        const seqs: number[] = [];
        const fresh: {
          seq: number;
          key: string | null;
          data: string;
          headers: Record<string, string>;
          id: string | null;
        }[] = [];
        for (const message of encoded) {
          const seen = message.id === null ? undefined : known.get(message.id);
          if (seen !== undefined) {
            seqs.push(seen);
            continue;
          }
          last += 1;
          if (message.id !== null) known.set(message.id, last);
          seqs.push(last);
          fresh.push({
            seq: last,
            key: message.key,
            data: Buffer.from(message.data).toString('base64'),
            headers: message.headers,
            id: message.id,
          });
        }
        if (fresh.length > 0) {
          await tx.query(
            `INSERT INTO topic_messages (topic, seq, msg_key, data, headers, msg_id, time)
             SELECT $1, r.seq, r.key, decode(r.data, 'base64'), r.headers, r.id, clock_timestamp()
             FROM json_to_recordset($2::json) AS r(seq bigint, key text, data text, headers jsonb, id text)`,
            [topic, JSON.stringify(fresh)],
          );
          await tx.query(
            'UPDATE topics SET last_seq = $2, last_produced_at = clock_timestamp() WHERE name = $1',
            [topic, last],
          );
        }
        return { seqs, config: row.config, added: fresh.length };
      });
      if (!seqs) return this.#missing(topic);
      if (seqs.added > 0) {
        if (seqs.config.maxBytes !== null || seqs.config.maxAgeMs !== null)
          await this.#retain(topic, seqs.config);
        this.#wake(topic);
      }
      return seqs.seqs;
    });
  }

  async read(topic: string, options: ReadOptions = {}): Promise<Message[]> {
    await this.#mustExist(topic);
    const limit = options.limit ?? 100;
    const params: unknown[] = [topic, limit];
    let where = '';
    if (options.fromSeq !== undefined) {
      params.push(options.fromSeq);
      where = 'AND seq >= $3';
    } else if (options.fromTime !== undefined) {
      params.push(options.fromTime);
      where = 'AND time >= $3';
    }
    const { rows } = await this.#sql.query<MessageRow>(
      `SELECT seq, msg_key, data, headers, time FROM topic_messages WHERE topic = $1 ${where} ORDER BY seq LIMIT $2`,
      params,
    );
    return rows.map((row) => toMessage(topic, row));
  }

  async readSeqs(topic: string, seqs: readonly number[]): Promise<Message[]> {
    await this.#mustExist(topic);
    const rows = await this.#messages(this.#sql, topic, seqs);
    return seqs.flatMap((seq) => {
      const message = rows.get(seq);
      return message ? [message] : [];
    });
  }

  async consumer(topic: string, group: string, options: { start?: StartPosition } = {}): Promise<Consumer> {
    checkName(group, 'group');
    await this.#mustExist(topic);
    const cursor = await this.#cursorFor(topic, options.start ?? 'earliest');
    await this.#sql.query(
      `INSERT INTO topic_groups (topic, name, cursor, created_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (topic, name) DO NOTHING`,
      [topic, group, cursor],
    );
    return new EmbeddedConsumer(this, topic, group);
  }

  async groups(topic: string): Promise<GroupInfo[]> {
    return (await this.get(topic)).groups;
  }

  async resetGroup(topic: string, group: string, start: StartPosition): Promise<GroupInfo> {
    await this.#group(topic, group);
    const cursor = await this.#cursorFor(topic, start);
    await this.#queue.run(`group:${topic}\0${group}`, () =>
      this.#sql.transaction(async (tx) => {
        await tx.query('DELETE FROM topic_pending WHERE topic = $1 AND grp = $2', [topic, group]);
        await tx.query('UPDATE topic_groups SET cursor = $3 WHERE topic = $1 AND name = $2', [
          topic,
          group,
          cursor,
        ]);
      }),
    );
    this.#wake(topic);
    return this.#group(topic, group);
  }

  async deleteGroup(topic: string, group: string): Promise<void> {
    await this.#group(topic, group);
    await this.#sql.transaction(async (tx) => {
      await tx.query('DELETE FROM topic_pending WHERE topic = $1 AND grp = $2', [topic, group]);
      await tx.query('DELETE FROM topic_groups WHERE topic = $1 AND name = $2', [topic, group]);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const topic of [...this.#waiting.keys()]) this.#wake(topic);
  }

  /** Drops messages beyond every topic's age limit (and, for `name`, its byte limit). */
  async applyRetention(): Promise<void> {
    const { rows } = await this.#sql.query<{ name: string; config: TopicConfig }>(
      "SELECT name, config FROM topics WHERE config->>'maxAgeMs' IS NOT NULL",
    );
    for (const row of rows) await this.#retain(row.name, row.config);
  }

  async #retain(topic: string, config: TopicConfig): Promise<void> {
    if (config.maxAgeMs !== null) {
      await this.#sql.query(
        `DELETE FROM topic_messages WHERE topic = $1 AND time < clock_timestamp() - make_interval(secs => $2::double precision / 1000)`,
        [topic, config.maxAgeMs],
      );
    }
    if (config.maxBytes !== null) {
      await this.#sql.query(
        `DELETE FROM topic_messages WHERE topic = $1 AND seq <= (
           SELECT max(seq) FROM (
             SELECT seq, sum(octet_length(data)) OVER (ORDER BY seq DESC) AS kept
             FROM topic_messages WHERE topic = $1
           ) newest WHERE kept > $2
         )`,
        [topic, config.maxBytes],
      );
    }
  }

  async #cursorFor(topic: string, start: StartPosition): Promise<number> {
    if (start === 'earliest') return 0;
    if (start === 'latest') {
      const { rows } = await this.#sql.query<{ last_seq: number | string }>(
        'SELECT last_seq FROM topics WHERE name = $1',
        [topic],
      );
      return Number(rows[0]?.last_seq ?? 0);
    }
    if ('seq' in start) {
      if (!Number.isInteger(start.seq) || start.seq < 1) {
        throw new SluiceError(
          'USAGE',
          `a start seq must be an integer >= 1, found ${JSON.stringify(start.seq)}`,
        );
      }
      return start.seq - 1;
    }
    if (!(start.time instanceof Date) || Number.isNaN(start.time.getTime())) {
      throw new SluiceError('USAGE', 'a start time must be a valid date');
    }
    const { rows } = await this.#sql.query<{ seq: number | string | null; last_seq: number | string }>(
      `SELECT (SELECT min(seq) FROM topic_messages WHERE topic = $1 AND time >= $2) AS seq, last_seq
       FROM topics WHERE name = $1`,
      [topic, start.time],
    );
    const row = rows[0];
    if (!row) return 0;
    return row.seq === null ? Number(row.last_seq) : Number(row.seq) - 1;
  }

  async #group(topic: string, group: string): Promise<GroupInfo> {
    const found = (await this.groups(topic)).find((item) => item.name === group);
    if (!found) {
      throw new SluiceError('TOPIC_GROUP_NOT_FOUND', `topic '${topic}' has no consumer group '${group}'`);
    }
    return found;
  }

  /** Throws `TOPIC_NOT_FOUND` unless `name` exists; cheaper than {@link get}, which counts messages. */
  async #mustExist(name: string): Promise<void> {
    const { rows } = await this.#sql.query('SELECT 1 FROM topics WHERE name = $1', [name]);
    if (rows.length === 0) await this.#missing(name);
  }

  async #missing(name: string): Promise<never> {
    const { rows } = await this.#sql.query<{ name: string }>('SELECT name FROM topics ORDER BY name');
    throw new SluiceError(
      'TOPIC_NOT_FOUND',
      `topic '${name}' does not exist; topics: ${rows.map((row) => row.name).join(', ') || '(none; create one with `sluice topic create NAME`)'}`,
    );
  }

  async #infos(name?: string): Promise<TopicInfo[]> {
    const filter = name === undefined ? '' : 'WHERE t.name = $1';
    const params = name === undefined ? [] : [name];
    const { rows } = await this.#sql.query<{
      name: string;
      config: TopicConfig;
      last_seq: number | string;
      created_at: Date | string;
      last_produced_at: Date | string | null;
      messages: number | string;
      bytes: number | string | null;
      first_seq: number | string | null;
    }>(
      `SELECT t.name, t.config, t.last_seq, t.created_at, t.last_produced_at,
              count(m.seq) AS messages, sum(octet_length(m.data)) AS bytes, min(m.seq) AS first_seq
       FROM topics t LEFT JOIN topic_messages m ON m.topic = t.name ${filter}
       GROUP BY t.name ORDER BY t.name`,
      params,
    );
    if (rows.length === 0) return [];
    const groups = await this.#sql.query<{
      topic: string;
      name: string;
      cursor: number | string;
      redelivered: number | string;
      dead_lettered: number | string;
      pending: number | string;
      unacked: number | string;
      min_pending: number | string | null;
    }>(
      `SELECT g.topic, g.name, g.cursor, g.redelivered, g.dead_lettered,
         (SELECT count(*) FROM topic_messages m WHERE m.topic = g.topic AND m.seq > g.cursor) AS pending,
         (SELECT count(*) FROM topic_pending p WHERE p.topic = g.topic AND p.grp = g.name) AS unacked,
         (SELECT min(p.seq) FROM topic_pending p WHERE p.topic = g.topic AND p.grp = g.name) AS min_pending
       FROM topic_groups g ${name === undefined ? '' : 'WHERE g.topic = $1'} ORDER BY g.topic, g.name`,
      params,
    );
    return rows.map((row) => ({
      name: row.name,
      config: row.config,
      messages: Number(row.messages),
      bytes: Number(row.bytes ?? 0),
      firstSeq: row.first_seq === null ? 0 : Number(row.first_seq),
      lastSeq: Number(row.last_seq),
      createdAt: new Date(row.created_at),
      lastProducedAt: row.last_produced_at === null ? null : new Date(row.last_produced_at),
      groups: groups.rows
        .filter((group) => group.topic === row.name)
        .map((group) => {
          const pending = Number(group.pending);
          const unacked = Number(group.unacked);
          const cursor = Number(group.cursor);
          return {
            topic: row.name,
            name: group.name,
            pending,
            unacked,
            lag: pending + unacked,
            ackFloor: group.min_pending === null ? cursor : Number(group.min_pending) - 1,
            delivered: cursor,
            redelivered: Number(group.redelivered),
            deadLettered: Number(group.dead_lettered),
          };
        }),
    }));
  }

  async #messages(client: SqlClient, topic: string, seqs: readonly number[]): Promise<Map<number, Message>> {
    const found = new Map<number, Message>();
    if (seqs.length === 0) return found;
    const { rows } = await client.query<MessageRow>(
      'SELECT seq, msg_key, data, headers, time FROM topic_messages WHERE topic = $1 AND seq = ANY($2::bigint[])',
      [topic, seqs],
    );
    for (const row of rows) found.set(Number(row.seq), toMessage(topic, row));
    return found;
  }

  #wake(topic: string): void {
    const waiters = this.#waiting.get(topic);
    if (!waiters) return;
    this.#waiting.delete(topic);
    for (const wake of waiters) wake();
  }

  /** Resolves when `topic` gets messages, after `ms`, or when the backend closes. */
  #sleep(topic: string, ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#waiting.get(topic) ?? new Set();
      this.#waiting.set(topic, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      waiters.add(done);
    });
  }

  /** One claim for a group: due redeliveries, then new messages; dead-letters what ran out. */
  claim(
    topic: string,
    group: string,
    max: number,
  ): Promise<{ deliveries: Delivery[]; nextDeadline: number | null }> {
    return this.#queue.run(`group:${topic}\0${group}`, async () => {
      const dead: { message: Message; deliveries: number }[] = [];
      let config: TopicConfig | undefined;
      const claimed = await this.#sql.transaction(async (tx) => {
        const { rows } = await tx.query<{ config: TopicConfig; cursor: number | string | null }>(
          `SELECT t.config, g.cursor FROM topics t LEFT JOIN topic_groups g ON g.topic = t.name AND g.name = $2
           WHERE t.name = $1`,
          [topic, group],
        );
        const row = rows[0];
        if (!row) throw new SluiceError('TOPIC_NOT_FOUND', `topic '${topic}' does not exist`);
        if (row.cursor === null) {
          throw new SluiceError('TOPIC_GROUP_NOT_FOUND', `topic '${topic}' has no consumer group '${group}'`);
        }
        config = row.config;
        const now = Date.now();
        const deadline = new Date(now + row.config.ackWaitMs);
        const due = await tx.query<{ seq: number | string; deliveries: number }>(
          `SELECT seq, deliveries FROM topic_pending WHERE topic = $1 AND grp = $2 AND deadline <= $3
           ORDER BY seq LIMIT $4`,
          [topic, group, new Date(now), max],
        );
        const dueMessages = await this.#messages(
          tx,
          topic,
          due.rows.map((item) => Number(item.seq)),
        );
        const again: Delivery[] = [];
        const gone: number[] = [];
        for (const item of due.rows) {
          const seq = Number(item.seq);
          const message = dueMessages.get(seq);
          if (!message) gone.push(seq);
          else if (item.deliveries >= row.config.maxDeliveries)
            dead.push({ message, deliveries: item.deliveries });
          else again.push({ ...message, deliveries: item.deliveries + 1 });
        }
        const finished = [...gone, ...dead.map((item) => item.message.seq)];
        if (finished.length > 0) {
          await tx.query(
            'DELETE FROM topic_pending WHERE topic = $1 AND grp = $2 AND seq = ANY($3::bigint[])',
            [topic, group, finished],
          );
        }
        if (dead.length > 0) {
          await tx.query(
            'UPDATE topic_groups SET dead_lettered = dead_lettered + $3 WHERE topic = $1 AND name = $2',
            [topic, group, dead.length],
          );
        }
        if (again.length > 0) {
          await tx.query(
            `UPDATE topic_pending SET deliveries = deliveries + 1, deadline = $4
             WHERE topic = $1 AND grp = $2 AND seq = ANY($3::bigint[])`,
            [topic, group, again.map((item) => item.seq), deadline],
          );
          await tx.query(
            'UPDATE topic_groups SET redelivered = redelivered + $3 WHERE topic = $1 AND name = $2',
            [topic, group, again.length],
          );
        }
        const room = max - again.length;
        let fresh: Delivery[] = [];
        if (room > 0) {
          const next = await tx.query<MessageRow>(
            `SELECT seq, msg_key, data, headers, time FROM topic_messages WHERE topic = $1 AND seq > $2
             ORDER BY seq LIMIT $3`,
            [topic, Number(row.cursor), room],
          );
          fresh = next.rows.map((item) => ({ ...toMessage(topic, item), deliveries: 1 }));
          const last = fresh.at(-1);
          if (last) {
            await tx.query(
              `INSERT INTO topic_pending (topic, grp, seq, deliveries, deadline)
               SELECT $1, $2, seq, 1, $4 FROM unnest($3::bigint[]) AS seq`,
              [topic, group, fresh.map((item) => item.seq), deadline],
            );
            await tx.query('UPDATE topic_groups SET cursor = $3 WHERE topic = $1 AND name = $2', [
              topic,
              group,
              last.seq,
            ]);
          }
        }
        const soonest = await tx.query<{ deadline: Date | string | null }>(
          'SELECT min(deadline) AS deadline FROM topic_pending WHERE topic = $1 AND grp = $2',
          [topic, group],
        );
        const nextDeadline = soonest.rows[0]?.deadline ?? null;
        return {
          deliveries: [...again, ...fresh],
          nextDeadline: nextDeadline === null ? null : new Date(nextDeadline).getTime(),
        };
      });
      if (dead.length > 0 && config) {
        await this.#deadLetter(topic, group, config, dead, `no ack after ${config.maxDeliveries} deliveries`);
      }
      return claimed;
    });
  }

  /** Moves messages to the topic's dead-letter topic (their pending rows are already gone). */
  async #deadLetter(
    topic: string,
    group: string,
    config: TopicConfig,
    dead: { message: Message; deliveries: number }[],
    reason: string,
  ): Promise<void> {
    if (config.deadLetter === null) return;
    await this.ensure(config.deadLetter, { deadLetter: null });
    await this.#produceEncoded(
      config.deadLetter,
      dead.map(({ message, deliveries }) => ({
        key: message.key,
        data: message.data,
        id: null,
        headers: {
          ...message.headers,
          [DEAD_LETTER_HEADERS.topic]: topic,
          [DEAD_LETTER_HEADERS.seq]: String(message.seq),
          [DEAD_LETTER_HEADERS.group]: group,
          [DEAD_LETTER_HEADERS.reason]: reason,
          [DEAD_LETTER_HEADERS.deliveries]: String(deliveries),
        },
      })),
    );
  }

  async fetch(topic: string, group: string, max: number, expiresMs: number): Promise<Delivery[]> {
    if (!Number.isInteger(max) || max < 1) {
      throw new SluiceError('USAGE', `fetch: max must be an integer >= 1, found ${JSON.stringify(max)}`);
    }
    const until = Date.now() + Math.max(0, expiresMs);
    for (;;) {
      const { deliveries, nextDeadline } = await this.claim(topic, group, max);
      if (deliveries.length > 0 || this.#closed) return deliveries;
      const now = Date.now();
      if (now >= until) return [];
      const wakeAt = nextDeadline === null ? until : Math.min(until, nextDeadline);
      await this.#sleep(topic, wakeAt - now);
    }
  }

  /** Changes pending rows of `seqs`: deletes them (ack) or moves their deadline. */
  async settle(
    topic: string,
    group: string,
    seqs: number[],
    change: 'ack' | { deadlineInMs: number | 'ackWait' },
  ) {
    if (seqs.length === 0) return;
    await this.#queue.run(`group:${topic}\0${group}`, async () => {
      if (change === 'ack') {
        await this.#sql.query(
          'DELETE FROM topic_pending WHERE topic = $1 AND grp = $2 AND seq = ANY($3::bigint[])',
          [topic, group, seqs],
        );
        return;
      }
      let delay: number;
      if (change.deadlineInMs === 'ackWait') {
        const { rows } = await this.#sql.query<{ config: TopicConfig }>(
          'SELECT config FROM topics WHERE name = $1',
          [topic],
        );
        delay = rows[0]?.config.ackWaitMs ?? 0;
      } else {
        delay = change.deadlineInMs;
      }
      await this.#sql.query(
        'UPDATE topic_pending SET deadline = $4 WHERE topic = $1 AND grp = $2 AND seq = ANY($3::bigint[])',
        [topic, group, seqs, new Date(Date.now() + delay)],
      );
    });
    // A nak'ed message may be due now: wake fetches waiting on this topic.
    if (change !== 'ack') this.#wake(topic);
  }

  /** Dead-letters delivered messages at once (a poison message). */
  async deadLetterNow(
    topic: string,
    group: string,
    messages: readonly Delivery[],
    reason: string,
  ): Promise<void> {
    if (messages.length === 0) return;
    const config = (await this.get(topic)).config;
    const seqs = messages.map((message) => message.seq);
    const removed = await this.#queue.run(`group:${topic}\0${group}`, () =>
      this.#sql.transaction(async (tx) => {
        const { rows } = await tx.query<{ seq: number | string }>(
          'DELETE FROM topic_pending WHERE topic = $1 AND grp = $2 AND seq = ANY($3::bigint[]) RETURNING seq',
          [topic, group, seqs],
        );
        await tx.query(
          'UPDATE topic_groups SET dead_lettered = dead_lettered + $3 WHERE topic = $1 AND name = $2',
          [topic, group, rows.length],
        );
        return new Set(rows.map((row) => Number(row.seq)));
      }),
    );
    // NOTE: only messages still pending for this group move: one acked meanwhile is done.
    const moving = messages.filter((message) => removed.has(message.seq));
    await this.#deadLetter(
      topic,
      group,
      config,
      moving.map((message) => ({ message, deliveries: message.deliveries })),
      reason,
    );
  }
}

/** One member of a group of the embedded backend. */
class EmbeddedConsumer implements Consumer {
  readonly topic: string;
  readonly group: string;
  readonly #topics: EmbeddedTopics;

  constructor(topics: EmbeddedTopics, topic: string, group: string) {
    this.#topics = topics;
    this.topic = topic;
    this.group = group;
  }

  fetch(options: { max: number; expiresMs: number }): Promise<Delivery[]> {
    return this.#topics.fetch(this.topic, this.group, options.max, options.expiresMs);
  }

  ack(messages: readonly Pick<Delivery, 'seq'>[]): Promise<void> {
    return this.#topics.settle(this.topic, this.group, seqsOf(messages), 'ack');
  }

  nak(messages: readonly Pick<Delivery, 'seq'>[], delayMs = 0): Promise<void> {
    return this.#topics.settle(this.topic, this.group, seqsOf(messages), { deadlineInMs: delayMs });
  }

  deadLetter(messages: readonly Delivery[], reason: string): Promise<void> {
    return this.#topics.deadLetterNow(this.topic, this.group, messages, reason);
  }

  extend(messages: readonly Pick<Delivery, 'seq'>[]): Promise<void> {
    return this.#topics.settle(this.topic, this.group, seqsOf(messages), { deadlineInMs: 'ackWait' });
  }

  async close(): Promise<void> {
    // Nothing to release: pending messages are redelivered to other members after their deadline.
  }
}

function seqsOf(messages: readonly Pick<Delivery, 'seq'>[]): number[] {
  return [...new Set(messages.map((message) => message.seq))];
}
