/**
 * The ONNX flavour of the mnist-cnn model (exported by the PyTorch step), run with
 * onnxruntime-node: not a dependency of the sluice package (a dev dependency of this repo), loaded only when an ONNX version is used.
 */
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';

/** A loaded ONNX session and what it expects. */
export interface OnnxModel {
  run(images: Float32Array, n: number, size: number): Promise<Float32Array>;
}

/** Loads `<dir>/model.onnx`; a clear error names the package when onnxruntime-node is missing. */
export async function loadOnnxModel(dir: string): Promise<OnnxModel> {
  let ort: typeof Ort;
  try {
    ort = await import('onnxruntime-node');
  } catch (error) {
    throw new Error(
      `ONNX model versions need the package onnxruntime-node (npm install onnxruntime-node): ${(error as Error).message}`,
    );
  }
  const session = await ort.InferenceSession.create(join(dir, 'model.onnx'), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const input = session.inputNames[0] ?? 'images';
  const output = session.outputNames[0] ?? 'probabilities';
  return {
    async run(images, n, size) {
      const feeds = { [input]: new ort.Tensor('float32', images, [n, 1, size, size]) };
      const results = await session.run(feeds);
      const data = results[output]?.data;
      if (!(data instanceof Float32Array))
        throw new Error(`the ONNX model's output '${output}' is not float32`);
      return data;
    },
  };
}

/**
 * Classifies `n` grey `size` x `size` images (0..1, row-major, one after another) with a
 * loaded ONNX model: the most probable class of each and all 10 probabilities per image.
 */
export async function predictOnnx(
  model: OnnxModel,
  images: Float32Array,
  n: number,
  size: number,
): Promise<{ classes: Int32Array; probabilities: Float32Array }> {
  const probabilities = await model.run(images, n, size);
  return { classes: argmax(probabilities, n).classes, probabilities };
}

/** The most probable class of each of `n` rows of 10 probabilities. */
export function argmax(
  probabilities: Float32Array,
  n: number,
  classes = 10,
): { classes: Int32Array; best: Float32Array } {
  const picked = new Int32Array(n);
  const best = new Float32Array(n);
  for (let row = 0; row < n; row += 1) {
    let top = 0;
    for (let column = 1; column < classes; column += 1) {
      if ((probabilities[row * classes + column] ?? 0) > (probabilities[row * classes + top] ?? 0))
        top = column;
    }
    picked[row] = top;
    best[row] = probabilities[row * classes + top] ?? 0;
  }
  return { classes: picked, best };
}
