/**
 * The {@link SqlClient} on PGlite (PostgreSQL compiled to WebAssembly), which runs on a
 * thread of its own (`pglite-thread.js`): SQL never blocks the engine's thread.
 *
 * A fresh data directory costs ~5 s of initdb; reopening one ~0.7 s. So a new directory is
 * made by copying a template that was initialised and migrated once per machine (in the
 * OS temp dir, keyed by PGlite's version and the migrations).
 */
import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SluiceError, pathExists, sha256 } from '../../core/index.js';
import { migrate, migrationsFingerprint } from '../migrations.js';
import type { SqlClient } from '../sql-client.js';

interface Pending {
  resolve(rows: unknown[]): void;
  reject(error: Error): void;
  sql: string;
}

/**
 * Opens (creating if needed) the PGlite database in `dir` on its own thread, and migrates it.
 * Statements run one at a time in order; a transaction holds the connection until it ends.
 */
export async function openPgliteClient(dir: string): Promise<SqlClient> {
  if (!(await pathExists(join(dir, 'PG_VERSION')))) await copyTemplate(dir);
  const client = await threadClient(dir);
  await migrate(client);
  return client;
}

async function threadClient(dir: string): Promise<SqlClient> {
  const worker = new Worker(new URL('./pglite-thread.js', import.meta.url), { workerData: { dir } });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let failure: Error | undefined;
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  worker.on('message', (message: { id: number; rows?: unknown[]; error?: string }) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    // An idle store must not keep the process alive; a pending statement must.
    if (pending.size === 0) worker.unref();
    if (message.error !== undefined) {
      waiting.reject(
        new SluiceError('STORE', `metadata store query failed: ${message.error}`, {
          details: { sql: waiting.sql.slice(0, 200) },
        }),
      );
    } else {
      waiting.resolve(message.rows ?? []);
    }
  });
  worker.on('error', (error) => {
    failure = new SluiceError('STORE', `the metadata store thread failed: ${error.message}`, {
      cause: error,
    });
    for (const waiting of pending.values()) waiting.reject(failure);
    pending.clear();
  });
  worker.unref();

  function send(kind: 'query' | 'exec' | 'close', sql: string, params?: unknown[]): Promise<unknown[]> {
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      const id = nextId++;
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve, reject, sql });
      worker.postMessage({ id, kind, sql, params });
    });
  }

  // One statement stream: a transaction takes the connection until it commits or rolls back.
  let queue: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  const direct: SqlClient = {
    async query<T>(sql: string, params: unknown[] = []) {
      return { rows: (await send('query', sql, params)) as T[] };
    },
    async exec(sql: string) {
      await send('exec', sql);
    },
    transaction: () => Promise.reject(new Error('nested transactions are not supported')),
    close: async () => undefined,
  };

  return {
    query: (sql, params) => exclusive(() => direct.query(sql, params)),
    exec: (sql) => exclusive(() => direct.exec(sql)),
    transaction: (fn) =>
      exclusive(async () => {
        await send('exec', 'BEGIN');
        try {
          const result = await fn(direct);
          await send('exec', 'COMMIT');
          return result;
        } catch (error) {
          await send('exec', 'ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    close: () =>
      exclusive(async () => {
        await send('close', '');
        await worker.terminate();
      }),
  };
}

/** Identifies the installed PGlite build (its entry file's path, size and mtime). */
async function pgliteBuild(): Promise<string> {
  try {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const info = await stat(entry);
    return `${entry}:${info.size}:${info.mtimeMs}`;
  } catch {
    return 'unknown';
  }
}

/** Copies an initialised, migrated data directory into `dir`, building the template once. */
async function copyTemplate(dir: string): Promise<void> {
  const key = sha256(`${await pgliteBuild()}|${migrationsFingerprint()}`).slice(0, 16);
  const template = join(tmpdir(), `sluice-pglite-template-${key}`);
  if (!(await pathExists(join(template, 'PG_VERSION')))) {
    const building = `${template}.${process.pid}.${Date.now()}.tmp`;
    const client = await threadClient(building);
    await migrate(client);
    await client.close();
    try {
      await rename(building, template);
    } catch {
      // Another process finished its template first; theirs is as good as ours.
      await rm(building, { recursive: true, force: true });
    }
  }
  await mkdir(dirname(dir), { recursive: true });
  await cp(template, dir, { recursive: true });
}
