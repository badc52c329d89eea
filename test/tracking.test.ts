/**
 * Tracking seen through the CLI: models saved by TS and command steps, model params that
 * resolve to concrete versions, table rows written once per execution, logged params,
 * artifacts, and `sluice models` / `sluice table`.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../src/store/index.js';
import { artifacts, runParams } from '../src/tracking/index.js';
import { sluice, tempProjects } from './helpers.js';

const project = tempProjects();

interface RunJson {
  runId: string;
  status: string;
  outputs: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

async function run(dir: string, file: string, ...args: string[]): Promise<RunJson> {
  const result = await sluice(['run', file, '--json', ...args], dir);
  return JSON.parse(result.stdout) as RunJson;
}

async function jsonOf<T>(dir: string, ...args: string[]): Promise<T> {
  const result = await sluice([...args, '--json'], dir);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

const TRAIN = {
  'train.yaml': `
name: train
params:
  k: { type: integer, default: 2 }
steps:
  train:
    run: ./train.ts
    inputs: [k]
    outputs: [model]
`,
  'train.ts': `
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default async function (ctx) {
  const dir = join(ctx.scratchDir, 'model');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.txt'), 'k=' + ctx.inputs.k);
  for (let epoch = 0; epoch < 3; epoch++) ctx.metric('loss', 1 / (epoch + 1), { step: epoch });
  ctx.logParams({ k: ctx.inputs.k, optimizer: 'sgd' });
  writeFileSync(join(ctx.scratchDir, 'report.txt'), 'trained with k=' + ctx.inputs.k);
  ctx.artifact('report', 'report.txt');
  const saved = await ctx.registry.save('clusters', dir, { metrics: { inertia: 10 / ctx.inputs.k }, params: { k: ctx.inputs.k } });
  return { model: saved };
}
`,
  'predict.yaml': `
name: predict
params:
  model: { type: model, default: clusters }
steps:
  predict:
    run: ./predict.ts
    inputs: [model]
    outputs: [used]
  check:
    run: { command: [python3, check.py] }
    inputs: [model]
    outputs: [checked]
`,
  'check.py': `import json, os
model = json.load(open(os.environ["SLUICE_INPUTS"]))["model"]
weights = open(os.path.join(model["dir"], "weights.txt")).read()
json.dump({"checked": "%s:%d %s %s" % (model["name"], model["version"], weights, model["params"])}, open(os.environ["SLUICE_OUTPUTS"], "w"))
`,
  'predict.ts': `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
export default async function (ctx) {
  const { name, version, dir, metrics } = ctx.inputs.model;
  const first = await ctx.registry.load('clusters:1');
  const missing = await ctx.registry.load('nothing').catch((error) => error.code);
  return { used: {
    model: name + ':' + version,
    weights: readFileSync(join(dir, 'weights.txt'), 'utf8'),
    inertia: metrics.inertia,
    first: readFileSync(join(first.dir, 'weights.txt'), 'utf8'),
    missing,
  } };
}
`,
};

describe('model registry in pipelines', () => {
  it('saves versions from a TS step and resolves model params to the latest or a pinned version', async () => {
    const dir = await project(TRAIN);
    const first = await run(dir, 'train.yaml');
    expect(first).toMatchObject({
      status: 'succeeded',
      outputs: { model: { name: 'clusters', version: 1 } },
    });
    const second = await run(dir, 'train.yaml', '-p', 'k=3');
    expect(second.outputs).toEqual({ model: { name: 'clusters', version: 2 } });

    const latest = await run(dir, 'predict.yaml');
    expect(latest.outputs).toEqual({
      used: {
        model: 'clusters:2',
        weights: 'k=3',
        inertia: 10 / 3,
        first: 'k=2',
        missing: 'MODEL_NOT_FOUND',
      },
      checked: "clusters:2 k=3 {'k': 3}",
    });
    // The run records the concrete version it used.
    const detail = await jsonOf<{ run: { params: Record<string, unknown> } }>(dir, 'show', latest.runId);
    expect(detail.run.params).toEqual({ model: 'clusters:2' });

    const pinned = await run(dir, 'predict.yaml', '-p', 'model=clusters:1');
    expect(pinned.outputs).toMatchObject({
      used: { model: 'clusters:1', weights: 'k=2' },
      checked: "clusters:1 k=2 {'k': 2}",
    });

    const missing = await sluice(['run', 'predict.yaml', '-p', 'model=clusters@production'], dir);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain(
      "[MODEL_NOT_FOUND] param 'model' (clusters@production): model 'clusters' has no alias 'production'; aliases: latest",
    );
    expect((await sluice(['models', 'alias', 'clusters', 'production', '1'], dir)).code).toBe(0);
    const production = await run(dir, 'predict.yaml', '-p', 'model=clusters@production');
    expect(production.outputs).toMatchObject({ used: { model: 'clusters:1' } });

    // A new model version changes the step's execution key: the step runs again.
    await run(dir, 'train.yaml', '-p', 'k=4');
    const retrained = await run(dir, 'predict.yaml');
    expect(retrained.outputs).toMatchObject({ used: { model: 'clusters:3', weights: 'k=4' } });
    const unchanged = await jsonOf<{ tasks: { status: string }[] }>(
      dir,
      'show',
      (await run(dir, 'predict.yaml')).runId,
    );
    expect(unchanged.tasks.map((task) => task.status)).toEqual(['skipped', 'skipped']);

    // Provenance, logged params, metric series and artifacts of the training run.
    const version = await jsonOf<Record<string, unknown>>(dir, 'models', 'show', 'clusters:1');
    expect(version).toMatchObject({
      name: 'clusters',
      version: 1,
      metrics: { inertia: 5 },
      params: { k: 2 },
      runId: first.runId,
      step: 'train',
      pipeline: 'train',
      aliases: ['production'],
    });
    const metrics = await jsonOf<{ metrics: { key: string; value: number; index: number | null }[] }>(
      dir,
      'show',
      first.runId,
    );
    expect(metrics.metrics.map((metric) => [metric.key, metric.index, metric.value])).toEqual([
      ['loss', 0, 1],
      ['loss', 1, 0.5],
      ['loss', 2, 1 / 3],
    ]);
    const { store, lock } = await openEmbeddedStore({ home: join(dir, '.sluice') });
    try {
      expect((await runParams(store, first.runId)).map((param) => [param.key, param.value])).toEqual([
        ['k', 2],
        ['optimizer', 'sgd'],
      ]);
      const [report] = await artifacts(store, first.runId);
      expect(report).toMatchObject({ step: 'train', name: 'report', bytes: 'trained with k=2'.length });
      expect(report?.files.map((file) => file.path)).toEqual(['report.txt']);
    } finally {
      await store.close();
      await lock.release();
    }
  }, 120_000);

  it('manages versions from the CLI: list, show, alias, rm, retention, download', async () => {
    const dir = await project(TRAIN);
    for (const k of [1, 2, 3, 4]) await run(dir, 'train.yaml', '-p', `k=${k}`);
    const list = await sluice(['models', 'list'], dir);
    expect(list.stdout).toMatch(/clusters\s+4\s+4\s+-\s+-/);
    expect((await sluice(['models', 'alias', 'clusters', 'production', '2'], dir)).stdout).toBe(
      'clusters@production -> version 2\n',
    );
    const show = await sluice(['models', 'show', 'clusters'], dir);
    expect(show.stdout.split('\n').map((line) => line.split(/\s{2,}/)[0])).toEqual([
      'clusters: 4 versions',
      'VERSION',
      '4',
      '3',
      '2',
      '1',
      '',
    ]);
    expect(show.stdout).toMatch(/\n2\s+\S+ \S+\s+production\s+\w+\s+inertia=5\n/);

    const refused = await sluice(['models', 'rm', 'clusters:2'], dir);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain("[MODEL_ALIASED] model 'clusters' version 2 has alias production");
    expect((await sluice(['models', 'rm', 'clusters:9'], dir)).code).toBe(5);
    expect((await sluice(['models', 'show', 'nothing'], dir)).code).toBe(5);
    expect((await sluice(['models', 'rm', 'clusters'], dir)).code).toBe(2);

    const retention = await jsonOf<{ deleted: { version: number }[] }>(
      dir,
      'models',
      'retention',
      'clusters',
      '--keep-last',
      '1',
      '--keep-aliased',
    );
    expect(retention.deleted.map((item) => item.version)).toEqual([1, 3]);
    const versions = await jsonOf<{ versions: { version: number; aliases: string[] }[] }>(
      dir,
      'models',
      'show',
      'clusters',
    );
    expect(versions.versions.map((item) => [item.version, item.aliases])).toEqual([
      [4, ['latest']],
      [2, ['production']],
    ]);

    const download = await sluice(['models', 'download', 'clusters@production', '-o', 'out'], dir);
    expect(download.stdout).toBe(`clusters:2: 1 file written to ${join(dir, 'out')}\n`);
    expect(await readFile(join(dir, 'out', 'weights.txt'), 'utf8')).toBe('k=2');
    expect((await sluice(['models', 'alias', 'clusters', 'production', '--delete'], dir)).code).toBe(0);
    expect((await sluice(['models', 'rm', 'clusters:2'], dir)).code).toBe(0);
  }, 120_000);
});

const SENSORS = {
  'sensors.yaml': `
name: sensors
tables:
  predictions:
    columns: { sensor_id: text, cluster: integer, score: double, at: timestamp }
steps:
  list:
    run: ./list.ts
    outputs: ['sensors[]']
  score:
    run: { command: [python3, score.py] }
    inputs: [sensors]
    outputs: [scored]
    tables: [predictions]
  fit:
    run: { command: [sh, fit.sh] }
    inputs: ['scored[]']
    outputs: [count]
`,
  'list.ts': `export default async () => ({ sensors: ['s1', 's2', 's3'] });\n`,
  'score.py': `import json, os
sensor = json.load(open(os.environ["SLUICE_INPUTS"]))["sensors"]
with open(os.path.join(os.environ["SLUICE_TABLES"], "predictions.jsonl"), "w") as rows:
    for i in range(2):
        rows.write(json.dumps({"sensor_id": sensor, "cluster": i, "score": 0.25 * (i + 1), "at": "2026-11-25T16:00:00Z"}) + "\\n")
with open(os.environ["SLUICE_METRICS"], "a") as metrics:
    metrics.write(json.dumps({"key": "rows", "value": 2, "step": 1}) + "\\n")
json.dump({"scored": sensor}, open(os.environ["SLUICE_OUTPUTS"], "w"))
`,
  'fit.sh': `set -e
mkdir -p "$SLUICE_MODELS/sensor-model/parts"
echo "centroids" > "$SLUICE_MODELS/sensor-model/parts/centroids.txt"
echo '{"metrics": {"silhouette": 0.75}, "params": {"k": 2}}' > "$SLUICE_MODELS/sensor-model.json"
echo '{"key": "loss", "value": 0.5, "step": 1}' >> "$SLUICE_METRICS"
echo plot > "$SLUICE_ARTIFACTS/plot.txt"
echo '{"count": 3}' > "$SLUICE_OUTPUTS"
`,
};

describe('tables and command steps', () => {
  it('saves models, rows, metrics and artifacts from command steps; a re-executed datum adds no rows', async () => {
    const dir = await project(SENSORS);
    const first = await run(dir, 'sensors.yaml');
    expect(first).toMatchObject({ status: 'succeeded', outputs: { count: 3 } });
    expect(await jsonOf<unknown>(dir, 'models', 'show', 'sensor-model:1')).toMatchObject({
      metrics: { silhouette: 0.75 },
      params: { k: 2 },
      step: 'fit',
      runId: first.runId,
      files: [{ path: 'parts/centroids.txt', size: 10 }],
    });
    const shown = await jsonOf<{ total: number; rows: Record<string, unknown>[] }>(
      dir,
      'table',
      'show',
      'predictions',
    );
    expect(shown.total).toBe(6);
    expect(shown.rows.map((row) => [row.sensor_id, row.cluster, row.score, row._step, row._datum])).toEqual([
      ['s1', 0, 0.25, 'score', '0'],
      ['s1', 1, 0.5, 'score', '0'],
      ['s2', 0, 0.25, 'score', '1'],
      ['s2', 1, 0.5, 'score', '1'],
      ['s3', 0, 0.25, 'score', '2'],
      ['s3', 1, 0.5, 'score', '2'],
    ]);
    const metrics = await jsonOf<{ metrics: { step: string; key: string; index: number | null }[] }>(
      dir,
      'show',
      first.runId,
    );
    expect(metrics.metrics.map((metric) => `${metric.step}:${metric.key}@${metric.index}`)).toEqual([
      'fit:loss@1',
      'score:rows@1',
      'score:rows@1',
      'score:rows@1',
    ]);

    // Every datum executes again, under the same execution keys: no row is duplicated.
    const again = await run(dir, 'sensors.yaml', '--no-cache');
    expect(again.status).toBe('succeeded');
    const list = await sluice(['table', 'list'], dir);
    expect(list.stdout).toMatch(
      /predictions\s+6\s+sensor_id text, cluster integer, score double, at timestamp/,
    );

    const filtered = await sluice(
      ['table', 'show', 'predictions', '--where', 'sensor_id=s2', '--where', 'cluster=1'],
      dir,
    );
    expect(filtered.stdout.split('\n')[1]).toMatch(/^s2\s+1\s+0\.5\s+2026-11-25T16:00:00\.000Z\s+\w+\s+1$/);
    expect(filtered.stdout).toContain('1 row shown (filtered) of 6 in predictions');
    const badFilter = await sluice(['table', 'show', 'predictions', '--where', 'cluster=many'], dir);
    expect(badFilter.code).toBe(2);
    expect(badFilter.stderr).toContain('filter cluster=many: column');

    const csv = await sluice(['table', 'export', 'predictions', '--format', 'csv'], dir);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('sensor_id,cluster,score,at,_run_id,_step,_datum,_created_at');
    expect(lines).toHaveLength(7);
    expect(lines[1]).toMatch(new RegExp(`^s1,0,0.25,2026-11-25T16:00:00.000Z,${first.runId},score,0,`));
    await sluice(
      ['table', 'export', 'predictions', '--format', 'json', '-o', 'rows.json', '--where', 'sensor_id=s3'],
      dir,
    );
    const exported = JSON.parse(await readFile(join(dir, 'rows.json'), 'utf8')) as Record<string, unknown>[];
    expect(exported.map((row) => [row.sensor_id, row.cluster])).toEqual([
      ['s3', 0],
      ['s3', 1],
    ]);
    expect((await sluice(['table', 'show', 'nothing'], dir)).code).toBe(5);
  }, 120_000);

  it('fails the attempt with the table, row and column of a bad row, and writes nothing', async () => {
    const dir = await project({
      'bad.yaml': `
name: bad
params:
  value: { type: json, default: 1 }
tables:
  predictions:
    columns: { sensor_id: text, cluster: integer }
steps:
  write:
    run: ./write.ts
    inputs: [value]
    outputs: [done]
    tables: [predictions]
`,
      'write.ts': `export default async function (ctx) {
  const table = ctx.table('predictions');
  table.insert([{ sensor_id: 's1', cluster: 1 }]);
  table.insert([{ sensor_id: 's2', cluster: ctx.inputs.value }]);
  if (ctx.inputs.value === 'other') ctx.table('other');
  return { done: true };
}
`,
    });
    const bad = await run(dir, 'bad.yaml', '-p', 'value="two"');
    expect(bad.status).toBe('failed');
    const datums = await sluice(['datums', bad.runId], dir);
    expect(datums.stdout).toContain(
      "table 'predictions' row 1: column 'cluster' expected integer (a whole number within 32 bits), found \"two\"",
    );
    const undeclared = await run(dir, 'bad.yaml', '-p', 'value="other"');
    expect((await sluice(['datums', undeclared.runId], dir)).stdout).toContain(
      "step 'write' writes table 'other', which it does not list under 'tables'; it lists: predictions",
    );
    expect((await sluice(['table', 'list', '--json'], dir)).stdout).toBe('[]\n');
    expect((await run(dir, 'bad.yaml', '-p', 'value=2')).status).toBe('succeeded');
    expect((await jsonOf<{ total: number }>(dir, 'table', 'show', 'predictions')).total).toBe(2);
  }, 120_000);

  it('adds the columns a spec gains and refuses a column whose type changed', async () => {
    const spec = (columns: string): string => `
name: evolve
params:
  n: { type: integer, default: 1 }
tables:
  scores:
    columns: ${columns}
steps:
  write:
    run: ./write.ts
    inputs: [n]
    outputs: [done]
    tables: [scores]
`;
    const dir = await project({
      'v1.yaml': spec('{ id: text }'),
      'v2.yaml': spec('{ id: text, score: double }'),
      'v3.yaml': spec('{ id: integer }'),
      'write.ts': `export default async function (ctx) {
  ctx.table('scores').insert([ctx.inputs.n === 2 ? { id: 'b', score: 0.5 } : { id: ctx.inputs.n === 3 ? 3 : 'a' }]);
  return { done: true };
}
`,
    });
    expect((await run(dir, 'v1.yaml')).status).toBe('succeeded');
    expect((await run(dir, 'v2.yaml', '-p', 'n=2')).status).toBe('succeeded');
    const rows = await jsonOf<{ rows: Record<string, unknown>[] }>(dir, 'table', 'show', 'scores');
    expect(rows.rows.map((row) => [row.id, row.score])).toEqual([
      ['a', null],
      ['b', 0.5],
    ]);
    const conflict = await run(dir, 'v3.yaml', '-p', 'n=3');
    expect(conflict.status).toBe('failed');
    expect((await sluice(['datums', conflict.runId], dir)).stdout).toContain(
      "table 'scores' column 'id' is declared integer but the existing table has it as text",
    );
  }, 120_000);

  it('reports undeclared tables, bad names and bad column types in the spec with their place', async () => {
    const dir = await project({
      'names.yaml': `name: p
tables:
  predictions:
    columns: { score: double, _row: text }
  Bad: { columns: { a: text } }
steps:
  a:
    run: { command: [sh, -c, 'true'] }
    outputs: [done]
    tables: [predictions, missing]
`,
      'types.yaml': `name: p
tables:
  predictions:
    columns: { score: float }
    colums: {}
steps:
  a:
    run: { command: [sh, -c, 'true'] }
    outputs: [done]
`,
    });
    const names = await sluice(['validate', 'names.yaml'], dir);
    expect(names.code).toBe(3);
    expect((names.stdout + names.stderr).replaceAll(dir, '')).toMatchInlineSnapshot(`
      "/names.yaml:4:31 table 'predictions': column name '_row' is not valid: use lowercase letters, digits and '_', starting with a letter, at most 63 characters ('_' first is kept for Sluice's own columns) [SPEC_TYPE]
      /names.yaml:5:3 table name 'Bad' is not valid: use lowercase letters, digits and '_', starting with a letter, at most 63 characters [SPEC_TYPE]
      /names.yaml:10:27 step 'a' writes table 'missing', which the pipeline does not declare under 'tables'; declared: predictions, Bad [SPEC_UNDECLARED_TABLE]
      ✗ 3 problems in /names.yaml
      "
    `);
    const types = await sluice(['validate', 'types.yaml'], dir);
    expect(types.code).toBe(3);
    expect((types.stdout + types.stderr).replaceAll(dir, '')).toMatchInlineSnapshot(`
      "/types.yaml:4:23 table 'predictions': 'columns.score' must be one of text, integer, bigint, double, boolean, timestamp, json, found "float" [SPEC_TYPE]
      /types.yaml:5:5 table 'predictions': unknown key 'colums'; allowed: columns, description [SPEC_UNKNOWN_KEY]
      ✗ 2 problems in /types.yaml
      "
    `);
  });
});
