/**
 * Cluster mode on a real PostgreSQL server: `sluice run` and `sluice server` dispatch to
 * `sluice worker` processes, and the fault tests of DESIGN.md's guarantees — workers killed
 * at each point of an attempt, a worker paused past its lease, a scheduler killed while
 * another runs — end with every datum done once, no duplicate outputs or table rows, and
 * no run stuck or started twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FAULT_POINTS } from '../src/cluster/index.js';
import {
  freshDatabase,
  killAll,
  runSluice,
  startSluice,
  withClient,
  type SluiceProcess,
} from './cluster-helpers.js';
import { tempProjects } from './helpers.js';

const project = tempProjects();
const started: SluiceProcess[] = [];
afterEach(() => killAll(started.splice(0)));

/** A 1 -> n -> 1 pipeline whose per-datum step sleeps, records its process and writes a row. */
const FILES = {
  'pipeline.yaml': `name: spread
params:
  n: { type: integer, default: 12 }
  sleep_ms: { type: integer, default: 0 }
tables:
  seen:
    columns: { item: integer, pid: integer }
steps:
  split:
    run: ./split.ts
    inputs: [n]
    outputs: ["items[]"]
  work:
    run: ./work.ts
    inputs: [items, sleep_ms]
    outputs: [out]
    parallelism: 64
    tables: [seen]
  gather:
    run: ./gather.ts
    inputs: ["out[]"]
    outputs: [done, pids]
`,
  'split.ts':
    'export default async (ctx) => ({ items: Array.from({ length: ctx.inputs.n }, (_, i) => i) });\n',
  'work.ts': `export default async (ctx) => {
  if (ctx.inputs.sleep_ms > 0) await new Promise((resolve) => setTimeout(resolve, ctx.inputs.sleep_ms));
  ctx.table('seen').insert([{ item: ctx.inputs.items, pid: process.pid }]);
  return { out: { item: ctx.inputs.items, pid: process.pid } };
};
`,
  'gather.ts': `export default async (ctx) => ({
  done: ctx.inputs.out.map((o) => o.item),
  pids: [...new Set(ctx.inputs.out.map((o) => o.pid))].sort(),
});
`,
};

async function setup(name: string, extra: Record<string, string> = {}) {
  const dir = await project(FILES);
  const url = await freshDatabase(name);
  const env = { SLUICE_DATABASE_URL: url, SLUICE_HOME: `${dir}/.sluice`, ...extra };
  const worker = (more: Record<string, string> = {}, args: string[] = []): SluiceProcess => {
    const child = startSluice(['worker', '--concurrency', '2', '--json', ...args], dir, { ...env, ...more });
    started.push(child);
    return child;
  };
  return { dir, url, env, worker };
}

/** Rows the step wrote, per item. */
async function rowsPerItem(url: string): Promise<Map<number, number>> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ item: number; n: string }>(
      'SELECT item, count(*) AS n FROM sluice_tables.seen GROUP BY item',
    );
    return new Map(rows.map((row) => [Number(row.item), Number(row.n)]));
  });
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

describe('cluster mode', () => {
  it('runs datums on two workers, each datum once, with rows in PostgreSQL', async () => {
    const { dir, url, env, worker } = await setup('sluice_test_cluster_basic');
    const a = worker();
    const b = worker();
    await Promise.all([a.waitFor(/"event":"ready"/), b.waitFor(/"event":"ready"/)]);
    const run = await runSluice(
      ['run', 'pipeline.yaml', '--json', '-p', 'n=40', '-p', 'sleep_ms=30'],
      dir,
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { status: string; outputs: { done: number[]; pids: number[] } };
    expect(result.status).toBe('succeeded');
    expect(result.outputs.done).toEqual(range(40));
    // Both workers executed datums (each runs steps on worker threads of its own process).
    expect(result.outputs.pids.sort()).toEqual([a.child.pid, b.child.pid].sort());
    const rows = await rowsPerItem(url);
    expect([...rows.keys()].sort((x, y) => x - y)).toEqual(range(40));
    expect([...rows.values()].every((count) => count === 1)).toBe(true);

    const listed = await runSluice(['workers', '--json'], dir, env);
    const { workers } = JSON.parse(listed.stdout) as { workers: { pid: number; done: number }[] };
    expect(workers.map((item) => item.pid).sort()).toEqual([a.child.pid, b.child.pid].sort());

    // Without SLUICE_DATABASE_URL a worker refuses to start, saying what it needs.
    const bare = await runSluice(['worker'], dir, { SLUICE_HOME: env.SLUICE_HOME });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/SLUICE_DATABASE_URL/);
  });

  // SLUICE_FAULT_REPEAT=N repeats each kill point N times (RELIABILITY.md's figures); CI runs each once.
  const repeat = Math.max(1, Number(process.env.SLUICE_FAULT_REPEAT ?? 1));
  const points = FAULT_POINTS.flatMap((point) => Array.from({ length: repeat }, () => point));
  it.each(points)('loses no datum and duplicates nothing when a worker is killed %s', async (point) => {
    const { dir, url, env, worker } = await setup(`sluice_test_cluster_${point.replaceAll('-', '_')}`, {
      SLUICE_LEASE_MS: '1000',
    });
    const doomed = worker({ SLUICE_FAULT_POINT: point });
    await doomed.waitFor(/"event":"ready"/);
    const sleep = point === 'during-user-code' ? 400 : 20;
    const run = startSluice(
      ['run', 'pipeline.yaml', '--json', '-p', 'n=12', '-p', `sleep_ms=${sleep}`],
      dir,
      env,
    );
    started.push(run);
    const death = await doomed.exited;
    const killedAt = Date.now();
    expect(death.signal).toBe('SIGKILL');
    const survivor = worker();
    const { code } = await run.exited;
    const recoveryMs = Date.now() - killedAt;
    expect(code, run.stderr()).toBe(0);
    const result = JSON.parse(run.stdout()) as { outputs: { done: number[]; pids: number[] } };
    expect(result.outputs.done).toEqual(range(12));
    const rows = await rowsPerItem(url);
    expect([...rows.keys()].sort((x, y) => x - y)).toEqual(range(12));
    expect([...rows.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    // Every attempt's outcome was committed once: by the survivor, or by the doomed worker
    // when its commit landed before it died (during-commit may go either way).
    const done = await withClient(url, async (client) => {
      const { rows: finished } = await client.query<{ state: string; n: string }>(
        "SELECT state, count(*) AS n FROM dispatch WHERE step = 'work' GROUP BY state",
      );
      return Object.fromEntries(finished.map((row) => [row.state, Number(row.n)]));
    });
    expect(done).toEqual({ done: 12 });
    expect(survivor.stdout()).toMatch(/"event":"committed"/);
    console.log(`kill -9 ${point}: recovered in ${recoveryMs} ms (lease 1000 ms)`);
  });

  it('refuses every commit of a worker paused past its lease (SIGSTOP, SIGCONT)', async () => {
    const { dir, url, env, worker } = await setup('sluice_test_cluster_sigstop', { SLUICE_LEASE_MS: '1000' });
    const stale = worker();
    await stale.waitFor(/"event":"ready"/);
    const run = startSluice(['run', 'pipeline.yaml', '--json', '-p', 'n=4', '-p', 'sleep_ms=600'], dir, env);
    started.push(run);
    await stale.waitFor(/"event":"start".*"step":"work"/);
    stale.child.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const fresh = worker();
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(0);
    const committedBefore = countEvents(stale.stdout(), 'committed');
    stale.child.kill('SIGCONT');
    // The stale worker wakes, finishes its attempts and tries to commit them: all refused.
    await stale.waitFor(/"event":"(rejected|lost)"/, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(countEvents(stale.stdout(), 'committed')).toBe(committedBefore);
    const byWorker = await withClient(url, async (client) => {
      const { rows } = await client.query<{ worker: string; n: string }>(
        "SELECT result->>'worker' AS worker, count(*) AS n FROM dispatch WHERE step = 'work' AND state = 'done' GROUP BY 1",
      );
      return rows;
    });
    expect(byWorker.reduce((sum, row) => sum + Number(row.n), 0)).toBe(4);
    const rows = await rowsPerItem(url);
    expect([...rows.values()]).toEqual([1, 1, 1, 1]);
    expect(fresh.stdout()).toMatch(/"event":"committed"/);
  });

  it('two schedulers share the runs; killing one leaves no run stuck and none started twice', async () => {
    const { dir, url, env, worker } = await setup('sluice_test_cluster_schedulers', {
      SLUICE_RUN_LEASE_MS: '1500',
    });
    worker();
    worker();
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const server = (home: string, port: number): SluiceProcess => {
      const child = startSluice(['server', '--port', String(port)], dir, {
        ...env,
        SLUICE_HOME: `${dir}/${home}`,
      });
      started.push(child);
      return child;
    };
    const token = await runSluice(['token', 'create', '--role', 'admin', '--json'], dir, env);
    expect(token.code, token.stderr).toBe(0);
    const secret = (JSON.parse(token.stdout) as { secret: string }).secret;
    const first = server('s1', base);
    const second = server('s2', base + 1);
    await Promise.all([first.waitFor(/serving the web UI/), second.waitFor(/serving the web UI/)]);
    const urlOf = (item: SluiceProcess): string =>
      /serving the web UI at (http:\/\/\S+?)\//.exec(item.stderr())![1]!;
    const created = await runSluice(['pipeline', 'create', 'pipeline.yaml', '--json'], dir, {
      ...env,
      SLUICE_URL: urlOf(first),
      SLUICE_TOKEN: secret,
    });
    expect(created.code, created.stderr).toBe(0);
    const launched: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const target = i % 2 === 0 ? first : second;
      const response = await fetch(`${urlOf(target)}/api/pipelines/spread/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ params: { n: 6, sleep_ms: 150 } }),
      });
      expect(response.status, await response.clone().text()).toBeLessThan(300);
      launched.push(((await response.json()) as { id: string }).id);
    }
    await first.waitFor(/started/, 20_000);
    first.child.kill('SIGKILL');

    // Every run ends: succeeded, or interrupted with its resume succeeded.
    const deadline = Date.now() + 60_000;
    let runs: { id: string; status: string; trigger: { kind: string; runId?: string } | null }[] = [];
    for (;;) {
      runs = await withClient(url, async (client) => {
        const { rows } = await client.query<{ id: string; status: string; triggered_by: never }>(
          "SELECT id, status, triggered_by FROM runs WHERE pipeline = 'spread'",
        );
        return rows.map((row) => ({ id: row.id, status: row.status, trigger: row.triggered_by }));
      });
      if (runs.every((run) => run.status !== 'queued' && run.status !== 'running')) {
        const interrupted = runs.filter((run) => run.status === 'interrupted');
        const resumed = runs.filter((run) => run.trigger?.kind === 'resume');
        if (resumed.length >= interrupted.length) break;
      }
      if (Date.now() > deadline) throw new Error(`runs did not all end: ${JSON.stringify(runs)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // The killed scheduler held runs: they were taken over and resumed by the other one.
    const interrupted = runs.filter((run) => run.status === 'interrupted');
    expect(interrupted.length).toBeGreaterThan(0);
    console.log(
      `schedulers: ${launched.length} runs launched, ${interrupted.length} interrupted by the kill and resumed once each`,
    );
    for (const id of launched) {
      const run = runs.find((item) => item.id === id)!;
      if (run.status === 'interrupted') {
        const resumes = runs.filter((item) => item.trigger?.kind === 'resume' && item.trigger.runId === id);
        expect(resumes.map((item) => item.status)).toEqual(['succeeded']);
      } else {
        expect(run.status).toBe('succeeded');
      }
    }
    // No run started twice: each id appears in one scheduler's `started` events at most once.
    const startedIds = [...`${first.stderr()}\n${second.stderr()}`.matchAll(/started\s+spread\s+(\S+)/g)].map(
      (match) => match[1],
    );
    expect(startedIds.length).toBeGreaterThan(0);
    expect(new Set(startedIds).size).toBe(startedIds.length);
  });
});

function countEvents(stdout: string, event: string): number {
  return stdout.split('\n').filter((line) => line.includes(`"event":"${event}"`)).length;
}
