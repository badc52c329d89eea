/**
 * Reading a labelled image folder — `<dir>/<label>/<image>.png|jpg`, the label a folder
 * named by an integer, images grey or RGB of any size — into the model's input: grey,
 * resized to `size` x `size`, scaled to 0..1, as one Float32Array `[N, size, size, 1]`.
 * Files are listed in a stable order (labels, then names, sorted), so a seed always picks
 * the same images.
 *
 * Decoding 70,000 PNGs takes a while; the decoded pixels of a whole folder are cached in
 * `<dir>/.sluice-cache-<size>.bin`, valid while the listing (names, sizes, modification
 * times) is the same, so the next load of that folder takes a fraction of a second.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/** Images with their labels. `images` holds `count` x `size` x `size` values in 0..1. */
export interface LabelledImages {
  count: number;
  size: number;
  images: Float32Array;
  labels: Int32Array;
}

/** How {@link loadImageFolder} went: where the pixels came from. */
export interface LoadReport {
  /** Images in the folder (before `limit`). */
  listed: number;
  /** `true` when the pixels were read from the cache file. */
  cached: boolean;
  /** Set when the cache could not be written (a read-only folder): the load still succeeded. */
  cacheProblem?: string;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;
const CACHE_VERSION = 1;
// NOTE: sharp decodes on libuv's pool (4 threads); more files in flight only add memory.
const CONCURRENCY = 16;

interface Entry {
  path: string;
  label: number;
  bytes: number;
  modified: number;
}

/** The cache file of `dir` for images resized to `size`. */
export function cacheFile(dir: string, size: number): string {
  return join(dir, `.sluice-cache-${size}.bin`);
}

/** Lists `<dir>/<label>/<image>` in a stable order; throws naming `dir` when there is nothing. */
async function listFolder(dir: string): Promise<Entry[]> {
  let folders;
  try {
    folders = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new Error(
      `data_dir ${dir} cannot be read (${(error as Error).message}); expected a folder of <label>/<image> files (scripts/prepare.mjs writes one)`,
      { cause: error },
    );
  }
  const labels = folders
    .filter((folder) => folder.isDirectory() && /^\d+$/.test(folder.name))
    .map((folder) => folder.name)
    .sort();
  const names: { path: string; label: number }[] = [];
  for (const label of labels) {
    const files = (await readdir(join(dir, label))).filter((name) => IMAGE_FILE.test(name)).sort();
    for (const name of files) names.push({ path: join(label, name), label: Number(label) });
  }
  if (names.length === 0) {
    throw new Error(
      `data_dir ${dir} holds no <label>/<image> files (label: an integer folder name; image: .png, .jpg)`,
    );
  }
  const entries = new Array<Entry>(names.length);
  await eachConcurrently(names.length, 64, async (index) => {
    const { path, label } = names[index] as { path: string; label: number };
    const facts = await stat(join(dir, path));
    entries[index] = { path, label, bytes: facts.size, modified: Math.trunc(facts.mtimeMs) };
  });
  return entries;
}

/** Runs `task(0..count-1)` with at most `limit` in flight. */
async function eachConcurrently(
  count: number,
  limit: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) await task(index);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** A hash of the listing and size: the cache is valid only for exactly these files. */
function listingKey(entries: Entry[], size: number): string {
  const hash = createHash('sha256').update(`v${CACHE_VERSION} size ${size}\n`);
  for (const entry of entries) hash.update(`${entry.path}\t${entry.bytes}\t${entry.modified}\n`);
  return hash.digest('hex');
}

/** Decodes `files` into grey bytes, `size * size` per image. */
async function decodeAll(dir: string, entries: Entry[], size: number): Promise<Uint8Array> {
  const pixels = new Uint8Array(entries.length * size * size);
  await eachConcurrently(entries.length, CONCURRENCY, async (index) => {
    const file = join(dir, (entries[index] as Entry).path);
    let decoded;
    try {
      decoded = await sharp(file)
        .toColourspace('b-w')
        .resize(size, size, { fit: 'fill' })
        .raw()
        .toBuffer({ resolveWithObject: true });
    } catch (error) {
      throw new Error(`image ${file} cannot be decoded: ${(error as Error).message}`, { cause: error });
    }
    const { data, info } = decoded;
    const offset = index * size * size;
    for (let pixel = 0; pixel < size * size; pixel += 1) {
      pixels[offset + pixel] = data[pixel * info.channels] ?? 0;
    }
  });
  return pixels;
}

/** The cached pixels of `dir` when the cache file matches `key`, else `null`. */
async function readCache(file: string, key: string, count: number, size: number): Promise<Uint8Array | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return null;
  }
  const newline = bytes.indexOf(10);
  if (newline < 0) return null;
  let header: { key?: unknown; count?: unknown; size?: unknown };
  try {
    header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as typeof header;
  } catch {
    return null;
  }
  const length = count * size * size;
  if (header.key !== key || header.count !== count || header.size !== size) return null;
  if (bytes.length !== newline + 1 + length) return null;
  return new Uint8Array(bytes.buffer, bytes.byteOffset + newline + 1, length);
}

/** Writes the cache atomically; resolves to why it could not, or `undefined`. */
async function writeCache(
  file: string,
  key: string,
  count: number,
  size: number,
  pixels: Uint8Array,
): Promise<string | undefined> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const header = Buffer.from(`${JSON.stringify({ version: CACHE_VERSION, key, count, size })}\n`);
    await writeFile(temp, Buffer.concat([header, pixels]));
    await rename(temp, file);
    return undefined;
  } catch (error) {
    return `the cache ${file} cannot be written: ${(error as Error).message}`;
  }
}

/** Seeded pseudo-random numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 0..count-1 in a seeded random order (Fisher-Yates). */
export function permutation(count: number, seed: number): Int32Array {
  const order = new Int32Array(count);
  for (let index = 0; index < count; index += 1) order[index] = index;
  const random = seededRandom(seed);
  for (let index = count - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    const kept = order[index] as number;
    order[index] = order[other] as number;
    order[other] = kept;
  }
  return order;
}

/**
 * Loads the labelled images under `dir`, resized to `size`. With `limit` > 0, a seeded
 * sample of that many images (in listing order); the cache is read when valid, and written
 * only after decoding the whole folder.
 */
export async function loadImageFolder(
  dir: string,
  options: { size: number; limit?: number; seed?: number },
): Promise<{ data: LabelledImages; report: LoadReport }> {
  const { size } = options;
  const all = await listFolder(dir);
  const limit = options.limit && options.limit > 0 && options.limit < all.length ? options.limit : 0;
  const picked =
    limit > 0
      ? Array.from(permutation(all.length, options.seed ?? 0).subarray(0, limit)).sort((a, b) => a - b)
      : null;
  const entries = picked ? picked.map((index) => all[index] as Entry) : all;
  const key = listingKey(all, size);
  const file = cacheFile(dir, size);
  const cachedAll = await readCache(file, key, all.length, size);
  let pixels: Uint8Array;
  let cacheProblem: string | undefined;
  if (cachedAll && picked) {
    pixels = new Uint8Array(entries.length * size * size);
    picked.forEach((index, row) =>
      pixels.set(cachedAll.subarray(index * size * size, (index + 1) * size * size), row * size * size),
    );
  } else if (cachedAll) {
    pixels = cachedAll;
  } else {
    pixels = await decodeAll(dir, entries, size);
    if (!picked) cacheProblem = await writeCache(file, key, all.length, size, pixels);
  }
  const images = new Float32Array(pixels.length);
  for (let index = 0; index < pixels.length; index += 1) images[index] = (pixels[index] as number) / 255;
  const labels = Int32Array.from(entries, (entry) => entry.label);
  return {
    data: { count: entries.length, size, images, labels },
    report: { listed: all.length, cached: cachedAll !== null, ...(cacheProblem ? { cacheProblem } : {}) },
  };
}

/** Indices of the train, validation and test parts of a seeded split. */
export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * Splits `count` items by a seeded shuffle: the first `testSplit` of it is the test part,
 * the next `validationSplit` the validation part, the rest the training part.
 *
 * @throws Error when a fraction is outside 0..1 or they leave nothing to train on.
 */
export function splitDataset(
  count: number,
  options: { validationSplit: number; testSplit: number; seed: number },
): Split {
  const { validationSplit, testSplit, seed } = options;
  for (const [name, value] of [
    ['validation_split', validationSplit],
    ['test_split', testSplit],
  ] as const) {
    if (!(value >= 0 && value < 1)) throw new Error(`${name}: expected a fraction in [0, 1), found ${value}`);
  }
  const order = permutation(count, seed);
  const testCount = Math.floor(count * testSplit);
  const validationCount = Math.floor(count * validationSplit);
  if (testCount + validationCount >= count) {
    throw new Error(
      `validation_split ${validationSplit} + test_split ${testSplit} of ${count} images leave none to train on`,
    );
  }
  return {
    test: order.slice(0, testCount),
    validation: order.slice(testCount, testCount + validationCount),
    train: order.slice(testCount + validationCount),
  };
}

/** The images and labels at `indices`, in that order. */
export function selectImages(data: LabelledImages, indices: Int32Array): LabelledImages {
  const pixels = data.size * data.size;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, row) => {
    images.set(data.images.subarray(index * pixels, (index + 1) * pixels), row * pixels);
    labels[row] = data.labels[index] as number;
  });
  return { count: indices.length, size: data.size, images, labels };
}
