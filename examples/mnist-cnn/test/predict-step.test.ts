/**
 * The `mnist-predict` step on one batch of topic messages, with a TF.js model version saved
 * to disk: grey and RGB PNG samples get the classes the model gives the training loader's
 * pixels; malformed messages are reported one by one and skipped, the rest still predicted.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { preparedImages } from './fixtures.js';
import { loadImageFolder } from '../lib/dataset.js';
import { buildModel, predictTfjs, saveTfjsModel, trainEpoch } from '../lib/tfjs-model.js';
import { classifierFor, predictBatch, type SampleBatch } from '../steps/predict.js';

// 60 training + 60 test images of MNIST.
const folder = preparedImages(60);
const SIZE = 28;

/** The folder's images in the training loader's order (labels, then names, sorted). */
async function listed(dir: string): Promise<string[]> {
  const labels = (await readdir(dir)).filter((name) => /^\d$/.test(name)).sort();
  const paths: string[] = [];
  for (const label of labels) {
    for (const name of (await readdir(join(dir, label))).sort()) paths.push(`${label}/${name}`);
  }
  return paths;
}

function batchOf(values: unknown[]): SampleBatch {
  return {
    topic: 'mnist-samples',
    messages: values.map((value, seq) => ({
      seq: seq + 1,
      key: typeof value === 'object' && value !== null && 'id' in value ? String(value.id) : null,
      time: new Date(0).toISOString(),
      value,
    })),
  };
}

describe('mnist-predict step', () => {
  const model = { dir: '', expected: new Map<string, { prediction: number; probability: number }>() };

  beforeAll(async () => {
    const { data } = await loadImageFolder(folder.data, { size: SIZE });
    const network = await buildModel({ size: SIZE, learningRate: 0.003, seed: 1 });
    await trainEpoch(network, data, { batchSize: 20, seed: 1 });
    const { classes, probabilities } = predictTfjs(network, data.images, data.count, SIZE);
    for (const [index, path] of (await listed(folder.data)).entries()) {
      const prediction = classes[index] as number;
      model.expected.set(path, { prediction, probability: probabilities[index * 10 + prediction] ?? 0 });
    }
    model.dir = join(folder.root, 'model');
    await saveTfjsModel(network, model.dir);
  });

  const classifier = () =>
    classifierFor({
      name: 'mnist-cnn',
      version: 1,
      dir: model.dir,
      metrics: {},
      params: { flavor: 'tfjs', image_size: SIZE, input: 'grey' },
    });

  it('predicts grey and RGB samples as the model predicts the training pixels', async () => {
    const paths = (await listed(folder.data)).filter((path) => path.includes('/test-')).slice(0, 12);
    const grey = await Promise.all(paths.map((path) => readFile(join(folder.data, path))));
    const rgb = await Promise.all(grey.map((bytes) => sharp(bytes).toColourspace('srgb').png().toBuffer()));
    expect((await sharp(rgb[0]).metadata()).channels).toBe(3);
    const values = [
      ...paths.map((id, index) => ({ id, label: Number(id[0]), image: grey[index]?.toString('base64') })),
      ...paths.map((id, index) => ({
        id: `rgb/${id}`,
        label: Number(id[0]),
        image: rgb[index]?.toString('base64'),
      })),
    ];
    const at = new Date('2026-01-02T03:04:05Z');
    const { rows, problems } = await predictBatch(batchOf(values), await classifier(), at);
    expect(problems).toEqual([]);
    expect(rows.map((row) => row.id)).toEqual([...paths, ...paths.map((path) => `rgb/${path}`)]);
    for (const row of rows) {
      const expected = model.expected.get(row.id.replace(/^rgb\//, ''));
      expect(row.prediction).toBe(expected?.prediction);
      expect(row.probability).toBeCloseTo(expected?.probability ?? -1, 5);
      expect(row).toMatchObject({
        label: Number(row.id.replace(/^rgb\//, '')[0]),
        predicted_at: at.toISOString(),
      });
    }
    expect(rows[0]?.image).toBe(values[0]?.image);
  });

  it('reports and skips malformed messages, predicting the rest of the batch', async () => {
    const good = (
      await readFile(join(folder.data, '7', (await readdir(join(folder.data, '7')))[0] ?? ''))
    ).toString('base64');
    const batch = batchOf([
      'not json at all',
      new TextEncoder().encode('raw bytes'),
      { id: 'no-image', label: 1 },
      { id: 'not-png', label: 3, image: Buffer.from('no picture here').toString('base64') },
      { id: 'bad-label', label: 12, image: good },
      { id: 'fine', label: 7, image: good },
      { label: 7, image: good },
      [1, 2],
      null,
    ]);
    const { rows, problems } = await predictBatch(batch, await classifier());
    expect(rows.map((row) => [row.id, row.label])).toEqual([
      ['fine', 7],
      ['mnist-samples:7', 7],
    ]);
    expect(problems.map((problem) => problem.replace(/\(Input buffer.*\)$/, '(...)'))).toMatchInlineSnapshot(`
      [
        "message 1: not a JSON object with id, label and image (found text that is not JSON)",
        "message 2: not a JSON object with id, label and image (found 9 bytes that are not JSON)",
        "message 3 (no-image): no 'image' (a base64 PNG or JPEG)",
        "message 4 (not-png): the image cannot be decoded (...)",
        "message 5 (bad-label): 'label' must be an integer 0-9, found 12",
        "message 8: not a JSON object with id, label and image (found an array)",
        "message 9: not a JSON object with id, label and image (found null)",
      ]
    `);
  });

  it('refuses a model version of an unknown flavour, naming it', async () => {
    await expect(
      classifierFor({
        name: 'mnist-cnn',
        version: 4,
        dir: model.dir,
        metrics: {},
        params: { flavor: 'keras' },
      }),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: model mnist-cnn:4 has flavor "keras"; expected 'tfjs' or 'onnx']`,
    );
  });
});
