#!/usr/bin/env node
/**
 * Makes the sample camera frames of the quick demo: a repo folder of
 * `<device>/<YYYY-MM-DDTHH-MM-SS>.jpg` from a real photograph (Debian's python3-matplotlib
 * ships it) and seeded noise, plus one corrupt frame. What each frame should come to under
 * `rules.yaml` is in {@link SAMPLE_FRAMES}.
 *
 * Usage: node examples/camera-threats/scripts/make-frames.mjs [folder]
 *        (default: examples/camera-threats/cameras)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { noiseJpeg, photoPath } from './sample-images.mjs';

/**
 * The sample frames and what the pipeline should make of each with `rules.yaml`: the rule of
 * the threat, `null` for no threat, or `'rejected'` when validate fails the datum.
 *
 * @type {ReadonlyArray<{ path: string, shows: string, expected: string | null }>}
 */
export const SAMPLE_FRAMES = [
  { path: 'cam1/2026-11-24T14-05-00.jpg', shows: 'a person by day', expected: 'person-any-camera' },
  { path: 'cam3/2026-11-24T22-15-00.jpg', shows: 'a person at night', expected: 'person-at-night-cam3' },
  { path: 'cam2/2026-11-24T23-40-00.jpg', shows: 'sensor noise', expected: null },
  { path: 'cam2/2026-11-24T23-45-00.jpg', shows: 'a frame cut off in transfer', expected: 'rejected' },
];

/**
 * Writes the sample frames under `dir` (created if needed).
 *
 * @param {string} dir the repo folder
 * @returns {Promise<void>}
 */
export async function makeFrames(dir) {
  const photo = await sharp(photoPath()).jpeg({ quality: 90 }).toBuffer();
  // Night: darker and colder, as an IR-assisted camera at dusk would see it.
  const night = await sharp(photo)
    .modulate({ brightness: 0.55, saturation: 0.3 })
    .jpeg({ quality: 85 })
    .toBuffer();
  const noise = await noiseJpeg(640, 480, 42);
  /** @type {Record<string, Buffer>} */
  const files = {
    'cam1/2026-11-24T14-05-00.jpg': photo,
    'cam3/2026-11-24T22-15-00.jpg': night,
    'cam2/2026-11-24T23-40-00.jpg': noise,
    'cam2/2026-11-24T23-45-00.jpg': photo.subarray(0, Math.floor(photo.length / 2)),
  };
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = resolve(process.argv[2] ?? fileURLToPath(new URL('../cameras/', import.meta.url)));
  await makeFrames(dir);
  for (const frame of SAMPLE_FRAMES) console.log(`${join(dir, frame.path)}: ${frame.shows}`);
}
