import { mkdtemp, readFile, writeFile, mkdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeObjectStoreConformance } from '../object-store.case.js';
import { materializeFileSet, storeDirectory } from '../file-sets.js';
import { openLocalObjectStore } from './local-object-store.js';

describeObjectStoreConformance('local', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-objects-'));
  return {
    objects: openLocalObjectStore(dir),
    async corrupt(hash) {
      const path = join(dir, hash.slice(0, 2), hash.slice(2));
      const data = await readFile(path);
      data[0] = (data[0] ?? 0) ^ 0xff;
      await writeFile(path, data);
    },
  };
});

describe('file sets', () => {
  it('store a directory as a sorted manifest and lay it out again', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sluice-files-'));
    const objects = openLocalObjectStore(join(root, 'objects'));
    await mkdir(join(root, 'src', 'sub'), { recursive: true });
    await writeFile(join(root, 'src', 'b.txt'), 'bee');
    await writeFile(join(root, 'src', 'sub', 'a.txt'), 'ay');
    const value = await storeDirectory(objects, join(root, 'src'));
    expect(Object.keys(value?.$files ?? {})).toEqual(['b.txt', 'sub/a.txt']);
    await materializeFileSet(objects, value ?? { $files: {} }, join(root, 'dest'));
    expect(await readFile(join(root, 'dest', 'sub', 'a.txt'), 'utf8')).toBe('ay');
    expect(await storeDirectory(objects, join(root, 'missing'))).toBeUndefined();
  });

  it('refuse symbolic links in an output directory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sluice-files-'));
    const objects = openLocalObjectStore(join(root, 'objects'));
    await mkdir(join(root, 'src'));
    await symlink('/etc/passwd', join(root, 'src', 'link'));
    await expect(storeDirectory(objects, join(root, 'src'))).rejects.toThrow('is a symbolic link');
  });
});
