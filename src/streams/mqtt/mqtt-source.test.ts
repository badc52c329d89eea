/**
 * The MQTT source against the real Mosquitto at 127.0.0.1:1883: JSON, text and binary
 * payloads land in a topic keyed by their MQTT topic, and QoS 1 messages published while
 * the source was stopped arrive when it starts again (persistent session).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../store/index.js';
import { messageValue } from '../codec.js';
import { createEmbeddedTopics } from '../embedded/embedded-topics.js';
import type { Topics } from '../topics.js';
import { startMqttSource } from './mqtt-source.js';

const BROKER = 'mqtt://127.0.0.1:1883';
const base = `sluice-test/${Math.random().toString(36).slice(2, 8)}`;
let home: string;
let topics: Topics;
let close: () => Promise<void>;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'sluice-mqtt-'));
  const { store, lock } = await openEmbeddedStore({ home });
  topics = await createEmbeddedTopics(store.sql);
  close = async () => {
    await topics.close();
    await store.close();
    await lock.release();
  };
  await topics.create('readings');
});

afterAll(async () => {
  await close();
  await rm(home, { recursive: true, force: true });
});

async function waitForMessages(count: number) {
  const until = Date.now() + 10_000;
  for (;;) {
    const messages = await topics.read('readings', { limit: 100 });
    if (messages.length >= count || Date.now() > until) return messages;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the MQTT source', () => {
  it('feeds JSON, text and bytes into a topic, and catches up on what was published while it was down', async () => {
    const clientId = `sluice-test-${Math.random().toString(36).slice(2, 8)}`;
    const source = await startMqttSource({
      url: BROKER,
      filters: [`${base}/#`],
      topics,
      topic: 'readings',
      clientId,
    });
    const publisher = await connectAsync(BROKER).catch((error: unknown) => {
      throw new Error(`Mosquitto at ${BROKER} is needed for this test: ${String(error)}`);
    });
    await publisher.publishAsync(`${base}/hive-1/temperature`, JSON.stringify({ celsius: 34.5 }), { qos: 1 });
    await publisher.publishAsync(`${base}/hive-1/status`, 'queen seen', { qos: 1 });
    await publisher.publishAsync(`${base}/hive-2/raw`, Buffer.from([0xff, 0x00, 0xfe]), { qos: 1 });
    const first = await waitForMessages(3);
    expect(first.map((message) => [message.key, messageValue(message)])).toEqual([
      [`${base}/hive-1/temperature`, { celsius: 34.5 }],
      [`${base}/hive-1/status`, 'queen seen'],
      [`${base}/hive-2/raw`, new Uint8Array([0xff, 0x00, 0xfe])],
    ]);
    expect(first[0]?.headers['mqtt-topic']).toBe(`${base}/hive-1/temperature`);
    expect(source.stats()).toEqual({ received: 3, produced: 3 });
    await source.close();

    // Published while the source is stopped: the broker keeps it for the persistent session.
    await publisher.publishAsync(`${base}/hive-3/temperature`, JSON.stringify({ celsius: 33 }), { qos: 1 });
    const again = await startMqttSource({
      url: BROKER,
      filters: [`${base}/#`],
      topics,
      topic: 'readings',
      clientId,
    });
    const all = await waitForMessages(4);
    expect(all.at(-1) && messageValue(all.at(-1)!)).toEqual({ celsius: 33 });
    await again.close();
    await publisher.endAsync();
  });

  it('says which broker it cannot reach', async () => {
    await expect(
      startMqttSource({ url: 'mqtt://127.0.0.1:1', filters: ['x/#'], topics, topic: 'readings' }),
    ).rejects.toMatchObject({
      code: 'TOPIC_UNAVAILABLE',
      message: expect.stringContaining('mqtt://127.0.0.1:1'),
    });
  });
});
