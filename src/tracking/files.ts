/**
 * Files of model versions and artifacts: a file or folder stored content-addressed in the
 * object store (durable before anything refers to it), and laid out again.
 */
import { lstat, readdir } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { SluiceError, canonicalJson, sha256 } from '../core/index.js';
import type { ObjectStore } from '../data/index.js';
import type { TrackedFile } from '../store/index.js';

/** Regular files under `root` (relative, '/'-separated, sorted); symlinks are refused. */
async function walk(root: string, what: string): Promise<{ path: string; size: number }[]> {
  const found: { path: string; size: number }[] = [];
  async function visit(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) {
        found.push({ path: relative(root, path).split(sep).join('/'), size: (await lstat(path)).size });
      } else {
        throw new SluiceError(
          'IO',
          `${what}: ${path} is not a regular file (symlinks and devices are refused)`,
        );
      }
    }
  }
  await visit(root);
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Stores a file (as one entry named after it) or every file under a folder, and resolves
 * once all are durable. `what` names the thing in errors (`model 'x'`, `artifact 'y'`).
 */
export async function storeFiles(
  objects: ObjectStore,
  path: string,
  what: string,
  options: { requireDir?: boolean } = {},
): Promise<TrackedFile[]> {
  let info;
  try {
    info = await lstat(path);
  } catch {
    throw new SluiceError('IO', `${what}: ${path} does not exist`);
  }
  if (info.isFile() && !options.requireDir) {
    const [hash] = await objects.putFiles([path]);
    return [{ path: basename(path), hash: hash ?? '', size: info.size }];
  }
  if (!info.isDirectory()) {
    throw new SluiceError(
      'IO',
      `${what}: ${path} is not a ${options.requireDir ? 'folder' : 'file or folder'}`,
    );
  }
  const files = await walk(path, what);
  if (files.length === 0) throw new SluiceError('IO', `${what}: folder ${path} holds no files`);
  const hashes = await objects.putFiles(files.map((file) => join(path, ...file.path.split('/'))));
  return files.map((file, index) => ({ path: file.path, hash: hashes[index] ?? '', size: file.size }));
}

/** The identity of a list of files: equal for equal paths and contents. */
export function contentHash(files: TrackedFile[]): string {
  return sha256(canonicalJson(files.map((file) => [file.path, file.hash])));
}

/** Lays files out under `dest`, verifying each object against its hash. */
export async function layoutFiles(objects: ObjectStore, files: TrackedFile[], dest: string): Promise<void> {
  await Promise.all(
    files.map(async (file) => {
      if (file.path.startsWith('/') || file.path.split('/').some((part) => part === '..' || part === '')) {
        throw new SluiceError('INVALID_PATH', `stored file path '${file.path}' is not a safe relative path`);
      }
      await objects.getToFile(file.hash, join(dest, ...file.path.split('/')));
    }),
  );
}
