import { describe, expect, it } from 'vitest';
import { Permutation } from './permutation.js';

function all(permutation: Permutation): number[] {
  return Array.from({ length: permutation.size }, (_, index) => permutation.at(index));
}

describe('Permutation', () => {
  it('is a bijection of 0..n-1 for sizes around powers of two', () => {
    for (const size of [1, 2, 3, 7, 8, 9, 100, 1000, 4097]) {
      const values = all(new Permutation(size, 42, 0));
      expect(new Set(values).size).toBe(size);
      expect(Math.min(...values)).toBe(0);
      expect(Math.max(...values)).toBe(size - 1);
    }
  });

  it('is fixed by seed and epoch, and differs between them', () => {
    const a = all(new Permutation(500, 7, 0));
    expect(all(new Permutation(500, 7, 0))).toEqual(a);
    expect(all(new Permutation(500, 7, 1))).not.toEqual(a);
    expect(all(new Permutation(500, 8, 0))).not.toEqual(a);
    expect(a).not.toEqual([...a].sort((x, y) => x - y));
  });

  it('puts each value at each position about equally often over many seeds', () => {
    // 10 values, 4,000 seeds: each (position, value) cell expects 400; a fixed or biased
    // permutation puts thousands in some cells and none in others.
    const size = 10;
    const counts = Array.from({ length: size }, () => new Array<number>(size).fill(0));
    for (let seed = 0; seed < 4000; seed++) {
      const permutation = new Permutation(size, seed, 3);
      for (let position = 0; position < size; position++) counts[position]![permutation.at(position)]! += 1;
    }
    let chi = 0;
    for (const row of counts) for (const count of row) chi += (count - 400) ** 2 / 400;
    // 81 degrees of freedom: the 99.9th percentile of chi-square is about 128.
    expect(chi).toBeLessThan(128);
  });

  it('rejects positions outside the range', () => {
    expect(() => new Permutation(5, 1, 0).at(5)).toThrow('outside 0..4');
  });
});
