// The embedded deployment the benchmarks measure: PGlite metadata, a local object store,
// repos and an engine over one data directory, as `sluice` opens it.
import { join } from 'node:path';
import { Repos, createEngine, openEmbeddedStore, openLocalObjectStore } from '../dist/index.js';

/**
 * Opens `home` with an engine of `concurrency` workers; `close()` releases everything.
 * @param {string} home
 * @param {number} concurrency
 */
export async function openEmbedded(home, concurrency) {
  const { store, lock } = await openEmbeddedStore({ home });
  const objects = openLocalObjectStore(join(home, 'objects'));
  const repos = new Repos(store.repos, objects);
  const engine = createEngine({ store, objects, repos, scratchDir: join(home, 'scratch'), concurrency });
  return {
    store,
    objects,
    repos,
    engine,
    async close() {
      await engine.close();
      await store.close();
      await lock.release();
    },
  };
}
