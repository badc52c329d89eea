/**
 * Internal clustering metrics, with Euclidean distances, defined as scikit-learn defines
 * them (and checked against it to 1e-9 relative in `test/beehive-sensors.test.ts`):
 *
 * - **silhouette** (−1..1, higher is better): the mean over points of (b − a) / max(a, b),
 *   a = mean distance to the other points of its cluster, b = the lowest mean distance to
 *   the points of another cluster; a point alone in its cluster scores 0.
 * - **Calinski-Harabasz** (higher is better): between-cluster dispersion
 *   Σ nₖ‖cₖ − c‖² over within-cluster dispersion Σ‖x − c_label‖², times (n − k)/(k − 1);
 *   1 when the within-cluster dispersion is 0.
 * - **Davies-Bouldin** (≥ 0, lower is better): the mean over clusters of the largest
 *   (sᵢ + sⱼ) / ‖cᵢ − cⱼ‖, sᵢ = mean distance of cluster i's points to its centroid; 0 when
 *   every sᵢ or every centroid distance is about 0 (within 1e-8).
 *
 * Clusters are the distinct labels present; centroids are the means of their points (not
 * the model's centres). Each needs from 2 to n − 1 distinct labels.
 */

/** The three metrics of one clustering. */
export interface ClusterMetrics {
  silhouette: number;
  calinski_harabasz: number;
  davies_bouldin: number;
}

/** Points grouped by distinct label (in order of first appearance) and the label index of each. */
interface Grouped {
  index: number[];
  sizes: number[];
  clusters: number;
}

function group(points: readonly number[][], labels: readonly number[]): Grouped {
  if (points.length !== labels.length) {
    throw new Error(`${points.length} points but ${labels.length} labels; expected one label per point`);
  }
  const ids = new Map<number, number>();
  const index = labels.map((label) => {
    let id = ids.get(label);
    if (id === undefined) {
      id = ids.size;
      ids.set(label, id);
    }
    return id;
  });
  const sizes = new Array<number>(ids.size).fill(0);
  for (const id of index) sizes[id] = (sizes[id] as number) + 1;
  if (ids.size < 2 || ids.size >= points.length) {
    throw new Error(
      `${ids.size} distinct clusters among ${points.length} points; the metrics need from 2 to n - 1 (${points.length - 1})`,
    );
  }
  return { index, sizes, clusters: ids.size };
}

function distance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) {
    const d = (a[i] as number) - (b[i] as number);
    sum += d * d;
  }
  return Math.sqrt(sum);
}

function centroids(points: readonly number[][], grouped: Grouped): number[][] {
  const dims = points[0]?.length ?? 0;
  const sums = Array.from({ length: grouped.clusters }, () => new Array<number>(dims).fill(0));
  points.forEach((point, i) => {
    const sum = sums[grouped.index[i] as number] as number[];
    for (let d = 0; d < dims; d += 1) sum[d] = (sum[d] as number) + (point[d] as number);
  });
  return sums.map((sum, cluster) => sum.map((value) => value / (grouped.sizes[cluster] as number)));
}

/** The mean silhouette coefficient. O(n²) distances, O(n·k) memory. */
export function silhouetteScore(points: readonly number[][], labels: readonly number[]): number {
  const grouped = group(points, labels);
  const n = points.length;
  let total = 0;
  const sums = new Array<number>(grouped.clusters);
  for (let i = 0; i < n; i += 1) {
    sums.fill(0);
    const point = points[i] as number[];
    for (let j = 0; j < n; j += 1) {
      if (j === i) continue;
      const cluster = grouped.index[j] as number;
      sums[cluster] = (sums[cluster] as number) + distance(point, points[j] as number[]);
    }
    const own = grouped.index[i] as number;
    const size = grouped.sizes[own] as number;
    if (size === 1) continue; // a point alone in its cluster scores 0
    const a = (sums[own] as number) / (size - 1);
    let b = Infinity;
    for (let cluster = 0; cluster < grouped.clusters; cluster += 1) {
      if (cluster === own) continue;
      b = Math.min(b, (sums[cluster] as number) / (grouped.sizes[cluster] as number));
    }
    const scale = Math.max(a, b);
    if (scale > 0) total += (b - a) / scale;
  }
  return total / n;
}

/** The Calinski-Harabasz index (variance ratio criterion). */
export function calinskiHarabaszScore(points: readonly number[][], labels: readonly number[]): number {
  const grouped = group(points, labels);
  const n = points.length;
  const dims = points[0]?.length ?? 0;
  const mean = new Array<number>(dims).fill(0);
  for (const point of points)
    for (let d = 0; d < dims; d += 1) mean[d] = (mean[d] as number) + (point[d] as number) / n;
  const centres = centroids(points, grouped);
  let between = 0;
  centres.forEach((centre, cluster) => {
    between += (grouped.sizes[cluster] as number) * distance(centre, mean) ** 2;
  });
  let within = 0;
  points.forEach((point, i) => {
    within += distance(point, centres[grouped.index[i] as number] as number[]) ** 2;
  });
  if (within === 0) return 1;
  return (between * (n - grouped.clusters)) / (within * (grouped.clusters - 1));
}

/** The Davies-Bouldin index. */
export function daviesBouldinScore(points: readonly number[][], labels: readonly number[]): number {
  const grouped = group(points, labels);
  const centres = centroids(points, grouped);
  const spread = new Array<number>(grouped.clusters).fill(0);
  points.forEach((point, i) => {
    const cluster = grouped.index[i] as number;
    spread[cluster] = (spread[cluster] as number) + distance(point, centres[cluster] as number[]);
  });
  for (let cluster = 0; cluster < grouped.clusters; cluster += 1) {
    spread[cluster] = (spread[cluster] as number) / (grouped.sizes[cluster] as number);
  }
  const between = centres.map((a) => centres.map((b) => distance(a, b)));
  const nearZero = (value: number): boolean => Math.abs(value) <= 1e-8;
  if (spread.every(nearZero) || between.every((row) => row.every(nearZero))) return 0;
  let total = 0;
  for (let i = 0; i < grouped.clusters; i += 1) {
    let worst = 0;
    for (let j = 0; j < grouped.clusters; j += 1) {
      if (i === j) continue;
      const separation = (between[i] as number[])[j] as number;
      // NOTE: coinciding centroids give (s_i + s_j) / inf = 0 here, as in scikit-learn.
      const ratio = separation === 0 ? 0 : ((spread[i] as number) + (spread[j] as number)) / separation;
      worst = Math.max(worst, ratio);
    }
    total += worst;
  }
  return total / grouped.clusters;
}

/**
 * All three metrics, or `null` with the reason when they are not defined (fewer than 2 or
 * more than n − 1 distinct clusters, as with a handful of sensors).
 */
export function clusterMetrics(
  points: readonly number[][],
  labels: readonly number[],
): { metrics: ClusterMetrics; reason: null } | { metrics: null; reason: string } {
  try {
    return {
      metrics: {
        silhouette: silhouetteScore(points, labels),
        calinski_harabasz: calinskiHarabaszScore(points, labels),
        davies_bouldin: daviesBouldinScore(points, labels),
      },
      reason: null,
    };
  } catch (error) {
    return { metrics: null, reason: (error as Error).message };
  }
}
