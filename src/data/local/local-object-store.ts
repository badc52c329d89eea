/**
 * The object store on a local directory: `<dir>/<first 2 hex>/<remaining 62 hex>`.
 * A write goes to a temp file in the same folder, is fsynced and renamed into place, so a
 * reader never sees a partial object; reads check the hash, so a corrupted object is
 * reported, never served.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SluiceError, pathExists } from '../../core/index.js';
import type { ObjectHash, ObjectStore } from '../object-store.js';

const HASH = /^[0-9a-f]{64}$/;
/** Files up to this size are stored in batches synced once; larger ones are streamed and fsynced one by one. */
const BATCH_FILE_LIMIT = 8 * 1024 * 1024;
const execFileAsync = promisify(execFile);

/** An object store in `dir` (created on first write). */
export function openLocalObjectStore(dir: string): ObjectStore {
  const pathOf = (hash: ObjectHash): string => {
    if (!HASH.test(hash)) throw new SluiceError('USAGE', `'${hash}' is not an object hash (64 hex digits)`);
    return join(dir, hash.slice(0, 2), hash.slice(2));
  };

  /** Moves a complete temp file into place durably (unless an identical object is there). */
  async function install(temp: string, hash: ObjectHash): Promise<void> {
    const target = pathOf(hash);
    if (await pathExists(target)) {
      await rm(temp, { force: true });
      return;
    }
    await mkdir(dirname(target), { recursive: true });
    await rename(temp, target);
    const folder = await open(dirname(target), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }

  function tempPath(): string {
    return join(dir, 'tmp', `${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  async function writeDurably(path: string, data: Uint8Array): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  function verify(hash: ObjectHash, path: string, data: Uint8Array): Uint8Array {
    const actual = createHash('sha256').update(data).digest('hex');
    if (actual !== hash) {
      throw new SluiceError(
        'OBJECT_CORRUPT',
        `object ${hash} at ${path} is corrupt: its content hashes to ${actual}`,
        {
          details: { hash, path, actual },
        },
      );
    }
    return data;
  }

  /**
   * Makes everything written under `dir` durable with one filesystem sync (`sync -f`, Linux's
   * syncfs); where that is unavailable, fsyncs each file and folder.
   */
  async function syncBatch(files: string[]): Promise<void> {
    try {
      await execFileAsync('sync', ['-f', dir]);
      return;
    } catch {
      // Not Linux coreutils: fall back to one fsync per file and folder.
    }
    const folders = new Set(files.map((file) => dirname(file)));
    for (const path of [...files, ...folders]) {
      const handle = await open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }

  return {
    async putFiles(paths, onProgress) {
      const hashes: ObjectHash[] = new Array<ObjectHash>(paths.length);
      const installed: string[] = [];
      let next = 0;
      let done = 0;
      const worker = async (): Promise<void> => {
        while (next < paths.length) {
          const index = next++;
          const path = paths[index] as string;
          if ((await stat(path)).size > BATCH_FILE_LIMIT) {
            hashes[index] = await this.putFile(path);
          } else {
            const data = await readFile(path);
            const hash = createHash('sha256').update(data).digest('hex');
            const target = pathOf(hash);
            if (!(await pathExists(target))) {
              const temp = tempPath();
              await mkdir(dirname(temp), { recursive: true });
              await writeFile(temp, data);
              await mkdir(dirname(target), { recursive: true });
              await rename(temp, target);
              installed.push(target);
            }
            hashes[index] = hash;
          }
          done += 1;
          onProgress?.(done, paths.length);
        }
      };
      await Promise.all(Array.from({ length: Math.min(16, paths.length) }, worker));
      if (installed.length > 0) await syncBatch(installed);
      return hashes;
    },
    async put(data) {
      const hash = createHash('sha256').update(data).digest('hex');
      if (await pathExists(pathOf(hash))) return hash;
      const temp = tempPath();
      await writeDurably(temp, data);
      await install(temp, hash);
      return hash;
    },
    async putFile(path) {
      const hasher = createHash('sha256');
      for await (const chunk of createReadStream(path)) hasher.update(chunk as Buffer);
      const hash = hasher.digest('hex');
      if (await pathExists(pathOf(hash))) return hash;
      const temp = tempPath();
      await mkdir(dirname(temp), { recursive: true });
      await copyFile(path, temp);
      const handle = await open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      // NOTE: the source could change between hashing and copying; check what we installed.
      const copied = createHash('sha256');
      for await (const chunk of createReadStream(temp)) copied.update(chunk as Buffer);
      if (copied.digest('hex') !== hash) {
        await rm(temp, { force: true });
        throw new SluiceError('IO', `file ${path} changed while it was being stored`);
      }
      await install(temp, hash);
      return hash;
    },
    async get(hash) {
      const path = pathOf(hash);
      let data: Uint8Array;
      try {
        data = await readFile(path);
      } catch (error) {
        throw new SluiceError('IO', `object ${hash} is missing from ${dir}`, { cause: error });
      }
      return verify(hash, path, data);
    },
    async getToFile(hash, dest) {
      const data = await this.get(hash);
      // NOTE: a laid-out copy is scratch, not a stored object: no fsync (it cost ~5 ms per datum).
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, data);
    },
    has: (hash) => pathExists(pathOf(hash)),
    async delete(hash) {
      await rm(pathOf(hash), { force: true });
    },
    async size(hash) {
      try {
        return (await stat(pathOf(hash))).size;
      } catch (error) {
        throw new SluiceError('IO', `object ${hash} is missing from ${dir}`, { cause: error });
      }
    },
  };
}
