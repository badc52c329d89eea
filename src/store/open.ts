/** Opening a Sluice home (data directory) as its single owner. */
import { join } from 'node:path';
import pg from 'pg';
import { acquireHomeLock, type HomeLock } from './lock.js';
import { openPgliteClient } from './pglite/pglite-client.js';
import { migrate } from './migrations.js';
import { openPostgresClient } from './postgres/pg-client.js';
import { sqlStore } from './sql-store.js';
import type { MetadataStore } from './store.js';

/**
 * Takes `home`'s lock, opens its PGlite database (`<home>/db`, created and migrated if
 * needed) and marks runs left unfinished by a dead owner `interrupted`.
 * Throws `STORE_LOCKED` ({@link LockHeldError}) when another live process owns it.
 */
export async function openEmbeddedStore(options: {
  home: string;
}): Promise<{ store: MetadataStore; lock: HomeLock }> {
  const lock = await acquireHomeLock(options.home);
  try {
    const store = sqlStore(await openPgliteClient(join(options.home, 'db')));
    await store.sweepInterrupted(process.pid);
    return { store, lock };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * Opens the metadata store on a PostgreSQL server (cluster mode, `SLUICE_DATABASE_URL`),
 * migrating it first. Many processes share it, so there is no home lock; migrations are
 * serialised among them by an advisory lock.
 */
export async function openClusterStore(url: string): Promise<MetadataStore> {
  const client = await openPostgresClient(url, { maxConnections: 6 });
  try {
    await withAdvisoryLock(url, MIGRATION_LOCK, () => migrate(client));
    return sqlStore(client);
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** The advisory lock key serialising migrations ("sluice" in ASCII). */
const MIGRATION_LOCK = 0x736c75696365;

/** Runs `fn` holding a session-level advisory lock on its own connection. */
async function withAdvisoryLock<T>(url: string, key: number, fn: () => Promise<T>): Promise<T> {
  const connection = new pg.Client({ connectionString: url });
  await connection.connect();
  try {
    await connection.query('SELECT pg_advisory_lock($1)', [key]);
    return await fn();
  } finally {
    await connection.end().catch(() => undefined);
  }
}
