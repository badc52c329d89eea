/**
 * The {@link SqlClient} on PGlite (PostgreSQL compiled to WebAssembly, in-process).
 *
 * A fresh data directory costs ~5 s of initdb; reopening one ~0.7 s. So a new directory is
 * made by copying a template that was initialised and migrated once per machine (in the
 * OS temp dir, keyed by PGlite's version and the migrations).
 */
import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { SluiceError, sha256 } from '../../core/index.js';
import { migrate, migrationsFingerprint } from '../migrations.js';
import type { SqlClient } from '../sql-client.js';

type Queryable = Pick<PGlite, 'query' | 'exec'> | Transaction;

function wrap(db: Queryable, transaction: SqlClient['transaction'], close: () => Promise<void>): SqlClient {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      try {
        const result = await db.query<T>(sql, params);
        return { rows: result.rows };
      } catch (error) {
        throw new SluiceError('STORE', `metadata store query failed: ${(error as Error).message}`, {
          cause: error,
          details: { sql: sql.slice(0, 200) },
        });
      }
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    transaction,
    close,
  };
}

/** Opens (creating if needed) the PGlite database in `dir` and migrates it. */
export async function openPgliteClient(dir: string): Promise<SqlClient> {
  if (!(await exists(join(dir, 'PG_VERSION')))) await copyTemplate(dir);
  const client = pgliteClient(await PGlite.create(dir));
  await migrate(client);
  return client;
}

function pgliteClient(db: PGlite): SqlClient {
  const nested = (): Promise<never> => Promise.reject(new Error('nested transactions are not supported'));
  return wrap(
    db,
    (fn) => db.transaction((tx) => fn(wrap(tx, nested, async () => undefined))),
    () => db.close(),
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
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
  if (!(await exists(join(template, 'PG_VERSION')))) {
    const building = `${template}.${process.pid}.${Date.now()}.tmp`;
    const db = await PGlite.create(building);
    await migrate(pgliteClient(db));
    await db.close();
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
