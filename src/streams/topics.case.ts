/** The conformance suite every {@link Topics} backend passes (embedded, NATS JetStream). */
import { afterEach, describe, expect, it } from 'vitest';
import { messageValue } from './codec.js';
import { DEAD_LETTER_HEADERS, type Delivery, type Topics } from './topics.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers the suite; `make` returns a fresh backend and how to clean up after it. */
export function describeTopicsConformance(
  name: string,
  make: () => Promise<{ topics: Topics; cleanup(): Promise<void> }>,
): void {
  describe(`${name} topics`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    /** A fresh backend and a topic name no other test uses. */
    async function setup(): Promise<{ topics: Topics; topic: string }> {
      const made = await make();
      const topic = `t-${Math.random().toString(36).slice(2, 10)}`;
      cleanups.push(async () => {
        for (const item of [topic, `${topic}.dlq`, `${topic}-dead`])
          await made.topics.delete(item).catch(() => undefined);
        await made.cleanup();
      });
      return { topics: made.topics, topic };
    }

    const values = (messages: { data: Uint8Array; headers: Record<string, string> }[]) =>
      messages.map((message) => messageValue(message));

    it('creates, lists, updates and deletes topics, naming what exists when one is missing', async () => {
      const { topics, topic } = await setup();
      const created = await topics.create(topic, { maxDeliveries: 3 });
      expect(created).toMatchObject({
        name: topic,
        messages: 0,
        lastSeq: 0,
        groups: [],
        config: { maxDeliveries: 3, ackWaitMs: 30_000, deadLetter: `${topic}.dlq`, maxAgeMs: null },
      });
      await expect(topics.create(topic)).rejects.toMatchObject({ code: 'TOPIC_EXISTS' });
      expect((await topics.ensure(topic)).config.maxDeliveries).toBe(3);
      expect((await topics.list()).map((info) => info.name)).toContain(topic);
      expect((await topics.update(topic, { ackWaitMs: 5000 })).config).toMatchObject({
        maxDeliveries: 3,
        ackWaitMs: 5000,
      });
      await expect(topics.get(`${topic}-none`)).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
      await expect(topics.get(`${topic}-none`)).rejects.toThrow(topic);
      await expect(topics.create('Bad Name')).rejects.toMatchObject({ code: 'USAGE' });
      await expect(topics.create(`${topic}-x`, { maxDeliveries: 0 })).rejects.toThrow(/maxDeliveries/);
      await topics.delete(topic);
      await expect(topics.get(topic)).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
      await expect(topics.produce(topic, [{ value: 1 }])).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
    });

    it('produces in order, and keys, headers, JSON and bytes come back as they went in', async () => {
      const { topics, topic } = await setup();
      await topics.create(topic);
      expect(
        await topics.produce(topic, [{ value: { a: 1 }, key: 'k1', headers: { source: 'test' } }]),
      ).toEqual([1]);
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      expect(await topics.produce(topic, [{ value: 'text' }, { value: bytes }, { value: [1, 2] }])).toEqual([
        2, 3, 4,
      ]);
      const read = await topics.read(topic);
      expect(read.map((message) => message.seq)).toEqual([1, 2, 3, 4]);
      expect(values(read)).toEqual([{ a: 1 }, 'text', bytes, [1, 2]]);
      expect(read[0]).toMatchObject({ topic, key: 'k1', headers: { source: 'test' } });
      expect(read[1]?.key).toBeNull();
      expect(read[0]?.time).toBeInstanceOf(Date);
      expect(Math.abs(Date.now() - (read[0]?.time.getTime() ?? 0))).toBeLessThan(60_000);
      expect(await topics.read(topic, { fromSeq: 3, limit: 1 })).toMatchObject([{ seq: 3 }]);
      expect((await topics.readSeqs(topic, [4, 2, 99])).map((message) => message.seq)).toEqual([4, 2]);
      expect(await topics.get(topic)).toMatchObject({ messages: 4, firstSeq: 1, lastSeq: 4 });
      await expect(topics.produce(topic, [{ value: undefined }])).rejects.toMatchObject({
        code: 'MESSAGE_INVALID',
      });
    });

    it('drops a message whose id was produced before, returning the first seq', async () => {
      const { topics, topic } = await setup();
      await topics.create(topic);
      expect(
        await topics.produce(topic, [
          { value: 1, id: 'a' },
          { value: 2, id: 'b' },
        ]),
      ).toEqual([1, 2]);
      expect(
        await topics.produce(topic, [
          { value: 9, id: 'b' },
          { value: 3, id: 'c' },
        ]),
      ).toEqual([2, 3]);
      expect(values(await topics.read(topic))).toEqual([1, 2, 3]);
    });

    it('gives each message to one member of a group, and every message to every group', async () => {
      const { topics, topic } = await setup();
      await topics.create(topic);
      await topics.produce(
        topic,
        Array.from({ length: 40 }, (_, index) => ({ value: index })),
      );
      const first = await topics.consumer(topic, 'workers');
      const second = await topics.consumer(topic, 'workers');
      const seen: number[] = [];
      const drain = async (member: typeof first) => {
        for (;;) {
          const batch = await member.fetch({ max: 7, expiresMs: 300 });
          if (batch.length === 0) return;
          seen.push(...batch.map((message) => message.seq));
          await member.ack(batch);
        }
      };
      await Promise.all([drain(first), drain(second)]);
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
      const other = await topics.consumer(topic, 'auditors');
      const all = await other.fetch({ max: 100, expiresMs: 500 });
      expect(all).toHaveLength(40);
      for (const member of [first, second, other]) await member.close();
    });

    it('never redelivers an acked message, and redelivers a nak-ed one', async () => {
      const { topics, topic } = await setup();
      await topics.create(topic, { ackWaitMs: 400 });
      await topics.produce(topic, [{ value: 'a' }, { value: 'b' }]);
      const consumer = await topics.consumer(topic, 'g');
      const [a, b] = await consumer.fetch({ max: 2, expiresMs: 500 });
      expect(a?.deliveries).toBe(1);
      await consumer.ack([a as Delivery]);
      await consumer.nak([b as Delivery]);
      const again = await consumer.fetch({ max: 2, expiresMs: 2000 });
      expect(again.map((message) => [message.seq, message.deliveries])).toEqual([[2, 2]]);
      await consumer.ack(again);
      await sleep(600);
      expect(await consumer.fetch({ max: 2, expiresMs: 300 })).toEqual([]);
      expect((await topics.groups(topic))[0]).toMatchObject({
        name: 'g',
        lag: 0,
        ackFloor: 2,
        redelivered: 1,
      });
      await consumer.close();
    });

    it('redelivers after the ack deadline, unless the deadline is extended', async () => {
      const { topics, topic } = await setup();
      await topics.create(topic, { ackWaitMs: 500 });
      await topics.produce(topic, [{ value: 'slow' }, { value: 'lost' }]);
      const consumer = await topics.consumer(topic, 'g');
      const [slow, lost] = await consumer.fetch({ max: 2, expiresMs: 500 });
      for (let index = 0; index < 4; index += 1) {
        await sleep(200);
        await consumer.extend([slow as Delivery]);
      }
      const again = await consumer.fetch({ max: 2, expiresMs: 1500 });
      expect(again.map((message) => message.seq)).toEqual([lost?.seq]);
      expect(again[0]?.deliveries).toBe(2);
      await consumer.ack([slow as Delivery, ...again]);
      await consumer.close();
    });

    it("hands a closed member's un-acked messages to another member after the deadline", async () => {
      const { topics, topic } = await setup();
      await topics.create(topic, { ackWaitMs: 400 });
      await topics.produce(topic, [{ value: 1 }, { value: 2 }, { value: 3 }]);
      const crashed = await topics.consumer(topic, 'g');
      const taken = await crashed.fetch({ max: 2, expiresMs: 500 });
      await crashed.ack([taken[0] as Delivery]);
      await crashed.close();
      const survivor = await topics.consumer(topic, 'g');
      const got: Delivery[] = [];
      const until = Date.now() + 5000;
      while (got.length < 2 && Date.now() < until) {
        const batch = await survivor.fetch({ max: 5, expiresMs: 500 });
        got.push(...batch);
        await survivor.ack(batch);
      }
      expect(got.map((message) => message.seq).sort()).toEqual([2, 3]);
      await survivor.close();
    });

    it('moves a message to the dead-letter topic after max deliveries, with where it came from', async () => {
      const { topics, topic } = await setup();
      await topics.create(topic, { ackWaitMs: 300, maxDeliveries: 2 });
      await topics.produce(topic, [
        { value: 'poison', key: 'p', headers: { origin: 'x' } },
        { value: 'fine' },
      ]);
      const consumer = await topics.consumer(topic, 'g');
      const deliveries: number[] = [];
      const until = Date.now() + 6000;
      while (Date.now() < until) {
        const batch = await consumer.fetch({ max: 5, expiresMs: 400 });
        for (const message of batch) {
          if (messageValue(message) === 'fine') await consumer.ack([message]);
          else {
            deliveries.push(message.deliveries);
            await consumer.nak([message]);
          }
        }
        const dead = await topics.get(`${topic}.dlq`).catch(() => undefined);
        if (dead && dead.messages > 0) break;
      }
      expect(deliveries).toEqual([1, 2]);
      const [dead] = await topics.read(`${topic}.dlq`);
      expect(dead && messageValue(dead)).toBe('poison');
      expect(dead?.key).toBe('p');
      expect(dead?.headers).toMatchObject({
        origin: 'x',
        [DEAD_LETTER_HEADERS.topic]: topic,
        [DEAD_LETTER_HEADERS.seq]: '1',
        [DEAD_LETTER_HEADERS.group]: 'g',
        [DEAD_LETTER_HEADERS.deliveries]: '2',
      });
      expect((await topics.groups(topic))[0]).toMatchObject({ lag: 0, deadLettered: 1 });
      await consumer.close();
    });

    it('dead-letters a message at once when asked, with the reason', async () => {
      const { topics, topic } = await setup();
      await topics.create(topic, { deadLetter: `${topic}-dead` });
      await topics.produce(topic, [{ value: { broken: true } }]);
      const consumer = await topics.consumer(topic, 'g');
      const batch = await consumer.fetch({ max: 1, expiresMs: 500 });
      await consumer.deadLetter(batch, 'cannot parse');
      const [dead] = await topics.read(`${topic}-dead`);
      expect(dead?.headers[DEAD_LETTER_HEADERS.reason]).toBe('cannot parse');
      expect(await consumer.fetch({ max: 1, expiresMs: 300 })).toEqual([]);
      expect((await topics.groups(topic))[0]).toMatchObject({ lag: 0, deadLettered: 1 });
      await consumer.close();
    });

    it('replays from a seq, from a time, and after a reset', async () => {
      const { topics, topic } = await setup();
      await topics.create(topic);
      await topics.produce(topic, [{ value: 1 }, { value: 2 }]);
      await sleep(50);
      const middle = new Date();
      await sleep(50);
      await topics.produce(topic, [{ value: 3 }, { value: 4 }]);
      const fromSeq = await topics.consumer(topic, 'from-seq', { start: { seq: 2 } });
      expect(values(await fromSeq.fetch({ max: 10, expiresMs: 500 }))).toEqual([2, 3, 4]);
      const fromTime = await topics.consumer(topic, 'from-time', { start: { time: middle } });
      expect(values(await fromTime.fetch({ max: 10, expiresMs: 500 }))).toEqual([3, 4]);
      const latest = await topics.consumer(topic, 'latest', { start: 'latest' });
      expect(await latest.fetch({ max: 10, expiresMs: 200 })).toEqual([]);
      await topics.produce(topic, [{ value: 5 }]);
      const fresh = await latest.fetch({ max: 10, expiresMs: 1000 });
      expect(values(fresh)).toEqual([5]);
      await latest.ack(fresh);
      for (const consumer of [fromSeq, fromTime, latest]) await consumer.close();

      const reset = await topics.resetGroup(topic, 'latest', 'earliest');
      expect(reset).toMatchObject({ name: 'latest', lag: 5 });
      const replay = await topics.consumer(topic, 'latest');
      expect(values(await replay.fetch({ max: 10, expiresMs: 500 }))).toEqual([1, 2, 3, 4, 5]);
      await replay.close();
      await expect(topics.resetGroup(topic, 'nobody', 'earliest')).rejects.toMatchObject({
        code: 'TOPIC_GROUP_NOT_FOUND',
      });
      await topics.deleteGroup(topic, 'from-seq');
      expect((await topics.groups(topic)).map((group) => group.name)).not.toContain('from-seq');
    });

    it('reports lag: pending, unacked, ack floor and delivered', async () => {
      const { topics, topic } = await setup();
      await topics.create(topic);
      await topics.produce(
        topic,
        Array.from({ length: 10 }, (_, index) => ({ value: index })),
      );
      const consumer = await topics.consumer(topic, 'g');
      const batch = await consumer.fetch({ max: 4, expiresMs: 500 });
      await consumer.ack(batch.slice(0, 2));
      const [group] = await topics.groups(topic);
      expect(group).toMatchObject({
        topic,
        name: 'g',
        pending: 6,
        unacked: 2,
        lag: 8,
        ackFloor: 2,
        delivered: 4,
        redelivered: 0,
        deadLettered: 0,
      });
      expect((await topics.get(topic)).groups).toEqual([group]);
      await consumer.close();
    });

    it('waits for messages up to expiresMs, and returns as soon as one arrives', async () => {
      const { topics, topic } = await setup();
      await topics.create(topic);
      const consumer = await topics.consumer(topic, 'g');
      const started = Date.now();
      expect(await consumer.fetch({ max: 5, expiresMs: 600 })).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
      const waiting = consumer.fetch({ max: 5, expiresMs: 10_000 });
      await sleep(200);
      const producedAt = Date.now();
      await topics.produce(topic, [{ value: 'now' }]);
      const got = await waiting;
      expect(values(got)).toEqual(['now']);
      expect(Date.now() - producedAt).toBeLessThan(5000);
      await consumer.ack(got);
      await consumer.close();
    });

    it('drops the oldest messages beyond the byte limit, and beyond the age limit', async () => {
      const { topics, topic } = await setup();
      await topics.create(topic, { maxBytes: 2000 });
      await topics.produce(
        topic,
        Array.from({ length: 10 }, (_, index) => ({ value: new Uint8Array(500).fill(index) })),
      );
      let info = await topics.get(topic);
      expect(info.bytes).toBeLessThanOrEqual(2000);
      expect(info.lastSeq).toBe(10);
      expect(info.firstSeq).toBeGreaterThan(1);
      expect((await topics.read(topic)).at(-1)?.seq).toBe(10);

      const aged = `${topic}-dead`;
      await topics.create(aged, { maxAgeMs: 1000 });
      await topics.produce(aged, [{ value: 'old' }]);
      const until = Date.now() + 6000;
      do {
        await sleep(250);
        info = await topics.get(aged);
      } while (info.messages > 0 && Date.now() < until);
      expect(info).toMatchObject({ messages: 0, lastSeq: 1 });
      expect(await topics.produce(aged, [{ value: 'new' }])).toEqual([2]);
    });
  });
}
