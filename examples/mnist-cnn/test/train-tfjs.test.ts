/**
 * `mnist-train` through the CLI on a small MNIST subset: TF.js trains on the wasm backend
 * (Sluice's Conv2DBackpropFilter), logs per-epoch metrics, saves a model version that loads
 * back and predicts what the step measured; the pixel cache makes the second load instant.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliJson, preparedImages } from './fixtures.js';
import { cacheFile, loadImageFolder, selectImages, splitDataset } from '../lib/dataset.js';
import {
  buildModel,
  evaluateTfjs,
  loadTfjsModel,
  predictTfjs,
  saveTfjsModel,
  trainEpoch,
} from '../lib/tfjs-model.js';

// 800 training + 800 test images of MNIST, all used by the pipeline.
const folder = preparedImages(800);

interface Run {
  runId: string;
  status: string;
  outputs: Record<string, number> | null;
  error: { message: string } | null;
}

describe('mnist-train (TF.js on wasm)', () => {
  it('trains, logs metrics per epoch and saves a version that predicts as the step measured', async () => {
    const env = { SLUICE_HOME: join(folder.root, 'home') };
    const params = ['-p', `data_dir=${folder.data}`, '-p', 'epochs=2', '-p', 'batch_size=32', '-p', 'seed=3'];
    const run = await cliJson<Run>(['run', 'train.yaml', ...params, '-p', 'learning_rate=0.003'], env);
    expect(run.status, run.error?.message).toBe('succeeded');
    const accuracy = run.outputs?.test_accuracy ?? 0;
    expect(accuracy).toBeGreaterThan(0.6);
    expect(run.outputs?.samples_per_second).toBeGreaterThan(0);

    const shown = await cliJson<{ metrics: { key: string; index: number | null; value: number }[] }>(
      ['show', run.runId],
      env,
    );
    const series = (key: string) =>
      shown.metrics.filter((metric) => metric.key === key).map((metric) => metric.index);
    for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) expect(series(key)).toEqual([1, 2]);
    const losses = shown.metrics.filter((metric) => metric.key === 'loss').map((metric) => metric.value);
    expect(losses[1]).toBeLessThan(losses[0] as number);

    const version = await cliJson<{ params: Record<string, unknown>; metrics: Record<string, number> }>(
      ['models', 'show', 'mnist-cnn:1'],
      env,
    );
    expect(version.params).toMatchObject({ flavor: 'tfjs', image_size: 28, input: 'grey' });
    expect(version.metrics.test_accuracy).toBe(accuracy);

    // The saved files predict the test part exactly as the step did before saving.
    const downloaded = join(folder.root, 'downloaded');
    await cliJson(['models', 'download', 'mnist-cnn:1', '-o', downloaded], env);
    const model = await loadTfjsModel(downloaded);
    const { data: images } = await loadImageFolder(folder.data, { size: 28 });
    const split = splitDataset(images.count, { validationSplit: 0.1, testSplit: 0.1, seed: 3 });
    expect(evaluateTfjs(model, selectImages(images, split.test)).accuracy).toBe(accuracy);
    // The first load wrote the pixel cache; the run above found it.
    expect((await stat(cacheFile(folder.data, 28))).size).toBeGreaterThan(1600 * 28 * 28);
  });

  it('loads a saved model that predicts the same classes and probabilities', async () => {
    const { data: images } = await loadImageFolder(folder.data, { size: 20, limit: 300, seed: 1 });
    const model = await buildModel({ size: 20, learningRate: 0.003, seed: 1 });
    await trainEpoch(model, images, { batchSize: 50, seed: 1 });
    const before = predictTfjs(model, images.images, images.count, 20);
    const dir = join(folder.root, 'saved');
    await saveTfjsModel(model, dir);
    const after = predictTfjs(await loadTfjsModel(dir), images.images, images.count, 20);
    expect(Array.from(after.classes)).toEqual(Array.from(before.classes));
    expect(Array.from(after.probabilities)).toEqual(Array.from(before.probabilities));
  });

  it('says what is wrong with a folder that holds no images', async () => {
    await expect(loadImageFolder(join(folder.root, 'nothing'), { size: 28 })).rejects.toThrow(
      /data_dir .*nothing cannot be read .*expected a folder of <label>\/<image> files/,
    );
  });
});
