/**
 * mnist-cnn versions served over HTTP: both trainers save a `sluice-model.json`, so a TF.js
 * and an ONNX version of the same data answer `POST /api/models/mnist-cnn/predict` — with the
 * classes and probabilities the `mnist-predict` pipeline wrote to `digit_predictions` for the
 * same images, whether they come as base64 JSON rows or as multipart file parts. Bad images
 * and misnamed parts are refused with 400s that name the field.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startServing, type ServingHarness } from '../../../test/serving-helpers.js';
import { cliJson, preparedImages } from './fixtures.js';
import { DIGITS } from '../lib/serving-manifest.js';

// 400 training + 400 test images of MNIST, as train-torch.test.ts trains on.
const folder = preparedImages(400);

interface Run {
  runId: string;
  status: string;
  error: { message: string } | null;
}

/** A row `mnist-predict` wrote. */
interface PredictedRow {
  id: string;
  image: string;
  prediction: number;
  probability: number;
}

/** What the REST endpoint answers for one image. */
interface RestPrediction {
  label: string;
  class: number;
  probability: number;
  probabilities: number[];
}

const predictUrl = (serving: ServingHarness, version: number) =>
  `${serving.url}/api/models/mnist-cnn/predict?version=${version}`;

/** POSTs images as multipart file parts named `field`. */
async function postFiles(
  url: string,
  files: { name: string; base64: string }[],
  field = 'image',
): Promise<{ status: number; version: string | null; body: Record<string, unknown> }> {
  const form = new FormData();
  for (const file of files) {
    form.append(field, new Blob([Buffer.from(file.base64, 'base64')], { type: 'image/png' }), file.name);
  }
  const response = await fetch(url, { method: 'POST', body: form });
  return {
    status: response.status,
    version: response.headers.get('x-sluice-model-version'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('mnist-cnn versions served over HTTP', () => {
  const env = { SLUICE_HOME: '' };
  /** The rows `mnist-predict` wrote with each version, by version number. */
  const predicted = new Map<number, PredictedRow[]>();
  let serving: ServingHarness | undefined;

  /** Publishes grey and RGB samples and predicts them with `mnist-cnn:version`; its rows. */
  async function predictWith(version: number): Promise<PredictedRow[]> {
    const stream = ['run', 'stream.yaml', '-p', `data_dir=${folder.data}`];
    await cliJson<Run>([...stream, '-p', 'count=16'], env);
    await cliJson<Run>([...stream, '-p', 'count=8', '-p', 'split=train', '-p', 'rgb=true'], env);
    const run = await cliJson<Run>(
      ['run', 'predict.yaml', '-p', `model=mnist-cnn:${version}`, '-p', 'stream_timeout_ms=500'],
      env,
    );
    expect(run.status, run.error?.message).toBe('succeeded');
    const table = await cliJson<{ rows: PredictedRow[] }>(
      ['table', 'show', 'digit_predictions', '--run', run.runId, '--limit', '100'],
      env,
    );
    return table.rows.sort((a, b) => a.id.localeCompare(b.id));
  }

  beforeAll(async () => {
    // NOTE: the CLI runs below and the server share the workspace `<root>/.sluice`.
    env.SLUICE_HOME = join(folder.root, '.sluice');
    const data = `data_dir=${folder.data}`;
    const tfjs = await cliJson<Run>(
      ['run', 'train.yaml', '-p', data, '-p', 'epochs=2', '-p', 'batch_size=32', '-p', 'seed=3'],
      env,
    );
    expect(tfjs.status, tfjs.error?.message).toBe('succeeded');
    const torch = await cliJson<Run>(
      ['run', 'train-torch.yaml', '-p', data, '-p', 'epochs=2', '-p', 'seed=2'],
      env,
    );
    expect(torch.status, torch.error?.message).toBe('succeeded');
    predicted.set(1, await predictWith(1));
    predicted.set(2, await predictWith(2));
    // The same images, two different networks: an answer from the wrong version would show.
    const [byTfjs, byOnnx] = [predicted.get(1) ?? [], predicted.get(2) ?? []];
    expect(byOnnx.map((row) => row.id)).toEqual(byTfjs.map((row) => row.id));
    expect(byOnnx.some((row, index) => row.probability !== byTfjs[index]?.probability)).toBe(true);
    serving = await startServing({ dir: folder.root });
  }, 180_000);

  afterAll(async () => {
    await serving?.close();
  });

  it.each([
    [1, 'tfjs'],
    [2, 'onnx'],
  ])(
    'answers version %i (%s) as mnist-predict did, for base64 rows and multipart files',
    async (version, flavor) => {
      const rows = predicted.get(version) ?? [];
      expect(rows).toHaveLength(24);
      const url = predictUrl(serving as ServingHarness, version);
      const half = rows.length / 2;
      const [json, multipart] = await Promise.all([
        postJson(url, { rows: rows.slice(0, half).map((row) => ({ image: row.image })) }),
        postFiles(
          url,
          rows.slice(half).map((row) => ({ name: row.id, base64: row.image })),
        ),
      ]);
      for (const answer of [json, multipart]) {
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect(answer.version).toBe(String(version));
        expect(answer.body).toMatchObject({ model: 'mnist-cnn', version, ref: `mnist-cnn:${version}` });
      }
      const answers = [
        ...(json.body.predictions as RestPrediction[]),
        ...(multipart.body.predictions as RestPrediction[]),
      ];
      expect(answers).toHaveLength(rows.length);
      rows.forEach((row, index) => {
        const answer = answers[index] as RestPrediction;
        expect(answer.class, row.id).toBe(row.prediction);
        expect(answer.label).toBe(DIGITS[row.prediction]);
        expect(Math.abs(answer.probability - row.probability), row.id).toBeLessThan(1e-5);
        expect(answer.probabilities).toHaveLength(10);
      });
      // The trainer's sluice-model.json named the runtime the version is served with.
      const status = (await (await fetch(`${serving?.url}/api/serving`)).json()) as {
        bindings: { ref: string; flavor: string }[];
      };
      expect(status.bindings).toContainEqual(
        expect.objectContaining({ ref: `mnist-cnn:${version}`, flavor }),
      );
    },
  );

  it('refuses a row whose image is no picture, naming the row and the version', async () => {
    const good = (predicted.get(2) ?? [])[0]?.image ?? '';
    const notPng = Buffer.from('not a png').toString('base64');
    const answer = await postJson(predictUrl(serving as ServingHarness, 2), {
      rows: [{ image: good }, { image: good }, { image: notPng }],
    });
    expect(answer.status).toBe(400);
    expect(answer.version).toBe('2');
    expect(answer.body).toMatchObject({
      code: 'INVALID_REQUEST',
      details: { field: 'rows[2].image', model: 'mnist-cnn', version: 2 },
    });
    expect(answer.body.message).toMatchInlineSnapshot(
      `"invalid request: rows[2].image: the image cannot be decoded as PNG, JPEG, WebP, GIF or TIFF (Input buffer contains unsupported image format)"`,
    );

    const notBase64 = await postJson(predictUrl(serving as ServingHarness, 1), {
      rows: [{ image: good }, { image: 'a 7, drawn by hand!' }],
    });
    expect(notBase64.status).toBe(400);
    expect(notBase64.body.details).toMatchObject({ field: 'rows[1].image' });
    expect(notBase64.body.message).toMatchInlineSnapshot(
      `"invalid request: rows[1].image: expected base64 (A-Z a-z 0-9 + /, '=' padding) or a data: URL of a PNG or JPEG, found "a 7, drawn by hand!""`,
    );
  });

  it('refuses a multipart part that is not named after the image column, naming it', async () => {
    const good = (predicted.get(1) ?? [])[0]?.image ?? '';
    const answer = await postFiles(
      predictUrl(serving as ServingHarness, 1),
      [{ name: 'seven.png', base64: good }],
      'picture',
    );
    expect(answer.status).toBe(400);
    expect(answer.version).toBe('1');
    expect(answer.body).toMatchObject({ code: 'INVALID_REQUEST', details: { field: 'picture' } });
    expect(answer.body.message).toMatchInlineSnapshot(
      `"invalid request: part 'picture': unknown; the model takes image files in part 'image'"`,
    );
  });
});
