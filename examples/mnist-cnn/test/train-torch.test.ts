/**
 * `mnist-train-torch` through the CLI on a small MNIST subset: PyTorch (Debian's
 * python3-torch) trains as a command step, logs per-epoch metrics and saves an ONNX version
 * that onnxruntime-node — directly and through the predict step's batch path — classifies
 * exactly as PyTorch did before the export.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE, cliJson, preparedImages } from './fixtures.js';
import { decodeImage } from '../lib/images.js';
import { loadOnnxModel, predictOnnx } from '../lib/onnx-model.js';
import { classifierFor, predictBatch } from '../steps/predict.js';

// 400 training + 400 test images of MNIST, all used by the pipeline (640 / 80 / 80).
const folder = preparedImages(400);

interface Run {
  runId: string;
  status: string;
  outputs: Record<string, number> | null;
  error: { message: string } | null;
}

describe('mnist-train-torch (PyTorch, exported to ONNX)', () => {
  it('trains, logs metrics per epoch and saves an ONNX version that predicts as PyTorch did', async () => {
    const env = { SLUICE_HOME: join(folder.root, 'home') };
    const run = await cliJson<Run>(
      ['run', 'train-torch.yaml', '-p', `data_dir=${folder.data}`, '-p', 'epochs=2', '-p', 'seed=2'],
      env,
    );
    expect(run.status, run.error?.message).toBe('succeeded');
    const accuracy = run.outputs?.test_accuracy ?? 0;
    expect(accuracy).toBeGreaterThan(0.3);
    expect(run.outputs?.samples_per_second).toBeGreaterThan(0);

    const shown = await cliJson<{ metrics: { key: string; index: number | null; value: number }[] }>(
      ['show', run.runId],
      env,
    );
    for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
      const series = shown.metrics.filter((metric) => metric.key === key);
      expect(series.map((metric) => metric.index)).toEqual([1, 2]);
    }

    const version = await cliJson<{ params: Record<string, unknown>; metrics: Record<string, number> }>(
      ['models', 'show', 'mnist-cnn:1'],
      env,
    );
    expect(version.params).toMatchObject({ flavor: 'onnx', image_size: 28, input: 'grey' });
    expect(version.metrics.test_accuracy).toBe(accuracy);

    // The step wrote what PyTorch predicted for the test images; ONNX Runtime agrees.
    const downloaded = join(folder.root, 'downloaded');
    await cliJson(['models', 'download', 'mnist-cnn:1', '-o', downloaded], env);
    const check = JSON.parse(await readFile(join(downloaded, 'check-predictions.json'), 'utf8')) as {
      ids: string[];
      classes: number[];
    };
    expect(check.ids).toHaveLength(80);
    const files = await Promise.all(check.ids.map((id) => readFile(join(folder.data, id))));
    const images = new Float32Array(files.length * 28 * 28);
    for (const [index, bytes] of files.entries()) await decodeImage(bytes, 28, images, index * 28 * 28);
    const onnx = await predictOnnx(await loadOnnxModel(downloaded), images, files.length, 28);
    expect(Array.from(onnx.classes)).toEqual(check.classes);
    const labels = check.ids.map((id) => Number(id.split('/')[0]));
    const correct = check.classes.filter((predicted, index) => predicted === labels[index]).length;
    expect(correct / check.ids.length).toBe(accuracy);

    // The predict step serves the version the same way, from base64 PNG messages.
    const classifier = await classifierFor({
      name: 'mnist-cnn',
      version: 1,
      dir: downloaded,
      metrics: version.metrics,
      params: version.params,
    });
    const batch = {
      topic: 'mnist-samples',
      messages: check.ids.map((id, seq) => ({
        seq,
        key: id,
        time: new Date(0).toISOString(),
        value: { id, label: labels[seq], image: files[seq]?.toString('base64') },
      })),
    };
    const { rows, problems } = await predictBatch(batch, classifier);
    expect(problems).toEqual([]);
    expect(rows.map((row) => row.prediction)).toEqual(check.classes);
  });

  it('says what to install when PyTorch is not importable', () => {
    // NOTE: -S leaves Debian's dist-packages off the path: the system Python without the packages.
    const result = spawnSync('/usr/bin/python3', ['-S', join(EXAMPLE, 'steps', 'train_torch.py')], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatchInlineSnapshot(`
      "mnist-train-torch needs PyTorch, numpy and Pillow: No module named 'numpy'. On Debian: apt-get install python3-torch python3-numpy python3-pil
      "
    `);
  });
});
