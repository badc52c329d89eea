import '@tensorflow/tfjs-backend-cpu';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTfWasm } from './tfjs-wasm.js';

type Tf = Awaited<ReturnType<typeof initTfWasm>>;
let tf: Tf;

beforeAll(async () => {
  tf = await initTfWasm();
});

/** Seeded uniform values in -1..1 (mulberry32), so a failure replays. */
function randomValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(count);
  for (let index = 0; index < count; index += 1) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[index] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return values;
}

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
}

const cases: Case[] = [
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { x: [3, 10, 11, 2], filter: [5, 5, 2, 6], strides: [2, 2], pad: 'valid' },
  { x: [2, 8, 7, 3], filter: [4, 3, 3, 5], strides: [2, 1], pad: 'same' },
  { x: [1, 12, 12, 1], filter: [5, 5, 1, 8], strides: [1, 1], pad: 'valid' },
  { x: [2, 7, 9, 4], filter: [2, 4, 4, 3], strides: [3, 2], pad: 'same' },
  {
    x: [2, 6, 6, 2],
    filter: [3, 3, 2, 2],
    strides: [1, 2],
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
];

/** Conv2DBackpropFilter on `backend` for one case, as plain numbers. */
async function backpropFilter(backend: string, testCase: Case, seed: number): Promise<Float32Array> {
  await tf.setBackend(backend);
  const info = tf.backend_util.computeConv2DInfo(
    testCase.x,
    testCase.filter,
    testCase.strides,
    1,
    testCase.pad,
  );
  const dyShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  const size = (shape: number[]) => shape.reduce((product, dimension) => product * dimension, 1);
  const x = tf.tensor(randomValues(size(testCase.x), seed), testCase.x);
  const dy = tf.tensor(randomValues(size(dyShape), seed + 1), dyShape);
  const result = tf
    .engine()
    .runKernel(
      'Conv2DBackpropFilter',
      { x, dy },
      { strides: testCase.strides, pad: testCase.pad, dataFormat: 'NHWC', filterShape: testCase.filter },
    ) as Tensor;
  expect(result.shape).toEqual(testCase.filter);
  const values = (await result.data()) as Float32Array;
  tf.dispose([x, dy, result]);
  return values;
}

describe('initTfWasm', () => {
  it('selects the wasm backend', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  it.each(cases.map((testCase, index) => [index, testCase] as const))(
    'computes the Conv2D filter gradient as the CPU backend does (case %i)',
    async (index, testCase) => {
      const expected = await backpropFilter('cpu', testCase, 100 + index);
      const actual = await backpropFilter('wasm', testCase, 100 + index);
      expect(actual.length).toBe(expected.length);
      let worst = 0;
      for (let at = 0; at < expected.length; at += 1) {
        worst = Math.max(worst, Math.abs((actual[at] as number) - (expected[at] as number)));
      }
      expect(worst).toBeLessThan(1e-4);
    },
  );

  it('trains a convolution on wasm: the loss goes down', async () => {
    await tf.setBackend('wasm');
    const images = tf.tensor4d(randomValues(8 * 10 * 10, 7), [8, 10, 10, 1]);
    const target = tf.tensor4d(randomValues(8 * 8 * 8 * 3, 8), [8, 8, 8, 3]);
    const filter = tf.variable(tf.tensor4d(randomValues(3 * 3 * 3, 9), [3, 3, 1, 3]));
    const optimizer = tf.train.sgd(0.05);
    const loss = () => tf.losses.meanSquaredError(target, tf.conv2d(images, filter, 1, 'valid')) as Scalar;
    const before = loss().dataSync()[0] as number;
    for (let step = 0; step < 20; step += 1) optimizer.minimize(loss);
    const after = loss().dataSync()[0] as number;
    expect(after).toBeLessThan(before * 0.9);
    tf.dispose([images, target, filter]);
    optimizer.dispose();
  });
});
