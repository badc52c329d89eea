/**
 * The beehive-sensors workload end to end, through the CLI: generated sensor data, the
 * first training, per-sensor features (malformed lines reported, a broken file failing only
 * its sensor), clustering into tables, a new day re-running one sensor only, a pinned model
 * — and the three clustering metrics checked against scikit-learn.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSensors } from '../examples/beehive-sensors/scripts/generate.mjs';
import {
  calinskiHarabaszScore,
  daviesBouldinScore,
  silhouetteScore,
} from '../examples/beehive-sensors/lib/cluster-metrics.js';
import { fitFeatureModel, standardise } from '../examples/beehive-sensors/lib/feature-model.js';
import { FEATURE_NAMES, sensorFeatures } from '../examples/beehive-sensors/lib/features.js';
import { trainKMeans } from '../examples/beehive-sensors/lib/kmeans.js';
import { readSensorDatum } from '../examples/beehive-sensors/lib/sensor-datum.js';
import { seededRandom } from '../examples/beehive-sensors/lib/random.js';
import { compileConfig } from '../src/cli/config.js';
import { openLocalWorkspace } from '../src/cli/workspace.js';
import { Service } from '../src/service/index.js';
import { sluice, tempProject } from './helpers.js';

const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'beehive-sensors');
const PYTHON = '/usr/bin/python3';
let dir = '';
let cleanup: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  ({ dir, cleanup } = await tempProject());
});

afterAll(async () => {
  await cleanup();
});

async function ok(args: string[]): Promise<string> {
  const result = await sluice(args, dir);
  if (result.code !== 0) throw new Error(`sluice ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

async function json<T>(args: string[]): Promise<T> {
  return JSON.parse(await ok([...args, '--json'])) as T;
}

interface RunResult {
  runId: string;
  status: string;
}
interface Datums {
  counts: Record<string, Record<string, number>>;
  datums: { step: string; datum: string; state: string; error: { message: string } | null }[];
}
type Row = Record<string, unknown>;
interface Inference extends RunResult {
  outputs: { metrics: Row[] };
}

/** The rows of a table, through `sluice table export --format json`. */
async function tableRows(name: string): Promise<Row[]> {
  return JSON.parse(await ok(['table', 'export', name, '--format', 'json'])) as Row[];
}

/** The runs of a pipeline, newest first. */
async function runsOf(pipeline: string): Promise<{ id: string; status: string; trigger: Row | null }[]> {
  return json(['runs', '--pipeline', pipeline]);
}

describe('beehive-sensors', { timeout: 300_000 }, () => {
  it('trains, makes features per sensor, clusters into tables, re-runs only what changed, honours a pinned model', async () => {
    const sensors = join(dir, 'sensors');
    const generated = await generateSensors(sensors, { sensors: 12, days: 7 });
    expect(generated.malformed.map((entry) => `${entry.file}:${entry.line}`)).toEqual([
      'hive-03/2026-06-02.csv:41',
      'hive-07/2026-06-04.csv:101',
      'hive-10/2026-06-06.csv:77',
    ]);
    await ok(['repo', 'create', 'sensors']);
    await ok(['put', 'sensors', sensors, '-m', 'a week of 12 hives']);

    // 0. Without a feature model, feature creation refuses to start, naming the param.
    const early = await sluice(['run', join(EXAMPLE, 'feature_creation.yaml')], dir);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toContain('MODEL_NOT_FOUND');
    expect(early.stderr).toContain("param 'feature_model' (beehive-features)");

    // 1. The first models: retrain runs on the sensors repo directly.
    const trained = await json<RunResult>(['run', join(EXAMPLE, 'retrain_model.yaml')]);
    expect(trained.status).toBe('succeeded');
    const models = await json<{ name: string; latest: number | null }[]>(['models', 'list']);
    expect(models.map((model) => [model.name, model.latest])).toEqual([
      ['beehive-features', 1],
      ['beehive-kmeans', 1],
    ]);
    const kmeans1 = await json<{ version: number; metrics: Record<string, number>; params: Row }>([
      'models',
      'show',
      'beehive-kmeans:1',
    ]);
    expect(kmeans1.params).toMatchObject({ k: 3, feature_model: 'beehive-features:1', sensors: 12 });
    expect(kmeans1.metrics.silhouette).toBeGreaterThan(0.5);
    expect(await tableRows('training_metrics')).toMatchObject([{ model_version: 1, k: 3, sensors: 12 }]);

    // 2. Features, one datum per sensor; the malformed lines are reported, the datums succeed.
    const created = await sluice(
      ['pipeline', 'create', join(EXAMPLE, 'feature_creation.yaml'), '--json'],
      dir,
    );
    expect(created.code, created.stderr).toBe(0);
    const [featureRun] = await runsOf('feature-creation');
    expect(featureRun?.status).toBe('succeeded');
    const featureDatums = await json<Datums>(['datums', featureRun?.id ?? '']);
    expect(featureDatums.counts.features).toEqual({ total: 12, success: 12 });
    const logs = await ok(['logs', featureRun?.id ?? '', '--step', 'features']);
    expect(logs).toContain(
      'skipped hive-03/2026-06-02.csv:41: 4 fields; expected 5 (timestamp,temperature,humidity,weight,sound_level)',
    );
    expect(logs).toContain(
      "skipped hive-07/2026-06-04.csv:101: temperature 'err'; expected a decimal number or an empty cell (missing)",
    );
    expect(logs).toContain("skipped hive-10/2026-06-06.csv:77: timestamp '2026-06-06T25:70:00Z'");
    await ok(['get', 'feature-creation:/quality.json', '-o', join(dir, 'quality.json')]);
    const quality = JSON.parse(await readFile(join(dir, 'quality.json'), 'utf8')) as Record<string, Row>;
    const malformedBySensor = Object.values(quality).map((entry) => [entry.sensor_id, entry.malformed_rows]);
    expect(malformedBySensor.filter(([, count]) => count !== 0)).toEqual([
      ['hive-03', 1],
      ['hive-07', 1],
      ['hive-10', 1],
    ]);
    const shown = await json<{ metrics: { key: string; value: number }[] }>(['show', featureRun?.id ?? '']);
    expect(
      shown.metrics
        .filter((metric) => metric.key === 'malformed_rows')
        .reduce((sum, metric) => sum + metric.value, 0),
    ).toBe(3);

    // 3. Clustering: all 12 sensors finished the day; predictions and metrics land in tables.
    await ok(['pipeline', 'create', join(EXAMPLE, 'clustering_inference.yaml')]);
    const predictions = await tableRows('predictions');
    expect(predictions).toHaveLength(12);
    expect(predictions.every((row) => row.model_version === 1 && row.day === '2026-06-07')).toBe(true);
    // The hives of one behaviour share a cluster, and the three behaviours get three clusters.
    const clusterOf = new Map(predictions.map((row) => [row.sensor_id as string, row.cluster as number]));
    const byBehaviour = new Map<string, Set<number>>();
    for (const [sensor, behaviour] of Object.entries(generated.behaviours)) {
      byBehaviour.set(behaviour, (byBehaviour.get(behaviour) ?? new Set()).add(clusterOf.get(sensor) ?? -1));
    }
    expect([...byBehaviour.values()].map((clusters) => clusters.size)).toEqual([1, 1, 1]);
    expect(new Set([...byBehaviour.values()].map((clusters) => [...clusters][0])).size).toBe(3);
    const [metricsRow] = await tableRows('cluster_metrics');
    expect(metricsRow).toMatchObject({
      model_version: 1,
      sensors_clustered: 12,
      sensors_waiting: 0,
      clusters_used: 3,
    });
    expect(metricsRow?.silhouette).toBeCloseTo(kmeans1.metrics.silhouette ?? Number.NaN, 9);
    for (const key of ['predict_ms', 'metrics_ms']) expect(metricsRow?.[key]).toBeGreaterThanOrEqual(0);

    // 4. A pinned version: retrain with k=4 (kmeans version 2; the feature model is unchanged
    //    and reused), infer with the latest, then with version 1 pinned.
    const retrained = await json<RunResult>(['run', join(EXAMPLE, 'retrain_model.yaml'), '-p', 'k=4']);
    expect(retrained.status).toBe('succeeded');
    expect(await json<{ latest: number }>(['models', 'show', 'beehive-features'])).toMatchObject({
      latest: 1,
    });
    const clustering = join(EXAMPLE, 'clustering_inference.yaml');
    const latest = await json<Inference>(['run', clustering]);
    expect(latest.outputs.metrics[0]).toMatchObject({ model_version: 2, sensors_clustered: 12 });
    const latestRows = (await tableRows('predictions')).filter((row) => row._run_id === latest.runId);
    expect(latestRows.map((row) => row.model_version)).toEqual(new Array(12).fill(2));
    const pinned = await json<Inference>(['run', clustering, '-p', 'kmeans_model=beehive-kmeans:1']);
    expect(pinned.outputs.metrics[0]).toMatchObject({ model_version: 1, sensors_clustered: 12 });
    // Version 1 on these features was predicted before: the result is reused, no row is written twice.
    expect((await json<Datums>(['datums', pinned.runId])).counts.predict).toEqual({ total: 1, skipped: 1 });
    const rows = await tableRows('predictions');
    expect(rows.filter((row) => row.model_version === 1)).toHaveLength(12);
    expect(rows).toHaveLength(24);

    // 5. A new day for one sensor, with the service's triggers as `sluice dev` runs them: the
    //    commit starts feature-creation, where one datum runs and eleven are skipped; its
    //    success starts clustering-inference (`after`), which works on the one sensor that
    //    finished 2026-06-08 and says 11 are waiting.
    const newDay = join(dir, 'new-day');
    await generateSensors(newDay, { sensors: 12, start: '2026-06-08', days: 1, only: ['hive-05'] });
    const workspace = await openLocalWorkspace(
      compileConfig({}, { SLUICE_HOME: join(dir, '.sluice') }, dir, false),
      'test',
    );
    const scheduler = new Service({ store: workspace.store, engine: workspace.engine, schedule: false });
    try {
      await scheduler.start();
      const commit = await workspace.repos.put('sensors', 'main', { kind: 'path', path: newDay });
      scheduler.notifyCommits(commit ? [commit] : []);
      await scheduler.idle();
    } finally {
      await scheduler.stop();
      await workspace.close();
    }
    const [nextRun] = await runsOf('feature-creation');
    expect(nextRun?.id).not.toBe(featureRun?.id);
    expect(nextRun?.trigger).toMatchObject({ kind: 'commit', repo: 'sensors' });
    const nextDatums = await json<Datums>(['datums', nextRun?.id ?? '']);
    expect(nextDatums.counts.features).toEqual({ total: 12, success: 1, skipped: 11 });
    expect(nextDatums.datums.find((datum) => datum.state === 'success')?.datum).toBe('/hive-05');
    const [afterRun] = await runsOf('clustering-inference');
    expect(afterRun).toMatchObject({ status: 'succeeded', trigger: { kind: 'after' } });
    const partial = (await tableRows('cluster_metrics')).filter((row) => row.day === '2026-06-08');
    expect(partial).toMatchObject([
      { _run_id: afterRun?.id, sensors_clustered: 1, sensors_waiting: 11, silhouette: null },
    ]);
    expect(partial[0]?.metrics_note).toBe(
      '1 distinct clusters among 1 points; the metrics need from 2 to n - 1 (0)',
    );

    // 6. A file no line of which is usable fails its sensor's datum only, with the reason.
    const broken = join(dir, 'broken');
    await mkdir(join(broken, 'hive-05'), { recursive: true });
    await writeFile(join(broken, 'hive-05', '2026-06-09.csv'), 'time;temp;hum\n1;2;3\n');
    const put = await sluice(['put', 'sensors', broken], dir);
    expect(put.code).toBe(1);
    const [failedRun] = await runsOf('feature-creation');
    const failed = await json<Datums>(['datums', failedRun?.id ?? '']);
    expect(failed.counts.features).toEqual({ total: 12, failed: 1, skipped: 11 });
    expect(failed.datums.find((datum) => datum.state === 'failed')?.error?.message).toContain(
      "hive-05/2026-06-09.csv:1: header 'time;temp;hum' (missing timestamp, temperature, humidity, weight, sound_level; unknown 'time;temp;hum'); expected the columns timestamp, temperature, humidity, weight, sound_level in any order",
    );
  });
});

describe('clustering metrics', { timeout: 120_000 }, () => {
  it('agree with scikit-learn to 1e-9 relative on the generated data', async () => {
    const probe = spawnSync(PYTHON, ['-c', 'import sklearn, numpy']);
    if (probe.status !== 0) {
      throw new Error(
        `${PYTHON} cannot import sklearn: install Debian's python3-sklearn (apt-get install -y python3-sklearn): ${String(probe.stderr)}`,
      );
    }
    const data = join(dir, 'metrics-data');
    const generated = await generateSensors(data, { sensors: 30, days: 7 });
    const raw = [];
    for (const sensor of Object.keys(generated.behaviours)) {
      const folder = join(dir, 'metrics-datum', sensor);
      await mkdir(folder, { recursive: true });
      await cp(join(data, sensor), join(folder, sensor), { recursive: true });
      const read = await readSensorDatum(folder, 7);
      raw.push(sensorFeatures(read.sensor_id, read.days, 7).vector);
    }
    const model = fitFeatureModel(raw, FEATURE_NAMES, 7);
    const points = raw.map((vector) => standardise(model, vector).values);
    const random = seededRandom(9);
    const labelings = [
      trainKMeans(points, { k: 3, seed: 42 }).labels,
      trainKMeans(points, { k: 5, seed: 1 }).labels,
      trainKMeans(points, { k: 2, seed: 3 }).labels,
      // arbitrary labels, one cluster of a single point
      points.map((_, index) => (index === 0 ? 9 : Math.floor(random() * 3))),
    ];
    const input = join(dir, 'metrics.json');
    await writeFile(input, JSON.stringify({ points, labelings }));
    const script = [
      'import json, sys',
      'from sklearn.metrics import silhouette_score, calinski_harabasz_score, davies_bouldin_score',
      'data = json.load(open(sys.argv[1]))',
      'out = []',
      "for labels in data['labelings']:",
      "    X = data['points']",
      '    out.append([silhouette_score(X, labels), calinski_harabasz_score(X, labels), davies_bouldin_score(X, labels)])',
      'print(json.dumps(out))',
    ].join('\n');
    const result = spawnSync(PYTHON, ['-c', script, input], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const expected = JSON.parse(result.stdout) as [number, number, number][];
    const ours = labelings.map((labels) => [
      silhouetteScore(points, labels),
      calinskiHarabaszScore(points, labels),
      daviesBouldinScore(points, labels),
    ]);
    const relative = ours.flatMap((row, i) =>
      row.map((value, j) => {
        const theirs = expected[i]?.[j] ?? Number.NaN;
        return Math.abs(value - theirs) / Math.abs(theirs);
      }),
    );
    expect(relative).toHaveLength(12);
    for (const error of relative) expect(error).toBeLessThanOrEqual(1e-9);
  });
});
