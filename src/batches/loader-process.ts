/**
 * The entry of a loader a batch session forks: `node loader-process.js NAME OBJECTS_DIR SPOOL_DIR`.
 * Topics come through the parent (IPC); it loads until the parent stops it or goes away.
 * It imports only what loading needs, so it starts in a fraction of the CLI's time.
 */
import { openLocalObjectStore } from '../data/local/local-object-store.js';
import { topicsFromParent } from '../streams/ipc.js';
import { runLoader } from './loader.js';

const [name, objectsDir, spool] = process.argv.slice(2);
if (!name || !objectsDir || !process.send) {
  process.stderr.write('usage: forked by a batch session: loader-process.js NAME OBJECTS_DIR [SPOOL_DIR]\n');
  process.exit(2);
}
const stop = new AbortController();
for (const event of ['SIGTERM', 'SIGINT', 'disconnect'] as const) process.once(event, () => stop.abort());
try {
  await runLoader({
    topics: topicsFromParent(),
    objects: openLocalObjectStore(objectsDir),
    name,
    ...(spool ? { spool } : {}),
    signal: stop.signal,
  });
} catch (error) {
  // The parent going away mid-call is how a loader is told to stop.
  if (!stop.signal.aborted) {
    process.stderr.write(`loader: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
if (process.connected) process.disconnect();
