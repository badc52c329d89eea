/**
 * k-means clustering: greedy k-means++ seeding from a seeded generator, then Lloyd
 * iterations until no point changes cluster (or `maxIter`). `nInit` seedings are tried and
 * the one with the lowest inertia (sum of squared distances to the nearest centre) is kept,
 * the earliest on a tie, so the same data, `k` and `seed` always give the same model.
 *
 * A cluster left empty by an iteration takes the point farthest from its centre (among
 * clusters of more than one point), as scikit-learn does.
 */
import { seededRandom } from './random.js';

/** The file a k-means model version holds. */
export const KMEANS_MODEL_FILE = 'kmeans.json';

/** Training options. */
export interface KMeansOptions {
  k: number;
  /** Seeds the k-means++ draws. */
  seed: number;
  /** Seedings tried; the best is kept (default 10). */
  nInit?: number;
  /** Lloyd iterations per seeding at most (default 300). */
  maxIter?: number;
}

/** A trained model's centres and what training found. */
export interface KMeansFit {
  centers: number[][];
  /** The training points' clusters. */
  labels: number[];
  inertia: number;
  /** Lloyd iterations of the kept seeding. */
  iterations: number;
}

/** A k-means model as stored in `kmeans.json`. */
export interface KMeansModel {
  kind: 'beehive-kmeans';
  feature_names: string[];
  centers: number[][];
  inertia: number;
  iterations: number;
  seed: number;
  n_init: number;
  /** The training clusters' sizes (what online training weighs the centres by). */
  counts?: number[];
  /** The feature model's means and stds, for a server that is sent raw features. */
  scale?: { mean: number[]; std: number[] };
}

/** Squared Euclidean distance. */
export function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) {
    const d = (a[i] as number) - (b[i] as number);
    sum += d * d;
  }
  return sum;
}

/** The nearest centre of each point (the lowest index on a tie) and its distance. */
export function predictClusters(
  centers: readonly number[][],
  points: readonly number[][],
): { labels: number[]; distances: number[] } {
  const labels: number[] = [];
  const distances: number[] = [];
  for (const point of points) {
    if (point.length !== centers[0]?.length) {
      throw new Error(
        `a point has ${point.length} features; the model's centres have ${centers[0]?.length ?? 0}`,
      );
    }
    let best = 0;
    let bestDistance = Infinity;
    centers.forEach((center, index) => {
      const distance = squaredDistance(point, center);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = index;
      }
    });
    labels.push(best);
    distances.push(Math.sqrt(bestDistance));
  }
  return { labels, distances };
}

/** Index drawn with probability proportional to `weights` (the last positive one on rounding). */
function drawWeighted(weights: readonly number[], total: number, random: () => number): number {
  let target = random() * total;
  let last = 0;
  for (let i = 0; i < weights.length; i += 1) {
    const weight = weights[i] as number;
    if (weight <= 0) continue;
    last = i;
    target -= weight;
    if (target < 0) return i;
  }
  return last;
}

/** Greedy k-means++: each new centre is the best of `2 + ln k` candidates drawn by D². */
function seedCenters(points: readonly number[][], k: number, random: () => number): number[][] {
  const first = points[Math.floor(random() * points.length)] as number[];
  const centers = [first];
  let nearest = points.map((point) => squaredDistance(point, first));
  const trials = 2 + Math.floor(Math.log(k));
  while (centers.length < k) {
    const total = nearest.reduce((sum, value) => sum + value, 0);
    if (total === 0) {
      // Fewer distinct points than k: repeat one; Lloyd's empty-cluster rule sorts it out.
      centers.push(first);
      continue;
    }
    let bestCandidate = -1;
    let bestPotential = Infinity;
    let bestNearest = nearest;
    for (let trial = 0; trial < trials; trial += 1) {
      const candidate = drawWeighted(nearest, total, random);
      const point = points[candidate] as number[];
      const updated = nearest.map((value, index) =>
        Math.min(value, squaredDistance(points[index] as number[], point)),
      );
      const potential = updated.reduce((sum, value) => sum + value, 0);
      if (potential < bestPotential) {
        bestPotential = potential;
        bestCandidate = candidate;
        bestNearest = updated;
      }
    }
    centers.push(points[bestCandidate] as number[]);
    nearest = bestNearest;
  }
  return centers.map((center) => [...center]);
}

/** Lloyd iterations from `initial` centres. */
function lloyd(points: readonly number[][], initial: number[][], maxIter: number): KMeansFit {
  const k = initial.length;
  const dims = points[0]?.length ?? 0;
  let centers = initial;
  let labels: number[] = [];
  let iterations = 0;
  for (; iterations < maxIter; iterations += 1) {
    const assigned = predictClusters(centers, points);
    const changed = assigned.labels.some((label, index) => label !== labels[index]);
    labels = assigned.labels;
    if (!changed) break;
    const sums = Array.from({ length: k }, () => new Array<number>(dims).fill(0));
    const counts = new Array<number>(k).fill(0);
    points.forEach((point, index) => {
      const label = labels[index] as number;
      counts[label] = (counts[label] as number) + 1;
      const sum = sums[label] as number[];
      point.forEach((value, dim) => {
        sum[dim] = (sum[dim] as number) + value;
      });
    });
    for (let cluster = 0; cluster < k; cluster += 1) {
      if (counts[cluster] !== 0) continue;
      // NOTE: an empty cluster takes the point farthest from its centre among clusters of 2+.
      let far = -1;
      let farDistance = -1;
      points.forEach((point, index) => {
        const label = labels[index] as number;
        if ((counts[label] as number) < 2) return;
        const distance = squaredDistance(point, centers[label] as number[]);
        if (distance > farDistance) {
          farDistance = distance;
          far = index;
        }
      });
      if (far < 0) continue;
      const from = labels[far] as number;
      const point = points[far] as number[];
      counts[from] = (counts[from] as number) - 1;
      sums[from] = (sums[from] as number[]).map((value, dim) => value - (point[dim] as number));
      labels[far] = cluster;
      counts[cluster] = 1;
      sums[cluster] = [...point];
    }
    centers = sums.map((sum, cluster) => sum.map((value) => value / (counts[cluster] as number)));
  }
  const inertia = points.reduce(
    (total, point, index) => total + squaredDistance(point, centers[labels[index] as number] as number[]),
    0,
  );
  return { centers, labels, inertia, iterations };
}

/**
 * Trains k-means on `points` (all of one length, finite).
 *
 * @throws Error when `k` is not an integer from 1 to the number of points, or a point is bad.
 */
export function trainKMeans(points: readonly number[][], options: KMeansOptions): KMeansFit {
  const { k, seed, nInit = 10, maxIter = 300 } = options;
  if (!Number.isInteger(k) || k < 1 || k > points.length) {
    throw new Error(`k is ${k}; expected an integer from 1 to the number of points (${points.length})`);
  }
  if (!Number.isInteger(nInit) || nInit < 1) throw new Error(`n_init is ${nInit}; expected an integer >= 1`);
  if (!Number.isInteger(maxIter) || maxIter < 1)
    throw new Error(`max_iter is ${maxIter}; expected an integer >= 1`);
  const dims = points[0]?.length ?? 0;
  points.forEach((point, index) => {
    if (point.length !== dims || !point.every(Number.isFinite)) {
      throw new Error(`point ${index}: expected ${dims} finite numbers`);
    }
  });
  const random = seededRandom(seed);
  let best: KMeansFit | null = null;
  for (let run = 0; run < nInit; run += 1) {
    const fit = lloyd(points, seedCenters(points, k, random), maxIter);
    if (best === null || fit.inertia < best.inertia) best = fit;
  }
  return best as KMeansFit;
}

/**
 * Checks a parsed `kmeans.json` (from `file`, for messages).
 *
 * @throws Error naming the file and the field that is wrong.
 */
export function parseKMeansModel(json: unknown, file: string): KMeansModel {
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (typeof json !== 'object' || json === null) return fail('expected a JSON object');
  const model = json as Partial<KMeansModel>;
  if (model.kind !== 'beehive-kmeans')
    fail(`kind is ${JSON.stringify(model.kind)}; expected "beehive-kmeans"`);
  const names = model.feature_names;
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) {
    fail('feature_names: expected an array of strings');
  }
  const centers = model.centers;
  if (!Array.isArray(centers) || centers.length === 0) fail('centers: expected at least one centre');
  (centers as unknown[]).forEach((center, index) => {
    if (
      !Array.isArray(center) ||
      center.length !== (names as string[]).length ||
      !center.every(Number.isFinite)
    ) {
      fail(`centers[${index}]: expected ${(names as string[]).length} finite numbers`);
    }
  });
  return model as KMeansModel;
}
