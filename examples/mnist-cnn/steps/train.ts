/**
 * `mnist-train`: trains the mnist CNN with TF.js on the WebAssembly backend. Loads the
 * labelled image folder `data_dir` (relative paths resolve against the pipeline's folder),
 * splits it train/validation/test by a seeded shuffle, trains `epochs` epochs logging
 * `loss`, `accuracy`, `val_loss` and `val_accuracy` per epoch (`step: epoch`), evaluates on
 * the test part and saves a new version of `model` (`model.json` + `weights.bin`, and
 * `sluice-model.json` so the version can be served over HTTP) with its `test_accuracy`,
 * `samples_per_second` and params (`flavor: tfjs`, `image_size`, ...).
 */
import { resolve, join } from 'node:path';
import type { StepContext } from 'sluice';
import { loadImageFolder, selectImages, splitDataset } from '../lib/dataset.js';
import { writeServingManifest } from '../lib/serving-manifest.js';
import { buildModel, evaluateTfjs, saveTfjsModel, trainEpoch } from '../lib/tfjs-model.js';

interface Inputs extends Record<string, unknown> {
  data_dir: string;
  image_size: number;
  batch_size: number;
  epochs: number;
  learning_rate: number;
  validation_split: number;
  test_split: number;
  seed: number;
  limit: number;
  model: string;
}

export default async function train(ctx: StepContext<Inputs>) {
  const { image_size: size, batch_size: batchSize, epochs, seed, limit } = ctx.inputs;
  const { learning_rate: learningRate, model: name } = ctx.inputs;
  if (!(Number.isInteger(epochs) && epochs > 0))
    throw new Error(`epochs: expected an integer > 0, found ${epochs}`);
  const dataDir = resolve(ctx.pipelineDir, ctx.inputs.data_dir);

  const loadStarted = performance.now();
  const { data, report } = await loadImageFolder(dataDir, { size, limit, seed });
  if (report.cacheProblem) ctx.log.warn(report.cacheProblem);
  const split = splitDataset(data.count, {
    validationSplit: ctx.inputs.validation_split,
    testSplit: ctx.inputs.test_split,
    seed,
  });
  const trainSet = selectImages(data, split.train);
  const validationSet = selectImages(data, split.validation);
  const testSet = selectImages(data, split.test);
  ctx.log.info(
    `${data.count} of ${report.listed} images from ${dataDir} ${report.cached ? '(cached pixels)' : '(decoded)'} ` +
      `in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s: ${trainSet.count} training, ` +
      `${validationSet.count} validation, ${testSet.count} test images of ${size}x${size}`,
  );
  ctx.logParams({ image_size: size, batch_size: batchSize, epochs, learning_rate: learningRate, seed });

  const model = await buildModel({ size, learningRate, seed });
  let trainedSamples = 0;
  let trainingSeconds = 0;
  let validation = { loss: 0, accuracy: 0 };
  for (let epoch = 1; epoch <= epochs; epoch += 1) {
    ctx.signal.throwIfAborted();
    const result = await trainEpoch(model, trainSet, { batchSize, seed: seed * 1000 + epoch });
    trainedSamples += result.samples;
    trainingSeconds += result.seconds;
    ctx.metric('loss', result.loss, { step: epoch });
    ctx.metric('accuracy', result.accuracy, { step: epoch });
    let scores = `loss ${result.loss.toFixed(4)}, accuracy ${result.accuracy.toFixed(4)}`;
    // NOTE: validation_split 0 (the benchmark's 60k/10k split) has nothing to validate on.
    if (validationSet.count > 0) {
      validation = evaluateTfjs(model, validationSet);
      ctx.metric('val_loss', validation.loss, { step: epoch });
      ctx.metric('val_accuracy', validation.accuracy, { step: epoch });
      scores += `, val_loss ${validation.loss.toFixed(4)}, val_accuracy ${validation.accuracy.toFixed(4)}`;
    }
    ctx.log.info(
      `epoch ${epoch}/${epochs}: ${scores} (${Math.round(result.samples / result.seconds)} samples/s)`,
    );
  }
  const samplesPerSecond = trainingSeconds > 0 ? trainedSamples / trainingSeconds : 0;
  const test = evaluateTfjs(model, testSet);
  ctx.metric('samples_per_second', samplesPerSecond);
  ctx.metric('test_accuracy', test.accuracy);
  ctx.metric('test_loss', test.loss);

  const dir = join(ctx.scratchDir, 'model');
  await saveTfjsModel(model, dir);
  await writeServingManifest(dir, 'tfjs', size);
  const saved = await ctx.registry.save(name, dir, {
    metrics: {
      test_accuracy: test.accuracy,
      test_loss: test.loss,
      ...(validationSet.count > 0 ? { val_accuracy: validation.accuracy } : {}),
      samples_per_second: samplesPerSecond,
    },
    params: {
      flavor: 'tfjs',
      image_size: size,
      input: 'grey',
      layout: 'NHWC',
      backend: 'wasm',
      epochs,
      batch_size: batchSize,
      learning_rate: learningRate,
      seed,
      trained_on: trainSet.count,
    },
  });
  model.dispose();
  ctx.log.info(
    `saved ${saved.name}:${saved.version}: test accuracy ${test.accuracy.toFixed(4)} on ${testSet.count} images, ` +
      `${Math.round(samplesPerSecond)} samples/s`,
  );
  return { test_accuracy: test.accuracy, samples_per_second: samplesPerSecond };
}
