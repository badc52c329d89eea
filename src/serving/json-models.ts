/**
 * Models stored as JSON parameters, run inline (a batch takes microseconds):
 *
 * - `kmeans` (`kmeans.json`): `{ centers: number[][], counts?: number[], scale?: { mean, std } }`.
 *   A row is scaled (`(x - mean) / std`, when `scale` is given), then answered with its nearest
 *   centre and the Euclidean distance to it. It learns online by the mini-batch k-means
 *   update (Sculley, 2010): each row moves its centre by `1 / count` (or a fixed rate).
 * - `linear` (`linear.json`): `{ weights: number[][], bias: number[], activation?: 'identity' |
 *   'sigmoid' | 'softmax' }` — one output per row of `weights` (linear or logistic regression).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '../core/index.js';
import type { ModelRunner, Values } from './runner.js';

/** The parameters of a k-means version. */
export interface KMeansParams {
  centers: number[][];
  /** Rows each centre has absorbed (default 1 each). */
  counts?: number[];
  scale?: { mean: number[]; std: number[] };
  [key: string]: unknown;
}

/** The parameters of a linear version. */
export interface LinearParams {
  weights: number[][];
  bias: number[];
  activation?: 'identity' | 'sigmoid' | 'softmax';
}

/** The file each JSON flavour reads. */
export const JSON_MODEL_FILES = { kmeans: 'kmeans.json', linear: 'linear.json' } as const;

const isNumbers = (value: unknown, length?: number): value is number[] =>
  Array.isArray(value) &&
  (length === undefined || value.length === length) &&
  value.every((item) => typeof item === 'number' && Number.isFinite(item));

/** Reads and checks a JSON flavour's file; errors name the file and the field. */
export async function readJsonModel(
  flavor: 'kmeans' | 'linear',
  dir: string,
  features: number,
  where: string,
): Promise<KMeansParams | LinearParams> {
  const file = JSON_MODEL_FILES[flavor];
  const fail = (message: string): never => {
    throw new SluiceError('MODEL_MANIFEST', `${where} ${file}: ${message}`);
  };
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(await readFile(join(dir, file), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    fail(`cannot be read as JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('expected a JSON object');
  if (flavor === 'kmeans') {
    const { centers, counts, scale } = json as Partial<KMeansParams>;
    if (!Array.isArray(centers) || centers.length === 0) fail('centers: expected at least one centre');
    (centers as unknown[]).forEach((center, index) => {
      if (!isNumbers(center, features))
        fail(`centers[${index}]: expected ${features} finite numbers (the input's width)`);
    });
    if (counts !== undefined && !isNumbers(counts, (centers as unknown[]).length)) {
      fail(`counts: expected ${(centers as unknown[]).length} finite numbers, one per centre`);
    }
    if (
      scale !== undefined &&
      (typeof scale !== 'object' ||
        scale === null ||
        !isNumbers(scale.mean, features) ||
        !isNumbers(scale.std, features) ||
        !scale.std.every((std) => std > 0))
    ) {
      fail(`scale: expected { mean, std } of ${features} finite numbers each, every std > 0`);
    }
    return json as KMeansParams;
  }
  const { weights, bias, activation } = json as Partial<LinearParams>;
  if (!Array.isArray(weights) || weights.length === 0) fail('weights: expected one row per output');
  (weights as unknown[]).forEach((row, index) => {
    if (!isNumbers(row, features))
      fail(`weights[${index}]: expected ${features} finite numbers (the input's width)`);
  });
  if (!isNumbers(bias, (weights as unknown[]).length))
    fail(`bias: expected ${(weights as unknown[]).length} finite numbers`);
  if (activation !== undefined && !['identity', 'sigmoid', 'softmax'].includes(activation)) {
    fail(`activation: expected identity, sigmoid or softmax, found ${JSON.stringify(activation)}`);
  }
  return json as unknown as LinearParams;
}

/** Scales row `row` of `input` into `into`. */
function scaleRow(params: KMeansParams, input: Values, row: number, width: number, into: Float64Array): void {
  const { scale } = params;
  for (let dim = 0; dim < width; dim += 1) {
    const value = input[row * width + dim] as number;
    into[dim] = scale ? (value - (scale.mean[dim] as number)) / (scale.std[dim] as number) : value;
  }
}

/** The nearest centre of a scaled point and the squared distance to it (the lowest index on a tie). */
function nearest(centers: number[][], point: Float64Array): { index: number; squared: number } {
  let index = 0;
  let squared = Infinity;
  for (let c = 0; c < centers.length; c += 1) {
    const center = centers[c] as number[];
    let sum = 0;
    for (let dim = 0; dim < point.length; dim += 1) {
      const d = (point[dim] as number) - (center[dim] as number);
      sum += d * d;
    }
    if (sum < squared) {
      squared = sum;
      index = c;
    }
  }
  return { index, squared };
}

/** Scaled rows of `input` (`n` rows of `width`). */
export function scaledRows(params: KMeansParams, input: Values, n: number, width: number): Float64Array[] {
  return Array.from({ length: n }, (_, row) => {
    const point = new Float64Array(width);
    scaleRow(params, input, row, width, point);
    return point;
  });
}

/** Each scaled point's nearest centre. */
export function assign(centers: number[][], points: Float64Array[]): { labels: Int32Array; inertia: number } {
  const labels = new Int32Array(points.length);
  let inertia = 0;
  points.forEach((point, row) => {
    const best = nearest(centers, point);
    labels[row] = best.index;
    inertia += best.squared;
  });
  return { labels, inertia };
}

/**
 * One mini-batch k-means step over `n` rows: returns new parameters (the old are untouched).
 * With `rate`, every row moves its centre by that fraction; otherwise by 1 / the centre's count.
 */
export function updateKMeans(
  params: KMeansParams,
  input: Values,
  n: number,
  width: number,
  rate?: number,
): KMeansParams {
  const centers = params.centers.map((center) => [...center]);
  const counts = params.counts ? [...params.counts] : centers.map(() => 1);
  const points = scaledRows(params, input, n, width);
  const { labels } = assign(params.centers, points);
  points.forEach((point, row) => {
    const c = labels[row] as number;
    counts[c] = (counts[c] as number) + 1;
    const eta = rate ?? 1 / (counts[c] as number);
    const center = centers[c] as number[];
    for (let dim = 0; dim < width; dim += 1)
      center[dim] = (1 - eta) * (center[dim] as number) + eta * (point[dim] as number);
  });
  return { ...params, centers, counts };
}

/** An inline runner over JSON parameters. */
export function jsonRunner(
  flavor: 'kmeans' | 'linear',
  params: KMeansParams | LinearParams,
  width: number,
): ModelRunner {
  if (flavor === 'kmeans') {
    const kmeans = params as KMeansParams;
    return {
      async run(input, n) {
        const output = new Float64Array(n * 2);
        const point = new Float64Array(width);
        for (let row = 0; row < n; row += 1) {
          scaleRow(kmeans, input, row, width, point);
          const best = nearest(kmeans.centers, point);
          output[row * 2] = best.index;
          output[row * 2 + 1] = Math.sqrt(best.squared);
        }
        return { output, width: 2 };
      },
      async close() {},
    };
  }
  const linear = params as LinearParams;
  const outputs = linear.weights.length;
  return {
    async run(input, n) {
      const output = new Float64Array(n * outputs);
      for (let row = 0; row < n; row += 1) {
        const values = linear.weights.map((weights, o) => {
          let sum = linear.bias[o] as number;
          for (let dim = 0; dim < width; dim += 1)
            sum += (weights[dim] as number) * (input[row * width + dim] as number);
          return sum;
        });
        activate(values, linear.activation ?? 'identity');
        output.set(values, row * outputs);
      }
      return { output, width: outputs };
    },
    async close() {},
  };
}

function activate(values: number[], activation: NonNullable<LinearParams['activation']>): void {
  if (activation === 'sigmoid') {
    values.forEach((value, index) => (values[index] = 1 / (1 + Math.exp(-value))));
  } else if (activation === 'softmax') {
    const top = Math.max(...values);
    const exps = values.map((value) => Math.exp(value - top));
    const total = exps.reduce((sum, value) => sum + value, 0);
    exps.forEach((value, index) => (values[index] = value / total));
  }
}
