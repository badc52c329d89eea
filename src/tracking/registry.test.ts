import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../core/index.js';
import { openLocalObjectStore } from '../data/index.js';
import { openPgliteClient, sqlStore, type MetadataStore } from '../store/index.js';
import { ModelRegistry } from './registry.js';

let dir: string;
let store: MetadataStore;
let registry: ModelRegistry;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-registry-'));
  store = sqlStore(await openPgliteClient(join(dir, 'db')));
  registry = new ModelRegistry(store, openLocalObjectStore(join(dir, 'objects')));
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function modelDir(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(dir, 'model-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SluiceError) return `[${error.code}] ${error.message}`;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('ModelRegistry', () => {
  it('numbers versions 1, 2, 3 and moves latest to the newest by itself', async () => {
    const first = await registry.save('kmeans', await modelDir({ 'model.json': '{"k":2}' }), {
      metrics: { silhouette: 0.5 },
      params: { k: 2 },
    });
    const second = await registry.save(
      'kmeans',
      await modelDir({ 'model.json': '{"k":3}', 'sub/extra.bin': 'x' }),
    );
    expect([first.version, second.version]).toEqual([1, 2]);
    expect(first.aliases).toEqual(['latest']);
    expect((await registry.get('kmeans')).version).toBe(2);
    expect((await registry.get('kmeans@latest')).version).toBe(2);
    const one = await registry.get('kmeans:1');
    expect(one).toMatchObject({ metrics: { silhouette: 0.5 }, params: { k: 2 }, aliases: [] });
    expect(second.files.map((file) => file.path)).toEqual(['model.json', 'sub/extra.bin']);

    const out = join(dir, 'download');
    await registry.download('kmeans:1', out);
    expect(await readFile(join(out, 'model.json'), 'utf8')).toBe('{"k":2}');
  });

  it('moves user aliases, refuses to remove an aliased version unless forced', async () => {
    await registry.save('aliased', await modelDir({ a: '1' }));
    await registry.save('aliased', await modelDir({ a: '2' }));
    await registry.setAlias('aliased', 'production', 1);
    expect((await registry.get('aliased@production')).version).toBe(1);
    await registry.setAlias('aliased', 'production', 2);
    expect((await registry.get('aliased@production')).aliases).toEqual(['latest', 'production']);
    expect(await failure(registry.remove('aliased', 2))).toMatchInlineSnapshot(
      `"[MODEL_ALIASED] model 'aliased' version 2 has alias production; move or remove it first, or force"`,
    );
    await registry.remove('aliased', 2, { force: true });
    expect((await registry.get('aliased')).version).toBe(1);
    expect(await failure(registry.get('aliased@production'))).toMatchInlineSnapshot(
      `"[MODEL_NOT_FOUND] model 'aliased' has no alias 'production'; aliases: latest"`,
    );
    // Numbers are never reused: the next save is 3, not 2.
    expect((await registry.save('aliased', await modelDir({ a: '3' }))).version).toBe(3);
    expect(await failure(registry.setAlias('aliased', 'latest', 1))).toContain(
      'always names the newest version',
    );
  });

  it('says what exists when a reference names nothing', async () => {
    expect(await failure(registry.get('nope'))).toMatch(
      /^\[MODEL_NOT_FOUND\] model 'nope' does not exist; models: .*kmeans/,
    );
    expect(await failure(registry.get('kmeans:9'))).toMatchInlineSnapshot(
      `"[MODEL_NOT_FOUND] model 'kmeans' has no version 9; versions: 1, 2"`,
    );
    expect(await failure(registry.get('Bad Name'))).toMatchInlineSnapshot(
      `"[MODEL_NOT_FOUND] model reference 'Bad Name': expected NAME, NAME@ALIAS or NAME:VERSION (a name of lowercase letters, digits and '-')"`,
    );
    expect(await failure(registry.save('Bad_Name', dir))).toContain("model name 'Bad_Name' is not valid");
  });

  it('returns the first version when the same datum of the same run saves the same files again', async () => {
    const provenance = {
      runId: 'run1',
      step: 'train',
      datum: '',
      pipeline: 'p',
      pipelineVersion: 'v',
      inputCommits: [],
    };
    const files = await modelDir({ w: 'weights' });
    const first = await registry.save('deduped', files, { provenance });
    const again = await registry.save('deduped', files, { provenance });
    const changed = await registry.save('deduped', await modelDir({ w: 'other' }), { provenance });
    expect([first.version, again.version, changed.version]).toEqual([1, 1, 2]);
    expect(first).toMatchObject({ runId: 'run1', step: 'train', pipeline: 'p' });
  });

  it('applies retention: keeps the newest N, and aliased versions when asked', async () => {
    for (const content of ['1', '2', '3', '4', '5'])
      await registry.save('kept', await modelDir({ f: content }));
    await registry.setAlias('kept', 'production', 1);
    await registry.setRetention('kept', { keepLast: 2, keepAliased: true });
    expect(await registry.applyRetention('kept')).toEqual([
      { name: 'kept', version: 2 },
      { name: 'kept', version: 3 },
    ]);
    expect((await registry.versions('kept')).map((version) => [version.version, version.aliases])).toEqual([
      [5, ['latest']],
      [4, []],
      [1, ['production']],
    ]);
    // The rule holds on every save; without keepAliased the aliased version goes too.
    await registry.setRetention('kept', { keepAliased: false });
    await registry.save('kept', await modelDir({ f: '6' }));
    expect((await registry.versions('kept')).map((version) => version.version)).toEqual([6, 5]);
    expect((await registry.list()).find((model) => model.name === 'kept')).toMatchObject({
      versions: 2,
      latest: 6,
      aliases: { latest: 6 },
      retention: { keepLast: 2, keepAliased: false },
    });
  });
});
