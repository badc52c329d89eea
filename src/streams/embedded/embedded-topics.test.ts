import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../store/index.js';
import { describeTopicsConformance } from '../topics.case.js';
import { createEmbeddedTopics } from './embedded-topics.js';

async function openHome(home: string) {
  const { store, lock } = await openEmbeddedStore({ home });
  const topics = await createEmbeddedTopics(store.sql);
  return {
    topics,
    async close() {
      await topics.close();
      await store.close();
      await lock.release();
    },
  };
}

// NOTE: one store for the whole suite (each test uses topics of its own): opening a PGlite
// store takes ~1.5 s, which per test would dominate the suite.
let shared: Promise<{ home: string; opened: Awaited<ReturnType<typeof openHome>> }> | undefined;
afterAll(async () => {
  if (!shared) return;
  const { home, opened } = await shared;
  await opened.close();
  await rm(home, { recursive: true, force: true });
});

describeTopicsConformance('embedded', async () => {
  shared ??= (async () => {
    const home = await mkdtemp(join(tmpdir(), 'sluice-topics-'));
    return { home, opened: await openHome(home) };
  })();
  const { opened } = await shared;
  return { topics: opened.topics, cleanup: async () => undefined };
});

describe('embedded topics across a restart', () => {
  it('keeps messages, groups and pending deliveries: un-acked messages come back after reopening', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sluice-topics-'));
    try {
      const first = await openHome(home);
      await first.topics.create('events', { ackWaitMs: 200 });
      await first.topics.produce('events', [{ value: 1 }, { value: 2 }, { value: 3 }]);
      const consumer = await first.topics.consumer('events', 'g');
      const taken = await consumer.fetch({ max: 2, expiresMs: 500 });
      await consumer.ack([taken[0]!]);
      await first.close();

      const second = await openHome(home);
      const again = await second.topics.consumer('events', 'g');
      const seqs: number[] = [];
      const until = Date.now() + 3000;
      while (seqs.length < 2 && Date.now() < until) {
        const batch = await again.fetch({ max: 5, expiresMs: 500 });
        seqs.push(...batch.map((message) => message.seq));
        await again.ack(batch);
      }
      expect(seqs.sort()).toEqual([2, 3]);
      expect((await second.topics.groups('events'))[0]).toMatchObject({ lag: 0, ackFloor: 3 });
      await second.close();
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
