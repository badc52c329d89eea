/** Real images for the demo and the tests: a photograph from a Debian package and seeded noise. */
import { Buffer } from 'node:buffer';
import { existsSync } from 'node:fs';
import sharp from 'sharp';

/** A photograph of Grace Hopper (512x600 JPEG) shipped by Debian's python-matplotlib-data. */
export const GRACE_HOPPER = '/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg';

/**
 * The photograph's path.
 *
 * @returns {string}
 * @throws when it is not installed, naming the Debian package to install.
 */
export function photoPath() {
  if (!existsSync(GRACE_HOPPER))
    throw new Error(
      `${GRACE_HOPPER} is missing: install the Debian package python3-matplotlib ` +
        '(apt-get install -y python3-matplotlib; the file comes with its dependency python-matplotlib-data)',
    );
  return GRACE_HOPPER;
}

/**
 * Deterministic pseudo-random bytes (mulberry32), so a failure replays.
 *
 * @param {number} length
 * @param {number} seed
 * @returns {Buffer}
 */
export function seededBytes(length, seed) {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let index = 0; index < length; index++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    bytes[index] = (t ^ (t >>> 14)) & 0xff;
  }
  return bytes;
}

/**
 * A JPEG of RGB noise.
 *
 * @param {number} width
 * @param {number} height
 * @param {number} seed
 * @returns {Promise<Buffer>}
 */
export function noiseJpeg(width, height, seed) {
  return sharp(seededBytes(width * height * 3, seed), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}
