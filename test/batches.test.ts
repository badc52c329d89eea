/**
 * Training batches end to end: datapoints in a repo, a session with forked loader
 * processes over embedded topics (and NATS), batches checked against the files.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeArrays } from '../src/batches/arrays.js';
import { openBatches, type Batch, type BatchesOptions } from '../src/batches/client.js';
import { compileConfig } from '../src/cli/config.js';
import { openLocalWorkspace, type LocalWorkspace } from '../src/cli/workspace.js';
import { sluice, tempProjects } from './helpers.js';

const project = tempProjects();
const H = 4;
const W = 5;

/** A datapoint whose every image pixel is its number and whose mask is its number mod 2. */
function datapoint(number: number, width = W): Uint8Array {
  return encodeArrays({
    meta: { number },
    arrays: {
      image: { dtype: 'float32', shape: [H, width], data: new Float32Array(H * width).fill(number) },
      mask: { dtype: 'uint8', shape: [H, width], data: new Uint8Array(H * width).fill(number % 2) },
    },
  });
}

/** A workspace whose repo `points` holds `count` datapoints under /datapoints (and one stray file). */
async function withPoints(
  count: number,
  env: Record<string, string> = {},
  odd?: number,
): Promise<{ dir: string; workspace: LocalWorkspace }> {
  const dir = await project({});
  const data = join(dir, 'data', 'datapoints');
  await mkdir(data, { recursive: true });
  for (let number = 0; number < count; number++)
    await writeFile(
      join(data, `p${String(number).padStart(4, '0')}.arrays`),
      datapoint(number, number === odd ? W + 1 : W),
    );
  await writeFile(join(dir, 'data', 'notes.txt'), 'not a datapoint');
  const workspace = await openLocalWorkspace(
    compileConfig({}, { SLUICE_HOME: join(dir, '.sluice'), ...env }, dir, false),
    'test',
  );
  await workspace.repos.create('points');
  await workspace.repos.put('points', 'main', { kind: 'path', path: join(dir, 'data') });
  return { dir, workspace };
}

async function collect(
  workspace: LocalWorkspace,
  dir: string,
  options: Partial<BatchesOptions>,
  during?: (batch: Batch, pids: number[]) => void,
): Promise<{ batches: Batch[]; restarts: number; duplicates: number }> {
  const spoolDir = join(dir, 'spool');
  const session = await openBatches(
    { ...workspace, objectsDir: join(dir, '.sluice', 'objects'), spoolDir },
    { repo: 'points', path: '/datapoints', seed: 7, ackWaitMs: 1000, ...options },
  );
  const batches: Batch[] = [];
  try {
    for await (const batch of session) {
      batches.push(batch);
      during?.(batch, session.loaderPids());
    }
  } finally {
    await session.close();
  }
  // Nothing of the session is left: no spooled batch, no stored one.
  expect(existsSync(spoolDir) ? await readdir(spoolDir) : []).toEqual([]);
  return { batches, restarts: session.stats.loaderRestarts, duplicates: session.stats.duplicates };
}

/** Checks every epoch holds every datapoint once, and arrays match the files. */
function checkEpochs(batches: Batch[], count: number, epochs: number, size: number): void {
  const perEpoch = Math.ceil(count / size);
  expect(batches.map((batch) => [batch.epoch, batch.index])).toEqual(
    Array.from({ length: epochs * perEpoch }, (_, n) => [Math.floor(n / perEpoch), n % perEpoch]),
  );
  for (let epoch = 0; epoch < epochs; epoch++) {
    const numbers = batches
      .filter((batch) => batch.epoch === epoch)
      .flatMap((batch) => batch.meta.map((meta) => meta.number as number));
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, n) => n));
  }
  for (const batch of batches) {
    const n = batch.paths.length;
    expect(batch.arrays.image!.shape).toEqual([n, H, W]);
    expect(batch.arrays.mask!.shape).toEqual([n, H, W]);
    expect(batch.arrays.image!.dtype).toBe('float32');
    batch.meta.forEach((meta, slot) => {
      const number = meta.number as number;
      expect(batch.paths[slot]).toBe(`/datapoints/p${String(number).padStart(4, '0')}.arrays`);
      expect(batch.arrays.image!.data[slot * H * W]).toBe(number);
      expect(batch.arrays.image!.data[slot * H * W + H * W - 1]).toBe(number);
      expect(batch.arrays.mask!.data[slot * H * W + 3]).toBe(number % 2);
    });
  }
}

describe('training batches', () => {
  it('serves every datapoint once per epoch in seeded random batches, the same for the same seed', async () => {
    const { dir, workspace } = await withPoints(50);
    try {
      const first = await collect(workspace, dir, { size: 8, epochs: 2, loaders: 2 });
      checkEpochs(first.batches, 50, 2, 8);
      expect(first.batches.at(-1)!.paths).toHaveLength(2);
      const order = (batches: Batch[]): number[] => batches.flatMap((batch) => batch.ordinals);
      // Random: not in path order, and the two epochs differ.
      expect(order(first.batches).slice(0, 50)).not.toEqual(Array.from({ length: 50 }, (_, n) => n));
      expect(order(first.batches).slice(50)).not.toEqual(order(first.batches).slice(0, 50));
      const again = await collect(workspace, dir, { size: 8, epochs: 2, loaders: 1 });
      expect(order(again.batches)).toEqual(order(first.batches));
      const other = await collect(workspace, dir, { size: 8, epochs: 1, loaders: 1, seed: 8 });
      expect(order(other.batches)).not.toEqual(order(first.batches).slice(0, 50));
      // The session's topics are gone afterwards.
      expect((await workspace.topics.list()).map((topic) => topic.name)).toEqual([]);
    } finally {
      await workspace.close();
    }
  });

  it('loses and duplicates nothing when a loader is killed mid-epoch', async () => {
    const { dir, workspace } = await withPoints(120);
    try {
      let killed = 0;
      const result = await collect(
        workspace,
        dir,
        { size: 8, epochs: 1, loaders: 2, prefetch: 6 },
        (batch, pids) => {
          if (batch.index === 2 || batch.index === 8) {
            process.kill(pids[0]!, 'SIGKILL');
            killed += 1;
          }
        },
      );
      expect(killed).toBe(2);
      checkEpochs(result.batches, 120, 1, 8);
      expect(result.restarts).toBeGreaterThanOrEqual(2);
    } finally {
      await workspace.close();
    }
  });

  it('says which datapoint does not fit, and when there is nothing to sample', async () => {
    const { dir, workspace } = await withPoints(16, {}, 5);
    try {
      await expect(collect(workspace, dir, { size: 16, loaders: 1 })).rejects.toThrow(
        /\/datapoints\/p000[0-9]\.arrays: array 'image' is float32 \[4,[56]\], but .* has float32 \[4,[56]\]/,
      );
      await expect(collect(workspace, dir, { path: '/nothing', loaders: 1 })).rejects.toMatchObject({
        code: 'BATCHES_FAILED',
        message: expect.stringContaining("has no '*.arrays' files under /nothing"),
      });
      await expect(collect(workspace, dir, { size: 0 })).rejects.toThrow('size must be an integer ≥ 1');
    } finally {
      await workspace.close();
    }
  });

  it('serves a Python program through sluice batches exec', async () => {
    const { dir, workspace } = await withPoints(20);
    await workspace.close();
    await writeFile(
      join(dir, 'train.py'),
      [
        'from sluice_batches import batches',
        'seen = []',
        'for batch in batches():',
        '    images, masks = batch.arrays["image"], batch.arrays["mask"]',
        '    assert images.dtype.name == "float32" and masks.dtype.name == "uint8", (images.dtype, masks.dtype)',
        '    assert images.shape[1:] == (4, 5) and masks.shape == images.shape, images.shape',
        '    for slot, meta in enumerate(batch.meta):',
        '        assert images[slot, 0, 0] == meta["number"]',
        '        seen.append(meta["number"])',
        '    print(batch.epoch, batch.index, images.shape[0])',
        'assert sorted(seen) == list(range(20)), seen',
        'print("ok", len(seen))',
      ].join('\n'),
    );
    const result = await sluice(
      [
        'batches',
        'exec',
        '--repo',
        'points',
        '--path',
        '/datapoints',
        '--size',
        '8',
        '--seed',
        '3',
        '--',
        '/usr/bin/python3',
        '-u',
        'train.py',
      ],
      dir,
    );
    expect(result.stderr).toContain('20 datapoints of points@');
    expect(result.code, result.stderr).toBe(0);
  });

  it('serves a TS step of a run through the run itself', async () => {
    const { dir, workspace } = await withPoints(20);
    await workspace.close();
    await writeFile(
      join(dir, 'train.ts'),
      [
        "import { batches } from 'sluice';",
        'export default async function () {',
        '  const seen: number[] = [];',
        '  let count = 0;',
        "  for await (const batch of batches({ repo: 'points', path: '/datapoints', size: 8, epochs: 2, seed: 4 })) {",
        '    count += 1;',
        "    if (batch.arrays.image.shape.join(',') !== `${batch.paths.length},4,5`) throw new Error('bad shape');",
        '    for (const meta of batch.meta) seen.push(meta.number as number);',
        '  }',
        '  return { batches: count, seen: seen.sort((a, b) => a - b) };',
        '}',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'train.yaml'),
      [
        'name: train',
        'steps:',
        '  train:',
        '    run: ./train.ts',
        '    outputs: [batches, seen]',
        '    cache: false',
      ].join('\n'),
    );
    const result = await sluice(['run', 'train.yaml', '--json'], dir);
    expect(result.code, result.stderr).toBe(0);
    const outputs = (JSON.parse(result.stdout) as { outputs: { batches: number; seen: number[] } }).outputs;
    expect(outputs.batches).toBe(6);
    const once = Array.from({ length: 20 }, (_, n) => n);
    expect(outputs.seen).toEqual(once.flatMap((n) => [n, n]));
  });

  it('adds loaders started elsewhere when topics are in NATS', async () => {
    const { dir, workspace } = await withPoints(40, { SLUICE_NATS_URL: 'nats://127.0.0.1:4222' });
    const name = `batches-test-${process.pid}`;
    const loader = spawn(
      process.execPath,
      [
        join(import.meta.dirname, '..', 'bin', 'sluice.js'),
        'batches',
        'loader',
        '--name',
        name,
        '--objects',
        join(dir, '.sluice', 'objects'),
      ],
      {
        env: {
          ...process.env,
          SLUICE_NATS_URL: 'nats://127.0.0.1:4222',
          SLUICE_HOME: join(dir, 'elsewhere'),
        },
        stdio: 'ignore',
      },
    );
    try {
      const objects = async (): Promise<number> =>
        (await readdir(join(dir, '.sluice', 'objects'), { recursive: true, withFileTypes: true })).filter(
          (entry) => entry.isFile(),
        ).length;
      const before = await objects();
      const result = await collect(workspace, dir, { size: 8, epochs: 1, loaders: 0, name });
      checkEpochs(result.batches, 40, 1, 8);
      // That loader stored the batches in the object store; the session removed each.
      expect(await objects()).toBe(before);
    } finally {
      loader.kill('SIGTERM');
      await workspace.close();
    }
  });
});
