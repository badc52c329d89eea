/**
 * TF.js on the WebAssembly backend, ready to train: loads `@tensorflow/tfjs-core` and
 * `@tensorflow/tfjs-backend-wasm` (its `.wasm` files read from the installed package, no
 * download), selects the `wasm` backend and registers the kernel it lacks for training
 * convolutions: `Conv2DBackpropFilter`, the gradient of Conv2D with respect to its filter.
 *
 * The kernel is an im2col followed by the backend's own (SIMD) `BatchMatMul`:
 * `dW[kh*kw*cin, cout] = cols[kh*kw*cin, P] x dy[P, cout]` with `P = batch*outH*outW`.
 * Without it, TF.js falls back to nothing (the gradient throws) and one is left with the
 * pure-JS CPU backend, about 80 times slower on the mnist-cnn example.
 *
 * Only importing this module loads TF.js: the rest of Sluice does not depend on it.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// NOTE: tfjs-core's Node build registers no gradients; tfjs-layers' Node build registers all
// of them (as the full `@tensorflow/tfjs` package would), so training needs this import.
import '@tensorflow/tfjs-layers';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type TensorInfo = tf.TensorInfo;

/** The attributes TF.js passes to `Conv2DBackpropFilter` (`Conv2DBackpropFilterAttrs`). */
interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * Computes Conv2D's filter gradient on the wasm backend: `x` is the layer's input
 * `[batch, height, width, inChannels]`, `dy` the gradient of its output; the result has
 * `filterShape` `[filterHeight, filterWidth, inChannels, outChannels]`. NHWC, any strides
 * and padding (`same`, `valid`, explicit), dilations 1 (TF.js's gradient requires them).
 */
export const conv2DBackpropFilterWasm: tf.KernelFunc = (args): TensorInfo => {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as BackpropFilterAttrs;
  if (attrs.dataFormat === 'NCHW') {
    throw new Error('Conv2DBackpropFilter (wasm, Sluice): only NHWC is supported, found NCHW');
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter (wasm, Sluice): expected float32, found ${x.dtype}/${dy.dtype}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const rows = batchSize * outHeight * outWidth;
  const depth = filterHeight * filterWidth * inChannels;

  // NOTE: allocate before taking heap views: an allocation may grow the wasm memory, which
  // detaches every view taken earlier.
  const cols = backend.makeOutput([1, depth, rows], 'float32');
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const colValues = backend.typedArrayFromHeap(cols) as Float32Array;
  // im2col, transposed: row k = (fy, fx, c), ordered like the filter, holds that tap's input
  // at every output position p = (b, oy, ox); padding is 0 (makeOutput does not zero memory).
  // NOTE: [depth, rows] x [rows, outChannels] is ~10x faster in the wasm BatchMatMul than
  // the same product with transposeA on a [rows, depth] matrix.
  const imageSize = inHeight * inWidth * inChannels;
  let at = 0;
  for (let fy = 0; fy < filterHeight; fy += 1) {
    for (let fx = 0; fx < filterWidth; fx += 1) {
      // The output columns whose input column (ox * stride - padLeft + fx) is inside the image.
      const firstX = Math.max(0, Math.ceil((padLeft - fx) / strideWidth));
      const endX = Math.min(outWidth, Math.floor((inWidth - 1 + padLeft - fx) / strideWidth) + 1);
      for (let c = 0; c < inChannels; c += 1) {
        for (let b = 0; b < batchSize; b += 1) {
          for (let oy = 0; oy < outHeight; oy += 1, at += outWidth) {
            const y = oy * strideHeight - padTop + fy;
            if (y < 0 || y >= inHeight || firstX >= endX) {
              colValues.fill(0, at, at + outWidth);
              continue;
            }
            colValues.fill(0, at, at + firstX);
            let from = b * imageSize + (y * inWidth + firstX * strideWidth - padLeft + fx) * inChannels + c;
            const step = strideWidth * inChannels;
            for (let ox = firstX; ox < endX; ox += 1, from += step) colValues[at + ox] = xs[from] as number;
            colValues.fill(0, at + endX, at + outWidth);
          }
        }
      }
    }
  }
  const matMul = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (!matMul) throw new Error('Conv2DBackpropFilter (wasm, Sluice): the wasm backend has no BatchMatMul');
  const dyRows: TensorInfo = { dataId: dy.dataId, shape: [1, rows, outChannels], dtype: 'float32' };
  const product = matMul.kernelFunc({
    inputs: { a: cols, b: dyRows },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as TensorInfo;
  backend.disposeData(cols.dataId);
  // [1, depth, outChannels] is laid out as [filterHeight, filterWidth, inChannels, outChannels].
  return { dataId: product.dataId, shape: [...attrs.filterShape], dtype: 'float32' };
};

let ready: Promise<typeof tf> | undefined;

/**
 * Loads TF.js with the WebAssembly backend selected and Sluice's `Conv2DBackpropFilter`
 * registered; resolves to `@tensorflow/tfjs-core`. Safe to call many times (once per process
 * or worker thread does the work).
 *
 * NOTE: TF.js runs the wasm backend single-threaded under Node (its multi-thread detection
 * returns false there), so there is no thread count to set.
 *
 * @example
 * const tf = await initTfWasm();
 * const model = tfl.sequential({ ... }); // @tensorflow/tfjs-layers trains on it
 */
export function initTfWasm(): Promise<typeof tf> {
  ready ??= (async () => {
    const packageJson = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    setWasmPaths(`${join(dirname(packageJson), 'dist')}/`);
    if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
      tf.registerKernel({
        kernelName: 'Conv2DBackpropFilter',
        backendName: 'wasm',
        kernelFunc: conv2DBackpropFilterWasm,
      });
    }
    if (!(await tf.setBackend('wasm'))) {
      throw new Error('TF.js could not initialise its wasm backend');
    }
    return tf;
  })();
  return ready;
}
