/**
 * A `topic` trigger under `sluice dev`, with topics in NATS JetStream: messages arriving on
 * the topic start a run of the pipeline that consumes it, which takes them all; a second
 * wave starts another run. Each message becomes one table row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNatsTopics, type Topics } from '../src/streams/index.js';
import { startDev, waitFor, type Dev } from './dev-process.js';
import { tempProjects, tsStep } from './helpers.js';

const NATS_URL = 'nats://127.0.0.1:4222';
const suffix = Math.random().toString(36).slice(2, 8);
const topic = `orders-${suffix}`;
const project = tempProjects();

let topics: Topics;
let dev: Dev | undefined;

beforeAll(async () => {
  topics = await openNatsTopics({ url: NATS_URL }).catch((error: unknown) => {
    throw new Error(`NATS with JetStream at ${NATS_URL} is needed for this test: ${String(error)}`);
  });
  await topics.create(topic);
});

afterAll(async () => {
  await dev?.stop();
  await topics.delete(topic).catch(() => undefined);
  await topics.close();
});

interface RunSummary {
  id: string;
  status: string;
  trigger: { kind: string; topic?: string; lag?: number } | null;
}

describe('a topic trigger', () => {
  it('starts a run when messages arrive, and another for the next ones', async () => {
    const dir = await project({
      'orders.yaml': `
name: orders
inputs:
  orders: { topic: ${topic}, batch: 5, timeout: 700ms, wait: 20ms }
tables:
  orders: { columns: { id: integer } }
steps:
  record:
    run: ./record.ts
    inputs: [orders]
    outputs: [count]
    tables: [orders]
triggers:
  - topic: ${topic}
`,
      'record.ts': tsStep(`
  ctx.table('orders').insert(ctx.inputs.orders.messages.map((m) => ({ id: m.value.id })));
  return { count: ctx.inputs.orders.messages.length };`),
    });
    dev = await startDev(dir, { env: { SLUICE_NATS_URL: NATS_URL } });
    const get = async <T>(path: string): Promise<T> =>
      (await (await fetch(`${dev!.url}${path}`)).json()) as T;
    const finished = async (count: number) =>
      waitFor(`${count} finished runs`, async () => {
        const runs = await get<RunSummary[]>('/api/runs?pipeline=orders');
        const done = runs.filter((run) => run.status === 'succeeded');
        return done.length >= count &&
          runs.every((run) => run.status !== 'running' && run.status !== 'queued')
          ? runs
          : undefined;
      });

    await topics.produce(
      topic,
      Array.from({ length: 12 }, (_, id) => ({ value: { id } })),
    );
    const first = await finished(1);
    expect(first).toHaveLength(1);
    expect(first[0]?.trigger).toMatchObject({ kind: 'topic', topic, lag: 12 });

    await topics.produce(
      topic,
      Array.from({ length: 3 }, (_, id) => ({ value: { id: 100 + id } })),
    );
    const both = await finished(2);
    expect(both).toHaveLength(2);
    const rows = await get<{ id: number }[]>('/api/tables/orders/rows?limit=100');
    expect(rows.map((row) => row.id).sort((a, b) => a - b)).toEqual([
      ...Array.from({ length: 12 }, (_, id) => id),
      100,
      101,
      102,
    ]);
    expect((await topics.groups(topic))[0]).toMatchObject({ name: 'orders.orders', lag: 0 });
  });
});
