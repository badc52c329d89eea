/**
 * The API the runs pages read beyond the basic run routes: `GET /api/runs/grid`, a
 * pipeline's newest runs oldest first with per-step datum counts by state (one query).
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { compileConfig } from '../src/cli/config.js';
import { openLocalWorkspace } from '../src/cli/workspace.js';
import { createApiApp } from '../src/server/http/index.js';
import { Service } from '../src/service/index.js';
import { sluice, tempProjects, tsStep } from './helpers.js';

const project = tempProjects();

const PARSE = tsStep(
  [
    "const { readdir, readFile } = await import('node:fs/promises');",
    "const { join } = await import('node:path');",
    'let words = 0;',
    'for (const name of await readdir(ctx.inputs.docs)) {',
    "  const text = await readFile(join(ctx.inputs.docs, name), 'utf8');",
    "  if (text.includes('BROKEN')) throw new Error('cannot parse ' + name);",
    '  words += text.split(/\\s+/).length;',
    '}',
    'return { words };',
  ].join('\n'),
);
const SUM = tsStep('return { total: ctx.inputs.words.reduce((a, b) => a + b, 0) };');
const SPEC = [
  'name: wordcount',
  'inputs:',
  "  docs: { repo: docs, glob: '/*' }",
  'steps:',
  '  parse:',
  '    run: ./parse.ts',
  '    inputs: [docs]',
  '    outputs: [words]',
  '  summarise:',
  '    run: ./sum.ts',
  "    inputs: ['words[]']",
  '    outputs: [total]',
  'outputs: [total]',
  '',
].join('\n');

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/** A project whose repo `docs` holds three files, one of them failing `parse`; served on a free port. */
async function start(): Promise<string> {
  const dir = await project({
    'parse.ts': PARSE,
    'sum.ts': SUM,
    'wc.yaml': SPEC,
    'data/a.txt': 'one two',
    'data/b.txt': 'three',
    'data/bad.txt': 'BROKEN',
  });
  expect((await sluice(['repo', 'create', 'docs'], dir)).code).toBe(0);
  expect((await sluice(['put', 'docs', 'data'], dir)).code).toBe(0);
  expect((await sluice(['pipeline', 'create', 'wc.yaml', '--no-run'], dir)).code).toBe(0);
  const config = compileConfig({}, { SLUICE_HOME: join(dir, '.sluice') }, dir, false);
  const workspace = await openLocalWorkspace(config, 'http-runs-ui test');
  const service = new Service({ store: workspace.store, engine: workspace.engine, schedule: false });
  await service.start();
  const app = createApiApp({ workspace, launcher: service, auth: { mode: 'open' }, dev: false, pollMs: 50 });
  const server: ServerType = await new Promise((resolve) => {
    const created = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(created));
  });
  open.push(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    await service.stop();
    await workspace.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

/** Launches a run of `wordcount` and waits until it has ended; answers its id. */
async function runToEnd(url: string): Promise<string> {
  const response = await fetch(`${url}/api/pipelines/wordcount/runs`, { method: 'POST' });
  expect(response.status).toBe(202);
  const { id } = (await response.json()) as { id: string };
  for (let tries = 0; tries < 300; tries += 1) {
    const { body } = await getJson<{ run: { status: string } }>(`${url}/api/runs/${id}`);
    if (!['queued', 'running'].includes(body.run.status)) return id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${id} did not end`);
}

interface Grid {
  pipeline: string;
  steps: string[];
  runs: {
    id: string;
    status: string;
    trigger: { kind: string } | null;
    steps: Record<string, Record<string, number>>;
  }[];
}

describe('GET /api/runs/grid', () => {
  it("answers a pipeline's newest runs oldest first with per-step datum counts, or what is wrong", async () => {
    const url = await start();
    const first = await runToEnd(url);
    const second = await runToEnd(url);
    const { status, body } = await getJson<Grid>(`${url}/api/runs/grid?pipeline=wordcount`);
    expect(status).toBe(200);
    expect(body.pipeline).toBe('wordcount');
    expect(body.steps).toEqual(['parse', 'summarise']);
    expect(body.runs.map((run) => run.id)).toEqual([first, second]);
    expect(body.runs[0]).toMatchObject({
      status: 'failed',
      trigger: { kind: 'manual' },
      steps: { parse: { success: 2, failed: 1 }, summarise: { upstream_failed: 1 } },
    });
    // The second run reuses the two parsed datums and fails the broken one again.
    expect(body.runs[1]!.steps.parse).toEqual({ skipped: 2, failed: 1 });

    const limited = await getJson<Grid>(`${url}/api/runs/grid?pipeline=wordcount&limit=1`);
    expect(limited.body.runs.map((run) => run.id)).toEqual([second]);
    // The grid route does not shadow a run's own route.
    expect((await getJson<{ run: { id: string } }>(`${url}/api/runs/${first}`)).body.run.id).toBe(first);

    // Bad input says which pipeline is unknown, or that one must be named.
    const unknown = await getJson<{ code: string; message: string }>(`${url}/api/runs/grid?pipeline=nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      code: 'PIPELINE_NOT_FOUND',
      message: "pipeline 'nope' does not exist",
    });
    const missing = await getJson<{ code: string; message: string }>(`${url}/api/runs/grid`);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/query\.pipeline/);
  });
});
