import { describe, expect, it } from 'vitest';
import { parseKMeansModel, predictClusters, trainKMeans } from '../lib/kmeans.js';
import { seededRandom } from '../lib/random.js';

function blobs(seed: number): { points: number[][]; truth: number[] } {
  const random = seededRandom(seed);
  const centres = [
    [0, 0, 0],
    [8, 8, 0],
    [0, 8, 8],
  ];
  const points: number[][] = [];
  const truth: number[] = [];
  for (let i = 0; i < 60; i += 1) {
    const centre = centres[i % 3] as number[];
    points.push(centre.map((value) => value + random() - 0.5));
    truth.push(i % 3);
  }
  return { points, truth };
}

describe('k-means', () => {
  it('finds well-separated groups', () => {
    const { points, truth } = blobs(3);
    const fit = trainKMeans(points, { k: 3, seed: 42 });
    // Same grouping as the truth, whatever the cluster numbers are.
    const pairs = new Set(truth.map((label, i) => `${label}:${fit.labels[i]}`));
    expect(pairs.size).toBe(3);
    expect(predictClusters(fit.centers, points).labels).toEqual(fit.labels);
    expect(fit.inertia).toBeLessThan(60 * 0.75);
  });

  it('gives the same model for the same seed, and other seeds start elsewhere', () => {
    const { points } = blobs(5);
    const a = trainKMeans(points, { k: 4, seed: 7, nInit: 3 });
    const b = trainKMeans(points, { k: 4, seed: 7, nInit: 3 });
    expect(b).toEqual(a);
    const single = [1, 2, 3, 4, 5].map((seed) => trainKMeans(points, { k: 4, seed, nInit: 1 }).inertia);
    expect(new Set(single.map((value) => value.toFixed(9))).size).toBeGreaterThan(1);
  });

  it('copes with fewer distinct points than clusters', () => {
    const fit = trainKMeans([[1], [1], [1], [2]], { k: 3, seed: 1 });
    expect(new Set(fit.labels).size).toBe(3);
    expect(fit.inertia).toBe(0);
  });

  it('refuses a k the data cannot give, and bad points', () => {
    expect(() => trainKMeans([[1], [2]], { k: 3, seed: 1 })).toThrow(
      'k is 3; expected an integer from 1 to the number of points (2)',
    );
    expect(() =>
      trainKMeans(
        [
          [1, 2],
          [Number.NaN, 1],
        ],
        { k: 1, seed: 1 },
      ),
    ).toThrow('point 1: expected 2 finite numbers');
  });

  it('checks a stored model by field', () => {
    const model = { kind: 'beehive-kmeans', feature_names: ['a', 'b'], centers: [[0, 1], [2]] };
    expect(() => parseKMeansModel(model, 'kmeans.json')).toThrow(
      'kmeans.json: centers[1]: expected 2 finite numbers',
    );
  });
});
