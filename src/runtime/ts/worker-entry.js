// The worker thread of the TS runtime: runs one task at a time. Plain JavaScript on purpose,
// so that Node (built dist/) and Vitest (src/) can both start it without a TS loader; the
// step modules it imports are already bundled to ESM by esbuild.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { parentPort } from 'node:worker_threads';

/** @typedef {{ id: number, logs: [string, string][], metrics: { key: string, value: number, step?: number }[], controller: AbortController, outputDirs: Set<string> }} Current */

/** @type {Map<string, Promise<Record<string, unknown>>>} */
const modules = new Map();
/** @type {Current | undefined} */
let current;
let flushScheduled = false;

function flush() {
  flushScheduled = false;
  if (!current || (current.logs.length === 0 && current.metrics.length === 0)) return;
  parentPort?.postMessage({ type: 'progress', id: current.id, logs: current.logs, metrics: current.metrics });
  current.logs = [];
  current.metrics = [];
}

/**
 * @param {string} stream
 * @param {string} text
 */
function emit(stream, text) {
  if (!current) return;
  for (const line of text.split('\n')) current.logs.push([stream, line]);
  if (current.logs.length >= 200) flush();
  else if (!flushScheduled) {
    flushScheduled = true;
    setTimeout(flush, 20);
  }
}

// console.* inside a step becomes log lines of its attempt.
/** @param {string} stream */
const writer =
  (stream) =>
  (/** @type {unknown[]} */ ...args) =>
    emit(stream, format(...args));
console.log = writer('stdout');
console.info = writer('stdout');
console.debug = writer('stdout');
console.warn = writer('stderr');
console.error = writer('stderr');

/** @param {string} level */
const logAt =
  (level) => (/** @type {string} */ message, /** @type {Record<string, unknown> | undefined} */ fields) =>
    emit('log', `${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);

/** @param {string} file */
function load(file) {
  let loaded = modules.get(file);
  if (!loaded) {
    loaded = import(pathToFileURL(file).href);
    modules.set(file, loaded);
  }
  return loaded;
}

parentPort?.on('message', async (/** @type {any} */ message) => {
  if (message.type === 'abort') {
    if (current && current.id === message.id) current.controller.abort(new Error('attempt cancelled'));
    return;
  }
  const { id, file, exportName, context } = message;
  current = { id, logs: [], metrics: [], controller: new AbortController(), outputDirs: new Set() };
  const task = current;
  try {
    const module = await load(file);
    const fn = module[exportName];
    if (typeof fn !== 'function') {
      const found = Object.keys(module).join(', ') || 'nothing';
      throw new Error(
        `module ${context.module} has no function export '${exportName}' (it exports: ${found})`,
      );
    }
    const ctx = {
      ...context,
      log: { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
      /** @param {string} key @param {number} value @param {number} [step] */
      metric(key, value, step) {
        if (typeof key !== 'string' || typeof value !== 'number' || !Number.isFinite(value)) {
          throw new TypeError(
            `ctx.metric(key, value): expected a string and a finite number, got ${typeof key}, ${String(value)}`,
          );
        }
        task.metrics.push(step === undefined ? { key, value } : { key, value, step });
      },
      /** @param {string} name */
      outputDir(name) {
        const dir = join(context.scratchDir, 'out', name);
        mkdirSync(dir, { recursive: true });
        task.outputDirs.add(name);
        return dir;
      },
      signal: task.controller.signal,
    };
    const outputs = await fn(ctx);
    flush();
    parentPort?.postMessage({ type: 'done', id, outputs, outputDirs: [...task.outputDirs] });
  } catch (error) {
    flush();
    const failure = error instanceof Error ? error : new Error(String(error));
    parentPort?.postMessage({ type: 'error', id, message: failure.message, stack: failure.stack ?? '' });
  } finally {
    current = undefined;
  }
});
