/**
 * The experiments API over a real workspace: pipelines that log metrics, a pipeline's runs
 * with params, logged params and per-key summaries, and the series of chosen runs.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileConfig } from '../src/cli/config.js';
import { openLocalWorkspace } from '../src/cli/workspace.js';
import { createApiApp } from '../src/server/http/index.js';
import { Service } from '../src/service/index.js';
import { sluice, tempProjects, tsStep } from './helpers.js';

const project = tempProjects();

const FIT = tsStep(
  [
    'const lr = Number(ctx.inputs.lr);',
    'let loss = 1;',
    'for (let epoch = 0; epoch < 4; epoch++) {',
    '  loss = loss * (1 - lr);',
    "  ctx.metric('loss', loss, { step: epoch });",
    '}',
    "ctx.metric('score', 10 * lr);",
    'ctx.logParams({ epochs: 4 });',
    'return { loss };',
  ].join('\n'),
);
const SPEC = [
  'name: train',
  'params:',
  '  lr: { type: number, default: 0.5 }',
  'steps:',
  '  fit:',
  '    run: ./fit.ts',
  '    inputs: [lr]',
  '    outputs: [loss]',
  '',
].join('\n');

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A project where pipeline `train` ran with lr 0.5 then 0.25; its API app. */
async function setup() {
  const dir = await project({ 'fit.ts': FIT, 'train.yaml': SPEC });
  expect((await sluice(['pipeline', 'create', 'train.yaml'], dir)).code).toBe(0);
  for (const lr of ['0.5', '0.25'])
    expect((await sluice(['run', 'train', '-p', `lr=${lr}`, '-q'], dir)).code).toBe(0);
  const config = compileConfig({}, { SLUICE_HOME: join(dir, '.sluice') }, dir, false);
  const workspace = await openLocalWorkspace(config, 'http-experiments test');
  const service = new Service({ store: workspace.store, engine: workspace.engine, schedule: false });
  closers.push(() => workspace.close());
  const app = createApiApp({ workspace, launcher: service, auth: { mode: 'open' }, dev: false, ui: false });
  return async (path: string) => {
    const response = await app.request(path);
    return { status: response.status, body: (await response.json()) as unknown };
  };
}

describe('experiments API', () => {
  it('lists pipelines with metrics, runs with summaries and series of chosen runs; refuses bad requests', async () => {
    const get = await setup();
    expect((await get('/api/experiments')).body).toMatchObject([
      { pipeline: 'train', runs: 2, keys: ['loss', 'score'] },
    ]);

    const runs = (await get('/api/experiments/train')).body as {
      id: string;
      params: Record<string, unknown>;
      loggedParams: Record<string, unknown>;
      metrics: { key: string; last: number; min: number; max: number; count: number }[];
    }[];
    expect(runs.map((run) => run.params.lr)).toEqual([0.25, 0.5]);
    expect(runs[0]!.loggedParams).toEqual({ epochs: 4 });
    expect(runs[0]!.metrics).toEqual([
      { key: 'loss', last: 0.75 ** 4, min: 0.75 ** 4, max: 0.75, count: 4 },
      { key: 'score', last: 2.5, min: 2.5, max: 2.5, count: 1 },
    ]);
    expect((await get('/api/experiments/train?limit=1')).body).toHaveLength(1);

    const ids = runs.map((run) => run.id).join(',');
    const series = (await get(`/api/experiments/train/series?runs=${ids},nope&key=loss`)).body as {
      runId: string;
      index: number;
    }[];
    expect(series).toHaveLength(8);
    expect(series.filter((point) => point.runId === runs[1]!.id).map((point) => point.index)).toEqual([
      0, 1, 2, 3,
    ]);

    expect(await get('/api/experiments/nope')).toMatchObject({
      status: 404,
      body: { code: 'PIPELINE_NOT_FOUND' },
    });
    expect((await get('/api/experiments/train/series?runs=')).status).toBe(400);
    expect((await get('/api/experiments/train/series?runs=,,')).status).toBe(400);
  });
});
