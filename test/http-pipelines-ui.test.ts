/**
 * What the web UI's pipeline pages read: the pipeline list with triggers and recent runs,
 * and one pipeline with its compiled spec (params, steps wired by values, data inputs,
 * triggers) and the spec file's text; a spec that no longer loads is reported, not hidden.
 */
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileConfig } from '../src/cli/config.js';
import { openLocalWorkspace } from '../src/cli/workspace.js';
import { createApiApp } from '../src/server/http/index.js';
import { Service } from '../src/service/index.js';
import { sluice, tempProject, tsStep } from './helpers.js';

const SPEC = [
  'name: scores',
  'description: Counts files, then scores them',
  'params:',
  '  epochs: { type: integer, default: 2, description: passes }',
  '  label: { type: string }',
  '  mode: { type: string, enum: [fast, slow], default: fast }',
  'inputs:',
  '  docs: { repo: notes, glob: "/*" }',
  'triggers:',
  '  - commit: notes',
  '  - cron: "0 3 * * *"',
  '    tz: Europe/Paris',
  'steps:',
  '  count:',
  '    run: ./count.ts',
  '    inputs: [docs]',
  '    outputs: [n]',
  '  score:',
  '    run: ./score.ts',
  '    inputs: ["n[]", epochs, label]',
  '    outputs: [score]',
  '',
].join('\n');

const open: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function start(): Promise<{ dir: string; url: string }> {
  const { dir, cleanup } = await tempProject({
    'scores.yaml': SPEC,
    'count.ts': tsStep('return { n: 1 };'),
    'score.ts': tsStep('return { score: ctx.inputs.n.length * ctx.inputs.epochs };'),
  });
  open.push(cleanup);
  expect((await sluice(['repo', 'create', 'notes'], dir)).code).toBe(0);
  expect((await sluice(['pipeline', 'create', 'scores.yaml'], dir)).code).toBe(0);
  const config = compileConfig({}, { SLUICE_HOME: join(dir, '.sluice') }, dir, false);
  const workspace = await openLocalWorkspace(config, 'http-pipelines-ui test');
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
  return { dir, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked by matchers
async function get(url: string): Promise<any> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.json();
}

// NOTE: one server for the file; the tests run in order and the last one breaks the spec.
describe('pipeline pages API', () => {
  let dir = '';
  let url = '';
  beforeAll(async () => {
    ({ dir, url } = await start());
  });

  it('describes a pipeline: params, steps wired by values, inputs, triggers and its spec text', async () => {
    const detail = await get(`${url}/api/pipelines/scores`);
    expect(detail.problems).toEqual([]);
    expect(detail.source).toBe(SPEC);
    const definition = detail.definition;
    expect(definition.description).toBe('Counts files, then scores them');
    expect(definition.params).toEqual([
      { name: 'epochs', type: 'integer', required: false, default: 2, description: 'passes', enum: null },
      { name: 'label', type: 'string', required: true, description: null, enum: null },
      {
        name: 'mode',
        type: 'string',
        required: false,
        default: 'fast',
        description: null,
        enum: ['fast', 'slow'],
      },
    ]);
    expect(definition.inputs).toEqual([
      { name: 'docs', kind: 'repo', repos: [{ member: 'docs', repo: 'notes', branch: 'main', glob: '/*' }] },
    ]);
    expect(definition.steps.map((step: { name: string }) => step.name)).toEqual(['count', 'score']);
    expect(definition.steps[1]).toMatchObject({
      runtime: 'ts',
      run: 'score.ts',
      inputs: [
        { name: 'n', gather: true, kind: 'step', producer: 'count' },
        { name: 'epochs', gather: false, kind: 'param', producer: 'param' },
        { name: 'label', gather: false, kind: 'param', producer: 'param' },
      ],
      outputs: [{ name: 'score', scatter: false }],
    });
    expect(definition.steps[0].inputs).toEqual([
      { name: 'docs', gather: false, kind: 'input', producer: 'input' },
    ]);
    expect(definition.triggers).toEqual([
      { kind: 'commit', repo: 'notes' },
      { kind: 'cron', cron: '0 3 * * *', tz: 'Europe/Paris', catchup: 'latest' },
    ]);
    expect(definition.outputs).toEqual(['score']);
  });

  it('lists pipelines with their triggers, step count and latest runs, newest first', async () => {
    const before = await get(`${url}/api/pipelines`);
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({
      name: 'scores',
      version: 1,
      description: 'Counts files, then scores them',
      steps: 2,
      problems: [],
      recentRuns: [],
      inputRepos: ['notes@main'],
    });
    expect(before[0].triggers.map((trigger: { kind: string }) => trigger.kind)).toEqual(['commit', 'cron']);
    const ids: string[] = [];
    for (const label of ['a', 'b']) {
      const response = await fetch(`${url}/api/pipelines/scores/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ params: { label } }),
      });
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as { id: string }).id);
    }
    const after = await get(`${url}/api/pipelines`);
    expect(after[0].recentRuns.map((run: { id: string }) => run.id)).toEqual([...ids].reverse());
    expect(Object.keys(after[0].recentRuns[0]).sort()).toEqual([
      'createdAt',
      'finishedAt',
      'id',
      'startedAt',
      'status',
    ]);
  });

  it('reports a spec file that no longer loads instead of a definition', async () => {
    await writeFile(join(dir, 'scores.yaml'), SPEC.replace('inputs: [docs]', 'inputs: [dcos]'));
    const detail = await get(`${url}/api/pipelines/scores`);
    expect(detail.definition).toBeNull();
    expect(detail.problems.join('\n')).toContain("step 'count' needs input 'dcos'");
    expect(detail.source).toContain('inputs: [dcos]');
    const [listed] = await get(`${url}/api/pipelines`);
    expect(listed.problems.join('\n')).toContain("'dcos'");
    expect(listed.triggers).toEqual([]);
  });
});
