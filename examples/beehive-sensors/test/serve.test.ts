/**
 * The beehive k-means served over REST: the version `retrain_model` saves answers a
 * sensor's RAW features with the cluster and distance `clustering_inference` computed from
 * the standardised ones, and learns online from new sensors' features into a new version
 * whose provenance is the committed request.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/serving/index.js';
import { jsonRunner } from '../../../src/serving/json-models.js';
import { loadPipeline, resolveParams } from '../../../src/spec/index.js';
import type { RunRecord } from '../../../src/store/index.js';
import { tempProject } from '../../../test/helpers.js';
import { postJson, startServing, type ServingHarness } from '../../../test/serving-helpers.js';
import { parseFeatureFile, type FeatureFile } from '../lib/feature-file.js';
import { fitFeatureModel, standardise } from '../lib/feature-model.js';
import { FEATURE_NAMES } from '../lib/features.js';
import { predictClusters } from '../lib/kmeans.js';
import { clusterSizes, ONLINE, servingManifest, servingScale } from '../lib/serving.js';
import { generateSensors } from '../scripts/generate.mjs';
import type { Trained } from '../steps/train.js';

const EXAMPLE = join(import.meta.dirname, '..');
const MODEL = 'beehive-kmeans';

type Row = Record<string, unknown>;
interface Answer {
  version: number;
  predictions: { cluster: number; distance: number }[];
}

describe('the serving files', () => {
  it('declare one number column per raw feature, in vector order, and the online rule', () => {
    const manifest = parseManifest(servingManifest(FEATURE_NAMES), 'beehive-kmeans:1');
    expect(Object.keys(manifest.input)).toEqual(FEATURE_NAMES);
    expect(manifest.rowShape).toEqual([FEATURE_NAMES.length]);
    expect(manifest.online).toMatchObject({ alias: 'production', promoteIf: { text: ONLINE.promote_if } });
    expect(() => servingManifest(['temperature_mean', 'sound-level'])).toThrow(
      "features 'sound-level' cannot be served as columns; expected names matching /^[A-Za-z_][A-Za-z0-9_]*$/",
    );
  });

  it('scale raw features as the feature model does, a feature without spread included', async () => {
    // Feature 1 is constant: its std is 0, stored as 1, so it is only centred.
    const raw = [
      [1, 5, 10],
      [3, 5, 14],
      [8, 5, 9],
      [9, 5, 2],
    ];
    const model = fitFeatureModel(raw, ['a', 'b', 'c'], 7);
    expect(model.stds[1]).toBe(1);
    const centers = [
      [-1, 0, 0.5],
      [1, 0, -1],
    ];
    const expected = predictClusters(
      centers,
      raw.map((vector) => standardise(model, vector).values),
    );
    const runner = jsonRunner('kmeans', { centers, scale: servingScale(model) }, 3);
    const { output } = await runner.run(new Float32Array(raw.flat()), raw.length);
    raw.forEach((_, row) => {
      expect(output[row * 2]).toBe(expected.labels[row]);
      expect(output[row * 2 + 1]).toBeCloseTo(expected.distances[row] as number, 5);
    });
    expect(clusterSizes([0, 2, 2, 0, 2], 4)).toEqual([2, 0, 3, 0]);
  });
});

describe('beehive-kmeans served over REST', { timeout: 120_000 }, () => {
  let harness: ServingHarness;
  let cleanup: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const project = await tempProject();
    cleanup = project.cleanup;
    harness = await startServing({ dir: project.dir });
  });

  afterAll(async () => {
    await harness?.close();
    await cleanup();
  });

  /** Runs a pipeline of the example on the harness's workspace; throws unless it succeeds. */
  async function run(file: string, params: Record<string, string> = {}): Promise<RunRecord> {
    const pipeline = await loadPipeline(join(EXAMPLE, file));
    const handle = await harness.workspace.engine.startRun(pipeline, {
      params: resolveParams(pipeline, params),
    });
    const record = await handle.result;
    if (record.status !== 'succeeded') {
      throw new Error(`${file}: run ${record.id} ${record.status}: ${record.error?.message ?? ''}`);
    }
    return record;
  }

  /** Every sensor's features file, from the head of the `feature-creation` repo. */
  async function featureFiles(): Promise<FeatureFile[]> {
    const { repos } = harness.workspace;
    const head = await repos.resolveCommit('feature-creation');
    const files = await repos.files(head, '/features');
    return Promise.all(
      files.map(async (file) =>
        parseFeatureFile(JSON.parse(Buffer.from(await repos.read(file)).toString('utf8')), file.path),
      ),
    );
  }

  /** A sensor's raw features as a request row; a measure without readings is sent as the mean. */
  function requestRow(file: FeatureFile, mean: number[]): Record<string, number> {
    return Object.fromEntries(
      file.feature_names.map((name, index) => [name, file.raw[index] ?? (mean[index] as number)]),
    );
  }

  async function getJson<T>(path: string): Promise<T> {
    const response = await fetch(`${harness.url}${path}`);
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  }

  it('answers raw features as clustering_inference did, and learns online into a new version', async () => {
    const { workspace } = harness;
    const sensors = join(harness.dir, 'sensors');
    await generateSensors(sensors, { sensors: 10, days: 3 });
    // hive-10's sound sensor is dead all week: its six sound features are imputed (z = 0).
    for (const day of ['2026-06-01', '2026-06-02', '2026-06-03']) {
      const file = join(sensors, 'hive-10', `${day}.csv`);
      const lines = (await readFile(file, 'utf8')).split('\n');
      const blanked = lines.map((line, index) => (index === 0 ? line : line.replace(/,[^,]*$/, ',')));
      await writeFile(file, blanked.join('\n'));
    }
    await workspace.repos.create('sensors');
    await workspace.repos.put('sensors', 'main', { kind: 'path', path: sensors });

    const trained = (await run('retrain_model.yaml')).outputs?.model as Trained;
    await run('feature_creation.yaml');
    const inference = await run('clustering_inference.yaml');
    const version = (inference.outputs?.metrics as Row[])[0]?.model_version as number;
    expect(version).toBe(trained.kmeans.version);
    const expected = await workspace.tables.rows('predictions', { runId: inference.id });
    expect(expected).toHaveLength(10);

    // The version holds what the server needs: scale = the feature model's means and stds.
    const kmeans = (await getJson<Row>(`/api/models/${MODEL}/versions/${version}/files/kmeans.json`)) as {
      counts: number[];
      scale: { mean: number[]; std: number[] };
    };
    const features = (await getJson<Row>(
      `/api/models/beehive-features/versions/${trained.feature_model.version}/files/feature-model.json`,
    )) as { means: number[]; stds: number[] };
    expect(kmeans.scale).toEqual({ mean: features.means, std: features.stds });
    expect(kmeans.counts.reduce((sum, count) => sum + count, 0)).toBe(10);

    // 1. Each sensor's raw features, one request each, give the pipeline's cluster and distance.
    const files = await featureFiles();
    expect(files.find((file) => file.sensor_id === 'hive-10')?.imputed).toEqual(
      FEATURE_NAMES.filter((name) => name.startsWith('sound_level_')),
    );
    const rows = new Map(files.map((file) => [file.sensor_id, requestRow(file, kmeans.scale.mean)]));
    const answers = await Promise.all(
      expected.map((row) =>
        postJson(`${harness.url}/api/models/${MODEL}/predict?version=${version}`, {
          rows: [rows.get(row.sensor_id as string)],
        }),
      ),
    );
    answers.forEach((answer, index) => {
      const row = expected[index] as Row;
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const body = answer.body as unknown as Answer;
      expect(body.version).toBe(version);
      const [prediction] = body.predictions;
      expect({ sensor: row.sensor_id, cluster: prediction?.cluster }).toEqual({
        sensor: row.sensor_id,
        cluster: row.cluster,
      });
      const distance = row.distance as number;
      expect(Math.abs((prediction?.distance ?? Number.NaN) - distance) / distance).toBeLessThan(1e-9);
    });

    // 2. Online training from `production`: the rows are committed to beehive-kmeans-online,
    //    the new version points at that commit, and the alias moves as the rule says.
    const moved = await fetch(`${harness.url}/api/models/${MODEL}/aliases/production`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version }),
    });
    expect(moved.status).toBe(200);
    const newRows = ['hive-01', 'hive-02', 'hive-03', 'hive-04', 'hive-05', 'hive-06'].map((id) =>
      rows.get(id),
    );
    const training = await postJson(`${harness.url}/api/models/${MODEL}/train`, { rows: newRows });
    expect(training.status, JSON.stringify(training.body)).toBe(200);
    const answer = training.body as {
      from: number;
      version: number;
      metrics: Record<string, number>;
      previous: Record<string, number>;
      promoted: boolean;
      rule: string;
      data: { repo: string; commit: string; path: string };
    };
    expect(answer).toMatchObject({ from: version, version: version + 1, rule: ONLINE.promote_if });
    expect(answer.metrics.rows).toBe(6);
    const silhouette = answer.metrics.silhouette as number;
    const before = answer.previous.silhouette as number;
    expect(answer.promoted).toBe(silhouette >= before - 0.05);

    const saved = await getJson<{ inputCommits: Row[]; params: Row }>(
      `/api/models/${MODEL}/versions/${answer.version}`,
    );
    expect(saved.inputCommits).toEqual([
      { input: 'request', repo: `${MODEL}-online`, branch: 'main', commit: answer.data.commit },
    ]);
    expect(saved.params).toMatchObject({ trained_from: version, online_rows: 6 });
    const commit = await workspace.repos.resolveCommit(`${MODEL}-online`, answer.data.commit);
    const [committed] = await workspace.repos.files(commit, answer.data.path);
    const request = JSON.parse(Buffer.from(await workspace.repos.read(committed!)).toString('utf8')) as Row;
    expect(request).toMatchObject({ model: MODEL, from: version, rows: newRows });

    const production = await getJson<{ version: number }>(`/api/models/${MODEL}/versions/production`);
    expect(production.version).toBe(answer.promoted ? answer.version : version);
    const served = await postJson(`${harness.url}/api/models/${MODEL}/predict?alias=production`, {
      rows: [rows.get('hive-01')],
    });
    expect((served.body as unknown as Answer).version).toBe(production.version);
    const learned = (await getJson<Row>(
      `/api/models/${MODEL}/versions/${answer.version}/files/kmeans.json`,
    )) as { kind: string; counts: number[] };
    expect(learned.kind).toBe('beehive-kmeans');
    expect(learned.counts.reduce((sum, count) => sum + count, 0)).toBe(10 + 6);

    // 3. The learned version is the latest, and the pipeline's predict step still reads it.
    const again = await run('clustering_inference.yaml');
    expect((again.outputs?.metrics as Row[])[0]?.model_version).toBe(answer.version);
  });
});
