/**
 * The serving manifest of an mnist-cnn version: `sluice-model.json` beside the model files
 * tells `sluice serve` and `POST /api/models/{name}/predict` how to serve the version — its
 * runtime, one grey `size` x `size` image column named `image`, and the ten digit classes.
 * `steps/train_torch.py` writes the same file for its ONNX export.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file a version must hold to be served. */
export const SERVING_MANIFEST = 'sluice-model.json';

/** What the model outputs mean: the probability of each digit, in this order. */
export const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** The manifest of a version of `flavor` taking `size` x `size` grey images. */
export function servingManifest(flavor: 'tfjs' | 'onnx', size: number): Record<string, unknown> {
  return {
    flavor,
    input: { image: { type: 'image', width: size, height: size, channels: 1 } },
    // NOTE: TF.js takes [N, size, size, 1], the PyTorch export [N, 1, size, size].
    layout: flavor === 'tfjs' ? 'NHWC' : 'NCHW',
    output: { classes: DIGITS },
  };
}

/** Writes {@link servingManifest} into the model folder `dir`. */
export async function writeServingManifest(
  dir: string,
  flavor: 'tfjs' | 'onnx',
  size: number,
): Promise<void> {
  await writeFile(join(dir, SERVING_MANIFEST), `${JSON.stringify(servingManifest(flavor, size))}\n`);
}
