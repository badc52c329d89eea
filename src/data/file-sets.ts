/**
 * File-set values: a directory a step wrote, stored file by file in the object store and
 * kept as a manifest (relative path -> hash), and laid out as a directory again for the
 * steps that read it.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { SluiceError } from '../core/index.js';
import type { FileSetValue, ObjectStore } from './object-store.js';

/** Relative paths of the regular files under `root`, sorted; symlinks and other kinds are refused. */
async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push(relative(root, path).split(sep).join('/'));
      else {
        const kind = entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
        throw new SluiceError('STEP_OUTPUT', `output file ${path} is ${kind}; outputs must be regular files`);
      }
    }
  }
  await walk(root);
  return files.sort();
}

/** Stores every file under `dir`; `undefined` when `dir` is missing or holds no file. */
export async function storeDirectory(objects: ObjectStore, dir: string): Promise<FileSetValue | undefined> {
  try {
    if (!(await lstat(dir)).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const files = await listFiles(dir);
  if (files.length === 0) return undefined;
  const manifest: Record<string, string> = {};
  for (const file of files) manifest[file] = await objects.putFile(join(dir, file));
  return { $files: manifest };
}

/** Lays a file set out under `dest`, verifying every object. */
export async function materializeFileSet(
  objects: ObjectStore,
  value: FileSetValue,
  dest: string,
): Promise<void> {
  await Promise.all(
    Object.entries(value.$files).map(async ([path, hash]) => {
      if (path.split('/').some((part) => part === '..' || part === '') || path.startsWith('/')) {
        throw new SluiceError('STEP_OUTPUT', `file-set path '${path}' is not a safe relative path`);
      }
      await objects.getToFile(hash, join(dest, ...path.split('/')));
    }),
  );
}
