import { describe, expect, it } from 'vitest';
import {
  calinskiHarabaszScore,
  clusterMetrics,
  daviesBouldinScore,
  silhouetteScore,
} from '../lib/cluster-metrics.js';

// Two pairs on a line: {0, 1} and {10, 11}.
const points = [[0], [1], [10], [11]];
const labels = [0, 0, 1, 1];

describe('cluster metrics', () => {
  it('match the definitions on a case worked by hand', () => {
    expect(silhouetteScore(points, labels)).toBeCloseTo((9.5 / 10.5 + 8.5 / 9.5) / 2, 14);
    // between 2·5² + 2·5² = 100, within 4 · 0.5² = 1, (n − k)/(k − 1) = 2
    expect(calinskiHarabaszScore(points, labels)).toBeCloseTo(200, 10);
    // spreads 0.5 and 0.5, centroids 10 apart
    expect(daviesBouldinScore(points, labels)).toBeCloseTo(0.1, 14);
  });

  it('ignore what the labels are called', () => {
    const renamed = [7, 7, -2, -2];
    expect(silhouetteScore(points, renamed)).toBe(silhouetteScore(points, labels));
    expect(daviesBouldinScore(points, renamed)).toBe(daviesBouldinScore(points, labels));
  });

  it('score a point alone in its cluster 0 in the silhouette', () => {
    const three = [[0], [1], [10]];
    // points 0 and 1: a = 1, b = 10 and 9; point 10: alone, 0
    expect(silhouetteScore(three, [0, 0, 1])).toBeCloseTo((0.9 + 8 / 9) / 3, 14);
  });

  it('follow the conventions for zero dispersion', () => {
    const twins = [[1], [1], [5], [5]];
    expect(calinskiHarabaszScore(twins, labels)).toBe(1);
    expect(daviesBouldinScore(twins, labels)).toBe(0);
  });

  it('are not defined for one cluster or one cluster per point, and say so', () => {
    expect(clusterMetrics(points, [0, 0, 0, 0])).toEqual({
      metrics: null,
      reason: '1 distinct clusters among 4 points; the metrics need from 2 to n - 1 (3)',
    });
    expect(() => silhouetteScore(points, [0, 1, 2, 3])).toThrow('4 distinct clusters among 4 points');
    expect(() => silhouetteScore(points, [0, 1])).toThrow(
      '4 points but 2 labels; expected one label per point',
    );
  });
});
