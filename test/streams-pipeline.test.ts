/**
 * Topics in pipelines, seen through `sluice run`: a topic input consumed in batches (one
 * datum each) until it goes quiet, acks only after a batch's rows are committed, a failed
 * batch dead-lettered, a batch left open by a dead run formed again with the same messages,
 * outputs and `ctx.publish` messages published once, and the SLUICE_TABLES_URL table target.
 */
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openEmbeddedStore, streamBatchQueries } from '../src/store/index.js';
import { createEmbeddedTopics, messageValue, type Topics } from '../src/streams/index.js';
import { sluice, tempProjects, tsStep } from './helpers.js';

const project = tempProjects();

interface RunJson {
  runId: string;
  status: string;
  outputs: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

async function run(dir: string, file: string, env: Record<string, string> = {}): Promise<RunJson> {
  const result = await sluice(['run', file, '--json'], dir, env);
  return JSON.parse(result.stdout) as RunJson;
}

/** Opens the project's data directory as its owner for `fn` (no run may be going on). */
async function withTopics<T>(
  dir: string,
  fn: (topics: Topics, store: Awaited<ReturnType<typeof openEmbeddedStore>>['store']) => Promise<T>,
): Promise<T> {
  const { store, lock } = await openEmbeddedStore({ home: join(dir, '.sluice') });
  const topics = await createEmbeddedTopics(store.sql);
  try {
    return await fn(topics, store);
  } finally {
    await topics.close();
    await store.close();
    await lock.release();
  }
}

const SQUARES = {
  'squares.yaml': `
name: squares
inputs:
  numbers: { topic: numbers, group: squarer, batch: 10, timeout: 400ms, wait: 50ms }
tables:
  squares: { columns: { n: integer, square: integer, seq: bigint } }
steps:
  square:
    run: ./square.ts
    inputs: [numbers]
    outputs: [count]
    tables: [squares]
    topics: [audit]
    publish: { count: counts }
  total:
    run: ./total.ts
    inputs: ["count[]"]
    outputs: [total]
`,
  'square.ts': tsStep(`
  const rows = ctx.inputs.numbers.messages.map((m) => {
    if (m.value.n < 0) throw new Error('negative number at seq ' + m.seq);
    return { n: m.value.n, square: m.value.n * m.value.n, seq: m.seq };
  });
  ctx.table('squares').insert(rows);
  ctx.publish('audit', [{ value: { batch: ctx.datum, size: rows.length } }]);
  return { count: rows.length };`),
  'total.ts': tsStep('return { total: ctx.inputs.count.reduce((sum, n) => sum + n, 0) };'),
};

describe('a topic as a step input', () => {
  it('runs one datum per batch, acks each after its rows are committed, and publishes once', async () => {
    const dir = await project(SQUARES);
    await withTopics(dir, async (topics) => {
      await topics.create('numbers');
      await topics.produce(
        'numbers',
        Array.from({ length: 25 }, (_, n) => ({ value: { n } })),
      );
    });

    // The topics the step publishes to are created on first use.
    const first = await run(dir, 'squares.yaml');
    expect(first).toMatchObject({ status: 'succeeded', outputs: { total: 25 } });
    const shown = await sluice(['show', first.runId, '--json'], dir);
    const tasks = (JSON.parse(shown.stdout) as { tasks: { step: string; datum: string; status: string }[] })
      .tasks;
    expect(tasks.filter((task) => task.step === 'square').map((task) => task.datum)).toEqual([
      '000000000001-000000000010',
      '000000000011-000000000020',
      '000000000021-000000000025',
    ]);

    // Nothing new: the next run consumes nothing, and no row or message is added.
    const second = await run(dir, 'squares.yaml');
    expect(second).toMatchObject({ status: 'succeeded', outputs: { total: 0 } });

    // A replay: the group is reset, the batches form again and their stored results are reused.
    await withTopics(dir, (topics) => topics.resetGroup('numbers', 'squarer', 'earliest'));
    const replay = await run(dir, 'squares.yaml');
    expect(replay).toMatchObject({ status: 'succeeded', outputs: { total: 25 } });

    await withTopics(dir, async (topics, store) => {
      const [group] = await topics.groups('numbers');
      expect(group).toMatchObject({ name: 'squarer', lag: 0, unacked: 0, ackFloor: 25 });
      const counts = await topics.read('counts');
      expect(counts.map((message) => messageValue(message))).toEqual([10, 10, 5]);
      const audit = await topics.read('audit');
      expect(audit.map((message) => (messageValue(message) as { size: number }).size)).toEqual([10, 10, 5]);
      const { rows } = await store.sql.query<{ n: number; seq: number }>(
        'SELECT n, seq FROM sluice_tables.squares ORDER BY seq',
      );
      expect(rows.map((row) => Number(row.n))).toEqual(Array.from({ length: 25 }, (_, n) => n));
    });
  });

  it('dead-letters a batch whose step fails, and the run says which batch failed', async () => {
    const dir = await project(SQUARES);
    await withTopics(dir, async (topics) => {
      await topics.create('numbers');
      await topics.produce(
        'numbers',
        [1, 2, -3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => ({ value: { n } })),
      );
    });
    const result = await run(dir, 'squares.yaml');
    expect(result.status).toBe('failed');
    expect(result.error?.message).toContain('negative number at seq 3');

    await withTopics(dir, async (topics, store) => {
      const dead = await topics.read('numbers.dlq');
      expect(dead.map((message) => (messageValue(message) as { n: number }).n)).toEqual([
        1, 2, -3, 4, 5, 6, 7, 8, 9, 10,
      ]);
      expect(dead[2]?.headers).toMatchObject({
        'sluice-dead-letter-topic': 'numbers',
        'sluice-dead-letter-seq': '3',
        'sluice-dead-letter-group': 'squarer',
      });
      expect(dead[2]?.headers['sluice-dead-letter-reason']).toContain('negative number at seq 3');
      const [group] = await topics.groups('numbers');
      expect(group).toMatchObject({ lag: 0, deadLettered: 10 });
      // The good batch still landed; the failed one wrote nothing.
      const { rows } = await store.sql.query<{ n: number }>('SELECT n FROM sluice_tables.squares ORDER BY n');
      expect(rows.map((row) => Number(row.n))).toEqual([11, 12]);
    });
  });

  it('forms a batch left open by a dead run again, from the same messages', async () => {
    const dir = await project(SQUARES);
    await withTopics(dir, async (topics, store) => {
      await topics.create('numbers', { ackWaitMs: 200 });
      await topics.produce(
        'numbers',
        [1, 2, 3, 4].map((n) => ({ value: { n } })),
      );
      // A run that died after recording its batch of the first three messages, unacked.
      const consumer = await topics.consumer('numbers', 'squarer');
      const taken = await consumer.fetch({ max: 3, expiresMs: 500 });
      expect(taken.map((message) => message.seq)).toEqual([1, 2, 3]);
      await streamBatchQueries(store.sql).assign(
        'numbers/squarer',
        '000000000001-000000000003',
        [1, 2, 3],
        'dead-run',
      );
      await consumer.close();
    });
    const result = await run(dir, 'squares.yaml');
    expect(result).toMatchObject({ status: 'succeeded', outputs: { total: 4 } });
    const shown = await sluice(['show', result.runId, '--json'], dir);
    const tasks = (JSON.parse(shown.stdout) as { tasks: { step: string; datum: string }[] }).tasks;
    expect(
      tasks
        .filter((task) => task.step === 'square')
        .map((task) => task.datum)
        .sort(),
    ).toEqual(['000000000001-000000000003', '000000000004-000000000004']);
    await withTopics(dir, async (topics) => {
      expect((await topics.groups('numbers'))[0]).toMatchObject({ lag: 0, ackFloor: 4 });
    });
  });

  it('reports a topic input that names no topic, and bad names, before running', async () => {
    const dir = await project({
      ...SQUARES,
      'bad.yaml': `
name: bad
inputs:
  numbers: { topic: Numbers!, timeout: { param: wait_ms } }
steps:
  square:
    run: ./total.ts
    inputs: [numbers]
    outputs: [total]
    publish: { missing: out }
`,
    });
    const validate = await sluice(['validate', 'bad.yaml', '--json'], dir);
    expect(validate.code).toBe(3);
    const messages = (
      JSON.parse(validate.stdout) as { problems: { message: string; line: number }[] }
    ).problems.map((problem) => `${problem.line}: ${problem.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^4: stream input 'numbers': topic name 'Numbers!' is not valid/),
        expect.stringMatching(/^4: stream input 'numbers': timeout param 'wait_ms' is not declared/),
        expect.stringMatching(/^10: step 'square' publishes output 'missing', which it does not list/),
      ]),
    );

    const missing = await run(dir, 'squares.yaml');
    expect(missing.status).toBe('failed');
    expect(missing.error?.message).toMatch(/stream input 'numbers': .*topic 'numbers'/);
  });
});

describe('SLUICE_TABLES_URL', () => {
  it('writes table rows to that PostgreSQL database instead of the data directory', async () => {
    const schema = `sluice_test_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await admin.connect().catch((error: unknown) => {
      throw new Error(`PostgreSQL at 127.0.0.1:5432 is needed for this test: ${String(error)}`);
    });
    await admin.query(`CREATE DATABASE ${schema}`);
    try {
      const url = `postgres://postgres@127.0.0.1:5432/${schema}`;
      const dir = await project(SQUARES);
      await withTopics(dir, async (topics) => {
        await topics.create('numbers');
        await topics.produce(
          'numbers',
          [3, 4].map((n) => ({ value: { n } })),
        );
      });
      const result = await run(dir, 'squares.yaml', { SLUICE_TABLES_URL: url });
      expect(result).toMatchObject({ status: 'succeeded', outputs: { total: 2 } });
      const server = new pg.Client({ connectionString: url });
      await server.connect();
      const { rows } = await server.query<{ n: number; square: number }>(
        'SELECT n, square FROM sluice_tables.squares ORDER BY n',
      );
      await server.end();
      expect(rows).toEqual([
        { n: 3, square: 9 },
        { n: 4, square: 16 },
      ]);
      const shown = await sluice(['table', 'show', 'squares', '--json'], dir, { SLUICE_TABLES_URL: url });
      expect((JSON.parse(shown.stdout) as { total: number }).total).toBe(2);
      const bad = await sluice(['table', 'list'], dir, { SLUICE_TABLES_URL: 'mysql://nowhere' });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('SLUICE_TABLES_URL: expected a PostgreSQL URL');
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${schema} WITH (FORCE)`);
      await admin.end();
    }
  });
});
