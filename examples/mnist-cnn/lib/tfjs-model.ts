/**
 * The TF.js flavour of the mnist-cnn model: a small CNN (conv 8@5x5 -> max-pool -> conv
 * 16@5x5 -> max-pool -> dense softmax, the same network as the PyTorch step) trained on the
 * WebAssembly backend, saved as `model.json` + `weights.bin` (the TF.js layers format) and
 * loaded back for prediction. Inputs are grey images `[N, size, size, 1]` in 0..1.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initTfWasm } from '../../../src/ml/index.js';
import { permutation, type LabelledImages } from './dataset.js';

/** A TF.js layers model. */
export type TfjsModel = tfl.LayersModel;

/** The classes the model tells apart (digits). */
export const CLASSES = 10;
/** The files of a saved model. */
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
// NOTE: predicting in chunks bounds the wasm memory an evaluation of 10,000 images takes.
const PREDICT_CHUNK = 512;

/** The smallest image side the network takes: two 5x5 valid convolutions and two 2x2 pools. */
export const MIN_IMAGE_SIZE = 16;

/** What {@link buildModel} needs. */
export interface ModelOptions {
  size: number;
  learningRate: number;
  /** Seeds the weight initialisers. */
  seed: number;
}

/** Builds and compiles the CNN on the wasm backend. */
export async function buildModel(options: ModelOptions): Promise<TfjsModel> {
  const { size, learningRate, seed } = options;
  if (!Number.isInteger(size) || size < MIN_IMAGE_SIZE) {
    throw new Error(`image_size: expected an integer >= ${MIN_IMAGE_SIZE} for this CNN, found ${size}`);
  }
  if (!(learningRate > 0)) throw new Error(`learning_rate: expected a number > 0, found ${learningRate}`);
  await initTfWasm();
  const init = (offset: number) => tfl.initializers.glorotUniform({ seed: seed * 10 + offset });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [size, size, 1],
        filters: 8,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: init(2) }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

/** Loss and accuracy over a set of images. */
export interface Scores {
  loss: number;
  accuracy: number;
}

/** What one epoch of {@link trainEpoch} measured. */
export interface EpochResult extends Scores {
  samples: number;
  seconds: number;
}

/**
 * Trains one epoch over `data` in batches of `batchSize`, in an order seeded by `seed`;
 * resolves to the mean training loss and accuracy. `onBatch` is called after each batch.
 */
export async function trainEpoch(
  model: TfjsModel,
  data: LabelledImages,
  options: { batchSize: number; seed: number; onBatch?: (done: number) => void },
): Promise<EpochResult> {
  await initTfWasm();
  const { batchSize } = options;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new Error(`batch_size: expected an integer > 0, found ${batchSize}`);
  }
  checkLabels(data);
  const pixels = data.size * data.size;
  const order = permutation(data.count, options.seed);
  const started = performance.now();
  let lossSum = 0;
  let accuracySum = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const rows = order.subarray(start, Math.min(start + batchSize, data.count));
    const images = new Float32Array(rows.length * pixels);
    const oneHot = new Float32Array(rows.length * CLASSES);
    rows.forEach((index, row) => {
      images.set(data.images.subarray(index * pixels, (index + 1) * pixels), row * pixels);
      oneHot[row * CLASSES + (data.labels[index] as number)] = 1;
    });
    const x = tf.tensor4d(images, [rows.length, data.size, data.size, 1]);
    const y = tf.tensor2d(oneHot, [rows.length, CLASSES]);
    const [loss, accuracy] = (await model.trainOnBatch(x, y)) as number[];
    tf.dispose([x, y]);
    lossSum += (loss ?? 0) * rows.length;
    accuracySum += (accuracy ?? 0) * rows.length;
    options.onBatch?.(start + rows.length);
  }
  return {
    loss: lossSum / Math.max(data.count, 1),
    accuracy: accuracySum / Math.max(data.count, 1),
    samples: data.count,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Class probabilities (`CLASSES` per image) and the most probable class of `n` images. */
export function predictTfjs(
  model: TfjsModel,
  images: Float32Array,
  n: number,
  size: number,
): { classes: Int32Array; probabilities: Float32Array } {
  const pixels = size * size;
  if (images.length < n * pixels) {
    throw new Error(
      `predictTfjs: ${n} images of ${size}x${size} need ${n * pixels} values, found ${images.length}`,
    );
  }
  const probabilities = new Float32Array(n * CLASSES);
  for (let start = 0; start < n; start += PREDICT_CHUNK) {
    const count = Math.min(PREDICT_CHUNK, n - start);
    const output = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(start * pixels, (start + count) * pixels), [
        count,
        size,
        size,
        1,
      ]);
      return (model.predict(x) as tf.Tensor).dataSync();
    });
    probabilities.set(output, start * CLASSES);
  }
  const classes = new Int32Array(n);
  for (let row = 0; row < n; row += 1) {
    let best = 0;
    for (let column = 1; column < CLASSES; column += 1) {
      if ((probabilities[row * CLASSES + column] as number) > (probabilities[row * CLASSES + best] as number))
        best = column;
    }
    classes[row] = best;
  }
  return { classes, probabilities };
}

/** Mean cross-entropy and accuracy of the model on `data`. */
export function evaluateTfjs(model: TfjsModel, data: LabelledImages): Scores {
  if (data.count === 0) return { loss: 0, accuracy: 0 };
  const { classes, probabilities } = predictTfjs(model, data.images, data.count, data.size);
  let loss = 0;
  let correct = 0;
  for (let row = 0; row < data.count; row += 1) {
    const label = data.labels[row] as number;
    loss -= Math.log(Math.max(probabilities[row * CLASSES + label] ?? 0, 1e-7));
    if (classes[row] === label) correct += 1;
  }
  return { loss: loss / data.count, accuracy: correct / data.count };
}

/** Saves `model` as `<dir>/model.json` and `<dir>/weights.bin` (created if needed). */
export async function saveTfjsModel(model: TfjsModel, dir: string): Promise<void> {
  await initTfWasm();
  await mkdir(dir, { recursive: true });
  await model.save({
    async save(artifacts) {
      const weightData = artifacts.weightData ?? new ArrayBuffer(0);
      const weights = tf.io.CompositeArrayBuffer.join(weightData);
      const manifest = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? 'TensorFlow.js',
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(dir, MODEL_FILE), `${JSON.stringify(manifest)}\n`);
      await writeFile(join(dir, WEIGHTS_FILE), new Uint8Array(weights));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  });
}

interface SavedManifest {
  modelTopology?: object;
  trainingConfig?: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Loads a model saved by {@link saveTfjsModel} from `dir`; errors name the file at fault. */
export async function loadTfjsModel(dir: string): Promise<TfjsModel> {
  await initTfWasm();
  const manifestFile = join(dir, MODEL_FILE);
  const weightsFile = join(dir, WEIGHTS_FILE);
  const read = async (file: string) => {
    try {
      return await readFile(file);
    } catch (error) {
      throw new Error(`TF.js model file ${file} cannot be read: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
  let manifest: SavedManifest;
  try {
    manifest = JSON.parse((await read(manifestFile)).toString('utf8')) as SavedManifest;
  } catch (error) {
    if ((error as Error).message.startsWith('TF.js model file')) throw error;
    throw new Error(`TF.js model file ${manifestFile} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof manifest.modelTopology !== 'object' || !Array.isArray(manifest.weightsManifest)) {
    throw new Error(`TF.js model file ${manifestFile}: expected modelTopology and weightsManifest`);
  }
  const weights = await read(weightsFile);
  return tfl.loadLayersModel(
    {
      load: async () => ({
        modelTopology: manifest.modelTopology,
        format: manifest.format,
        generatedBy: manifest.generatedBy,
        convertedBy: manifest.convertedBy,
        weightSpecs: manifest.weightsManifest?.flatMap((group) => group.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    },
    { strict: true },
  );
}

/** Throws naming the first label outside 0..CLASSES-1. */
function checkLabels(data: LabelledImages): void {
  const bad = data.labels.findIndex((label) => label < 0 || label >= CLASSES);
  if (bad >= 0) {
    throw new Error(
      `label ${data.labels[bad]} (image ${bad}) is outside 0..${CLASSES - 1}: the data folder must hold class folders 0-${CLASSES - 1}`,
    );
  }
}
