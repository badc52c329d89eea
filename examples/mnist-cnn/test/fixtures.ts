/**
 * What the mnist-cnn tests share: a temporary folder of MNIST images written by
 * `scripts/prepare.mjs` for the test file, and `sluice ... --json` in the example folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { sluice } from '../../../test/helpers.js';

/** The example's folder: where its pipelines run from. */
export const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));

/**
 * Before the file's tests, writes the first `limit` images of each MNIST split into a new
 * temporary folder (`root`; the images under `data`), removed after them.
 */
export function preparedImages(limit: number): { root: string; data: string } {
  const paths = { root: '', data: '' };
  beforeAll(async () => {
    paths.root = await mkdtemp(join(tmpdir(), 'mnist-cnn-'));
    paths.data = join(paths.root, 'images');
    const prepared = spawnSync(
      process.execPath,
      [join(EXAMPLE, 'scripts', 'prepare.mjs'), '--out', paths.data, '--limit', String(limit)],
      { encoding: 'utf8' },
    );
    if (prepared.status !== 0) throw new Error(`prepare.mjs failed: ${prepared.stderr}`);
  });
  afterAll(async () => {
    await rm(paths.root, { recursive: true, force: true });
  });
  return paths;
}

/** `sluice ...args --json` in the example folder; its output parsed, or an error with what it said. */
export async function cliJson<T>(args: string[], env: Record<string, string>): Promise<T> {
  const result = await sluice([...args, '--json'], EXAMPLE, env);
  if (result.code !== 0) throw new Error(`sluice ${args.join(' ')}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout) as T;
}
