/**
 * The NATS JetStream topic backend against the real server at 127.0.0.1:4222; each test
 * works in its own prefix and removes its streams afterwards.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { messageValue } from '../codec.js';
import { DEAD_LETTER_HEADERS, type Topics } from '../topics.js';
import { describeTopicsConformance } from '../topics.case.js';
import { openNatsTopics } from './nats-topics.js';

const NATS_URL = '127.0.0.1:4222';

/** Deletes every stream of `prefix`. */
async function removePrefix(prefix: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names(`${prefix}.>`)) await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}

async function makeTopics(
  prefix = `t${Math.random().toString(36).slice(2, 10)}`,
): Promise<{ topics: Topics; cleanup(): Promise<void> }> {
  const topics = await openNatsTopics({ url: NATS_URL, prefix });
  return {
    topics,
    async cleanup() {
      await topics.close();
      await removePrefix(prefix);
    },
  };
}

describe('NATS JetStream topics', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  async function open(): Promise<Topics> {
    const made = await makeTopics();
    cleanup = made.cleanup;
    return made.topics;
  }

  it('names the URL when the server cannot be reached', async () => {
    await expect(openNatsTopics({ url: '127.0.0.1:1' })).rejects.toMatchObject({
      code: 'TOPIC_UNAVAILABLE',
      message: expect.stringContaining('127.0.0.1:1') as unknown,
    });
  });

  it('produces, reads and consumes with acks', async () => {
    const topics = await open();
    await topics.create('samples.raw');
    const seqs = await topics.produce('samples.raw', [
      { key: 'a', value: { n: 1 }, headers: { 'x-origin': 'cam' } },
      { value: new Uint8Array([1, 2]) },
      { value: { n: 3 }, id: 'x' },
      { value: { n: 4 }, id: 'x' },
    ]);
    expect(seqs).toEqual([1, 2, 3, 3]);
    const read = await topics.read('samples.raw', { fromSeq: 2 });
    expect(read.map((m) => m.seq)).toEqual([2, 3]);
    const [first] = await topics.readSeqs('samples.raw', [1, 9]);
    expect(first).toMatchObject({
      key: 'a',
      headers: { 'x-origin': 'cam', 'content-type': 'application/json' },
    });
    expect(messageValue(first!)).toEqual({ n: 1 });

    const consumer = await topics.consumer('samples.raw', 'g.one');
    const batch = await consumer.fetch({ max: 10, expiresMs: 200 });
    expect(batch.map((m) => [m.seq, m.deliveries])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    await consumer.ack(batch.slice(0, 2));
    expect(await topics.groups('samples.raw')).toMatchObject([
      { name: 'g.one', pending: 0, unacked: 1, lag: 1, ackFloor: 2, delivered: 3 },
    ]);
    await consumer.nak(batch.slice(2));
    const again = await consumer.fetch({ max: 10, expiresMs: 200 });
    expect(again.map((m) => [m.seq, m.deliveries])).toEqual([[3, 2]]);
    await consumer.ack(again);
    expect(await topics.groups('samples.raw')).toMatchObject([{ unacked: 0, ackFloor: 3, redelivered: 1 }]);
    const started = Date.now();
    expect(await consumer.fetch({ max: 10, expiresMs: 150 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('returns a fetch as soon as a message arrives', async () => {
    const topics = await open();
    await topics.create('t');
    const consumer = await topics.consumer('t', 'g');
    const fetched = consumer.fetch({ max: 100, expiresMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await topics.produce('t', [{ value: 1 }]);
    expect((await fetched).map((m) => m.seq)).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('dead-letters the delivery beyond maxDeliveries', async () => {
    const topics = await open();
    await topics.create('jobs', { maxDeliveries: 2 });
    await topics.produce('jobs', [{ key: 'k', value: 'poison' }]);
    const consumer = await topics.consumer('jobs', 'workers');
    for (let delivery = 1; delivery <= 2; delivery++) {
      const [message] = await consumer.fetch({ max: 1, expiresMs: 200 });
      expect(message?.deliveries).toBe(delivery);
      await consumer.nak([message!]);
    }
    expect(await consumer.fetch({ max: 1, expiresMs: 100 })).toEqual([]);
    const [dead] = await topics.read('jobs.dlq');
    expect(dead).toMatchObject({
      key: 'k',
      headers: {
        [DEAD_LETTER_HEADERS.topic]: 'jobs',
        [DEAD_LETTER_HEADERS.group]: 'workers',
        [DEAD_LETTER_HEADERS.seq]: '1',
      },
    });
    expect(await topics.groups('jobs')).toMatchObject([
      { deadLettered: 1, redelivered: 1, ackFloor: 1, lag: 0 },
    ]);
  });

  it('starts and resets groups by seq, time and latest', async () => {
    const topics = await open();
    await topics.create('t');
    await topics.produce('t', [{ value: 1 }, { value: 2 }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const middle = new Date();
    await topics.produce('t', [{ value: 3 }]);
    const latest = await topics.consumer('t', 'latest', { start: 'latest' });
    expect(await latest.fetch({ max: 5, expiresMs: 50 })).toEqual([]);
    const byTime = await topics.consumer('t', 'time', { start: { time: middle } });
    expect((await byTime.fetch({ max: 5, expiresMs: 50 })).map((m) => m.seq)).toEqual([3]);
    expect((await topics.read('t', { fromTime: middle })).map((m) => m.seq)).toEqual([3]);
    expect(await topics.resetGroup('t', 'time', { seq: 2 })).toMatchObject({
      ackFloor: 1,
      pending: 2,
      unacked: 0,
    });
    expect((await byTime.fetch({ max: 5, expiresMs: 50 })).map((m) => m.seq)).toEqual([2, 3]);
    await topics.deleteGroup('t', 'latest');
    await expect(topics.deleteGroup('t', 'latest')).rejects.toMatchObject({ code: 'TOPIC_GROUP_NOT_FOUND' });
  });

  it('lists, updates and deletes topics', async () => {
    const topics = await open();
    await topics.create('a');
    await expect(topics.create('a')).rejects.toMatchObject({ code: 'TOPIC_EXISTS' });
    await topics.ensure('b', { maxAgeMs: 60_000 });
    expect((await topics.list()).map((t) => t.name)).toEqual(['a', 'b']);
    const updated = await topics.update('a', { ackWaitMs: 1000, maxBytes: 10_000 });
    expect(updated.config).toMatchObject({ ackWaitMs: 1000, maxBytes: 10_000, deadLetter: 'a.dlq' });
    await topics.delete('a');
    await expect(topics.get('a')).rejects.toThrow("topic 'a' does not exist; topics: b");
    await expect(topics.produce('a', [{ value: 1 }])).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
  });

  it('shares topics, configs, groups and counts between processes', async () => {
    const prefix = `t${Math.random().toString(36).slice(2, 10)}`;
    const one = await makeTopics(prefix);
    cleanup = one.cleanup;
    const other = await openNatsTopics({ url: NATS_URL, prefix });
    try {
      await one.topics.create('shared', { maxDeliveries: 1, ackWaitMs: 5000 });
      await one.topics.produce('shared', [{ value: 'a' }, { value: 'b' }]);
      expect((await other.get('shared')).config).toMatchObject({ maxDeliveries: 1, ackWaitMs: 5000 });
      const first = await one.topics.consumer('shared', 'g');
      const second = await other.consumer('shared', 'g', { start: 'latest' });
      const [a] = await first.fetch({ max: 1, expiresMs: 200 });
      const [b] = await second.fetch({ max: 1, expiresMs: 200 });
      expect([a?.seq, b?.seq]).toEqual([1, 2]);
      await first.nak([a!]);
      await second.deadLetter([b!], 'unreadable');
      expect(await second.fetch({ max: 5, expiresMs: 100 })).toEqual([]);
      expect(await one.topics.groups('shared')).toMatchObject([{ deadLettered: 2, lag: 0, ackFloor: 2 }]);
      expect((await other.read('shared.dlq')).map((m) => m.headers[DEAD_LETTER_HEADERS.reason])).toEqual([
        'unreadable',
        'no ack after 1 deliveries',
      ]);
    } finally {
      await other.close();
    }
  });
});

// The conformance suite every backend passes; each test gets a prefix of its own.
describeTopicsConformance('NATS JetStream', () => makeTopics());
