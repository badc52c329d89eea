/**
 * A seeded pseudorandom permutation of `0..n-1` that needs O(1) memory: a balanced Feistel
 * network over the smallest even power of two ≥ n, with cycle-walking (a value that lands
 * outside `0..n-1` is permuted again until it lands inside; fewer than 4 rounds on average).
 *
 * This is how the batch sampler draws uniformly without replacement within an epoch while
 * never holding the index: position `p` of epoch `e` is datapoint `permute(p)` of a network
 * keyed by `(seed, e)`, and the datapoint is looked up by its ordinal in the store.
 */

/** A 32-bit avalanche mix (the finaliser of MurmurHash3). */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const ROUNDS = 6;

export class Permutation {
  readonly size: number;
  readonly #halfBits: number;
  readonly #halfMask: number;
  readonly #keys: number[];

  /** A permutation of `0..size-1` determined by `seed` and `epoch` (integers). */
  constructor(size: number, seed: number, epoch: number) {
    if (!Number.isSafeInteger(size) || size < 0 || size > 2 ** 40)
      throw new RangeError(`permutation size ${size} is not an integer in 0..2^40`);
    this.size = size;
    const bits = Math.max(2, Math.ceil(Math.log2(Math.max(size, 2))));
    this.#halfBits = Math.ceil(bits / 2);
    this.#halfMask = 2 ** this.#halfBits - 1;
    const base = mix32(mix32(seed ^ 0x9e3779b9) ^ Math.floor(seed / 2 ** 32)) ^ mix32(epoch + 0x7f4a7c15);
    this.#keys = Array.from({ length: ROUNDS }, (_, round) => mix32(base + Math.imul(round + 1, 0x27d4eb2d)));
  }

  /** The value at `position` (0 ≤ position < size). */
  at(position: number): number {
    if (!Number.isInteger(position) || position < 0 || position >= this.size)
      throw new RangeError(`position ${position} is outside 0..${this.size - 1}`);
    let value = position;
    do value = this.#round(value);
    while (value >= this.size);
    return value;
  }

  #round(value: number): number {
    const scale = 2 ** this.#halfBits;
    let left = Math.floor(value / scale);
    let right = value % scale;
    for (const key of this.#keys) {
      // The round function only needs to be a good mix of (right, key) into halfBits bits.
      const f = mix32((Math.imul(right, 0x9e3779b1) + key) ^ (key >>> 7)) & this.#halfMask;
      const next = (left ^ f) & this.#halfMask;
      left = right;
      right = next;
    }
    return left * scale + right;
  }
}
