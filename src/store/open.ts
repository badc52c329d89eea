/** Opening a Sluice home (data directory) as its single owner. */
import { join } from 'node:path';
import { acquireHomeLock, type HomeLock } from './lock.js';
import { openPgliteClient } from './pglite/pglite-client.js';
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
