/**
 * Exactly-once effect over NATS JetStream: a consumer run is killed (SIGKILL) in the middle
 * of a stream, twice, and started again; every message ends up as exactly one row in a real
 * PostgreSQL table, and the group has nothing left to take.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNatsTopics, type Topics } from '../src/streams/index.js';
import { waitFor } from './dev-process.js';
import { tempProjects, tsStep } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));
const NATS_URL = 'nats://127.0.0.1:4222';
const COUNT = 300;

const project = tempProjects();
const suffix = Math.random().toString(36).slice(2, 8);
const topic = `readings-${suffix}`;
const database = `sluice_once_${suffix}`;
const tablesUrl = `postgres://postgres@127.0.0.1:5432/${database}`;

let topics: Topics;
let admin: pg.Client;

beforeAll(async () => {
  topics = await openNatsTopics({ url: NATS_URL }).catch((error: unknown) => {
    throw new Error(`NATS with JetStream at ${NATS_URL} is needed for this test: ${String(error)}`);
  });
  admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  await admin.connect().catch((error: unknown) => {
    throw new Error(`PostgreSQL at 127.0.0.1:5432 is needed for this test: ${String(error)}`);
  });
  await admin.query(`CREATE DATABASE ${database}`);
});

afterAll(async () => {
  await topics.delete(topic).catch(() => undefined);
  await topics.delete(`${topic}.dlq`).catch(() => undefined);
  await topics.close();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
});

/** `sluice run` in a child process; resolves with its exit code (null when killed). */
function runPipeline(dir: string): { exited: Promise<number | null>; kill(): void; stderr(): string } {
  const child = spawn(process.execPath, [BIN, 'run', 'consume.yaml', '--json'], {
    cwd: dir,
    env: {
      ...process.env,
      SLUICE_HOME: join(dir, '.sluice'),
      SLUICE_NATS_URL: NATS_URL,
      SLUICE_TABLES_URL: tablesUrl,
      NO_COLOR: '1',
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return {
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    kill: () => child.kill('SIGKILL'),
    stderr: () => stderr,
  };
}

async function rowCount(): Promise<number> {
  const client = new pg.Client({ connectionString: tablesUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(
      'SELECT count(*) AS count FROM sluice_tables.readings',
    );
    return Number(rows[0]?.count ?? 0);
  } catch {
    return 0;
  } finally {
    await client.end();
  }
}

describe('a stream consumer killed mid-stream', () => {
  it('writes every message exactly once after being killed twice and restarted', async () => {
    const dir = await project({
      'consume.yaml': `
name: consume
inputs:
  readings: { topic: ${topic}, group: recorder, batch: 10, timeout: 1500ms, wait: 20ms }
tables:
  readings: { columns: { id: integer, doubled: integer } }
steps:
  record:
    run: ./record.ts
    inputs: [readings]
    outputs: [count]
    parallelism: 2
    tables: [readings]
`,
      'record.ts': tsStep(`
  await new Promise((resolve) => setTimeout(resolve, 40));
  ctx.table('readings').insert(ctx.inputs.readings.messages.map((m) => ({ id: m.value.id, doubled: m.value.id * 2 })));
  return { count: ctx.inputs.readings.messages.length };`),
    });
    await topics.create(topic, { ackWaitMs: 1000 });
    await topics.produce(
      topic,
      Array.from({ length: COUNT }, (_, id) => ({ value: { id } })),
    );

    for (const atLeast of [30, 120]) {
      const killed = runPipeline(dir);
      await waitFor(
        `${atLeast} rows`,
        async () => ((await rowCount()) >= atLeast ? true : undefined),
        60_000,
      );
      killed.kill();
      expect(await killed.exited).toBeNull();
    }
    expect(await rowCount()).toBeLessThan(COUNT);

    const last = runPipeline(dir);
    expect(await last.exited, last.stderr()).toBe(0);

    const client = new pg.Client({ connectionString: tablesUrl });
    await client.connect();
    const { rows } = await client.query<{ id: number; copies: string }>(
      'SELECT id, count(*) AS copies FROM sluice_tables.readings GROUP BY id ORDER BY id',
    );
    await client.end();
    expect(rows.map((row) => row.id)).toEqual(Array.from({ length: COUNT }, (_, id) => id));
    expect(rows.filter((row) => Number(row.copies) !== 1)).toEqual([]);
    const [group] = await topics.groups(topic);
    expect(group).toMatchObject({ name: 'recorder', lag: 0, deadLettered: 0 });
  });
});
