/**
 * A small seeded pseudo-random generator, so that k-means initialisation (and anything
 * else drawing random numbers) replays exactly for the same seed.
 */

/** Returns numbers uniformly in [0, 1), the same sequence for the same 32-bit `seed`. */
export function seededRandom(seed: number): () => number {
  // Mulberry32: a 32-bit state advanced by a Weyl sequence, then mixed.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
