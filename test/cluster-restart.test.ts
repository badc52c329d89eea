/**
 * PostgreSQL restarted in the middle of a cluster run, on a private server this test starts
 * (so the shared one is left alone): the scheduler's state writes, the workers' claims and
 * commits and both LISTEN connections ride the restart out; the run ends explicitly and
 * nothing is duplicated or half-written.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, killAll, startSluice, withClient, type SluiceProcess } from './cluster-helpers.js';
import { tempProjects } from './helpers.js';

const BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];
const binDir = BIN_DIRS.find((dir) => existsSync(join(dir, 'pg_ctl')));
const root = mkdtempSync(join(tmpdir(), 'sluice-pg-'));
const data = join(root, 'data');
const port = 30_000 + Math.floor(Math.random() * 20_000);

/** Runs a PostgreSQL program as the `postgres` user when this process is root (initdb refuses root). */
function pgTool(tool: string, args: string[]): void {
  const path = join(binDir!, tool);
  const asRoot = process.getuid?.() === 0;
  // NOTE: no pipes: the server pg_ctl starts would inherit them and keep this call waiting.
  execFileSync(asRoot ? 'runuser' : path, asRoot ? ['-u', 'postgres', '--', path, ...args] : args, {
    stdio: 'ignore',
  });
}

const pgctl = (action: string, ...extra: string[]): void =>
  pgTool('pg_ctl', [action, '-D', data, '-w', '-t', '30', ...extra]);

beforeAll(() => {
  if (!binDir) throw new Error(`no PostgreSQL server binaries in ${BIN_DIRS.join(', ')}; install postgresql`);
  if (process.getuid?.() === 0)
    chownSync(root, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0);
  pgTool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  pgctl(
    'start',
    '-l',
    join(root, 'server.log'),
    '-o',
    `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`,
  );
});

afterAll(() => {
  try {
    pgctl('stop', '-m', 'immediate');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

const project = tempProjects();
const started: SluiceProcess[] = [];

describe('PostgreSQL restarted mid-run', () => {
  it('the run ends explicitly, with every datum once', async () => {
    const dir = await project({
      'pipeline.yaml': `name: restart
params:
  n: { type: integer, default: 30 }
tables:
  seen:
    columns: { item: integer }
steps:
  split:
    run: ./split.ts
    inputs: [n]
    outputs: ["items[]"]
  work:
    run: ./work.ts
    inputs: [items]
    outputs: [out]
    parallelism: 8
    tables: [seen]
  gather:
    run: ./gather.ts
    inputs: ["out[]"]
    outputs: [total]
`,
      'split.ts':
        'export default async (ctx) => ({ items: Array.from({ length: ctx.inputs.n }, (_, i) => i) });\n',
      'work.ts': `export default async (ctx) => {
  await new Promise((resolve) => setTimeout(resolve, 100));
  ctx.table('seen').insert([{ item: ctx.inputs.items }]);
  return { out: ctx.inputs.items };
};
`,
      'gather.ts': 'export default async (ctx) => ({ total: ctx.inputs.out.length });\n',
    });
    const url = await freshDatabase('sluice_restart', `postgres://postgres@127.0.0.1:${port}/postgres`);
    const env = { SLUICE_DATABASE_URL: url, SLUICE_HOME: `${dir}/.sluice`, SLUICE_LEASE_MS: '3000' };
    try {
      const worker = startSluice(['worker', '--concurrency', '2', '--json'], dir, env);
      started.push(worker);
      await worker.waitFor(/"event":"ready"/);
      const run = startSluice(['run', 'pipeline.yaml', '--json'], dir, env);
      started.push(run);
      await worker.waitFor(/("event":"committed"[^\n]*\n[^]*){5}/, 30_000);
      const restartedAt = Date.now();
      pgctl('restart', '-m', 'fast');
      const { code } = await run.exited;
      const tookMs = Date.now() - restartedAt;
      expect(run.stdout(), `exit ${code}: ${run.stderr()}`).not.toBe('');
      const result = JSON.parse(run.stdout()) as { runId: string; status: string; error: unknown };
      const state = await withClient(url, async (client) => {
        const status = await client.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [
          result.runId,
        ]);
        const rows = await client.query<{ item: number; n: string }>(
          'SELECT item, count(*) AS n FROM sluice_tables.seen GROUP BY item',
        );
        return { status: status.rows[0]?.status, rows: rows.rows.map((row) => [row.item, Number(row.n)]) };
      });
      // Nothing left running, and the exit code tells how it ended.
      expect(state.status).toBe(result.status);
      expect(['succeeded', 'failed']).toContain(result.status);
      expect(code).toBe(result.status === 'succeeded' ? 0 : 1);
      if (result.status === 'failed') expect(result.error).toBeTruthy();
      // No row twice; a succeeded run has every datum's row.
      expect(state.rows.filter(([, n]) => n !== 1)).toEqual([]);
      if (result.status === 'succeeded') expect(state.rows.length).toBe(30);
      console.log(
        `PostgreSQL restart mid-run: run ${result.status} ${tookMs} ms after the restart began${result.error ? ` (${JSON.stringify(result.error)})` : ''}`,
      );
    } finally {
      killAll(started.splice(0));
    }
  });
});
