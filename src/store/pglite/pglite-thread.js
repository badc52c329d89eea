// The thread that owns a PGlite database. PGlite is PostgreSQL compiled to WebAssembly and
// runs its queries on the calling thread; here it gets a thread of its own, so the engine's
// thread neither waits for SQL nor carries PGlite's large heap. Plain JavaScript so that the
// built dist/ and Vitest (src/) can both start it.
import { PGlite } from '@electric-sql/pglite';
import { parentPort, workerData } from 'node:worker_threads';

const db = await PGlite.create(workerData.dir);

/** @param {unknown} error */
function describe(error) {
  return error instanceof Error ? error.message : String(error);
}

parentPort?.on(
  'message',
  async (/** @type {{ id: number, kind: string, sql: string, params?: unknown[] }} */ message) => {
    try {
      if (message.kind === 'close') {
        await db.close();
        parentPort?.postMessage({ id: message.id, rows: [] });
        return;
      }
      if (message.kind === 'exec') {
        await db.exec(message.sql);
        parentPort?.postMessage({ id: message.id, rows: [] });
        return;
      }
      const result = await db.query(message.sql, message.params ?? []);
      parentPort?.postMessage({ id: message.id, rows: result.rows });
    } catch (error) {
      parentPort?.postMessage({ id: message.id, error: describe(error) });
    }
  },
);
parentPort?.postMessage({ ready: true });
