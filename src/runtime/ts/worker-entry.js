// The worker thread of the TS runtime: runs one task at a time. Plain JavaScript on purpose,
// so that Node (built dist/) and Vitest (src/) can both start it without a TS loader; the
// step modules it imports are already bundled to ESM by esbuild.
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { parentPort } from 'node:worker_threads';

/** @typedef {{ id: number, logs: [string, string][], metrics: { key: string, value: number, step?: number }[], controller: AbortController, outputDirs: Set<string>, tables: Map<string, unknown[]>, messages: Map<string, unknown[]>, logged: Record<string, unknown>, artifacts: [string, string][] }} Current */

/** @type {Map<string, Promise<Record<string, unknown>>>} */
const modules = new Map();
/** @type {Current | undefined} */
let current;
let flushScheduled = false;
/** Registry calls waiting for the main thread's reply, by call id. */
/** @type {Map<number, { resolve: (value: unknown) => void, reject: (error: Error) => void }>} */
const calls = new Map();
let nextCall = 1;

/**
 * Asks the main thread to run a tracking method of the current attempt.
 * @param {number} id @param {string} method @param {unknown[]} args
 */
function call(id, method, args) {
  // Log lines first, so they keep their order around a slow save.
  flush();
  return new Promise((resolvePromise, reject) => {
    const callId = nextCall++;
    calls.set(callId, { resolve: resolvePromise, reject });
    parentPort?.postMessage({ type: 'call', id, call: callId, method, args });
  });
}

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
  if (message.type === 'reply') {
    const waiting = calls.get(message.call);
    calls.delete(message.call);
    if (message.error !== undefined) {
      // The error keeps its Sluice code (e.g. MODEL_NOT_FOUND) for steps that check it.
      waiting?.reject(Object.assign(new Error(message.error), { code: message.code }));
    } else waiting?.resolve(message.result);
    return;
  }
  if (message.type === 'abort') {
    if (current && current.id === message.id) current.controller.abort(new Error('attempt cancelled'));
    return;
  }
  const { id, file, exportName, context, tables, topics } = message;
  current = {
    id,
    logs: [],
    metrics: [],
    controller: new AbortController(),
    outputDirs: new Set(),
    tables: new Map(),
    messages: new Map(),
    logged: {},
    artifacts: [],
  };
  const task = current;
  /** @param {string} path */
  const inScratch = (path) => (isAbsolute(path) ? path : resolve(context.scratchDir, path));
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
      /** @param {string} key @param {number} value @param {number | { step?: number }} [at] */
      metric(key, value, at) {
        const step = typeof at === 'object' && at !== null ? at.step : at;
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
      registry: {
        /** @param {string} name @param {string} dir @param {Record<string, unknown>} [options] */
        save: (name, dir, options) => call(id, 'saveModel', [name, inScratch(String(dir)), options ?? {}]),
        /** @param {string} ref */
        load: (ref) =>
          call(id, 'loadModel', [
            ref,
            join(context.scratchDir, 'models', String(ref).replace(/[^a-z0-9-]/g, '_')),
          ]),
      },
      /** @param {string} name */
      table(name) {
        if (!tables.includes(name)) {
          throw new Error(
            `step '${context.step}' writes table '${name}', which it does not list under 'tables'; it lists: ${tables.join(', ') || '(none)'}`,
          );
        }
        return {
          /** @param {Record<string, unknown>[]} rows */
          insert(rows) {
            if (!Array.isArray(rows))
              throw new TypeError(`table '${name}': insert(rows) expects a list of rows`);
            const staged = task.tables.get(name) ?? [];
            for (const row of rows) staged.push(row);
            task.tables.set(name, staged);
          },
        };
      },
      /** @param {string} topic @param {unknown[]} messages */
      publish(topic, messages) {
        if (!topics.includes(topic)) {
          throw new Error(
            `step '${context.step}' publishes to topic '${topic}', which it does not list under 'topics'; it lists: ${topics.join(', ') || '(none)'}`,
          );
        }
        if (!Array.isArray(messages))
          throw new TypeError(
            `ctx.publish('${topic}', messages): expects a list of { value, key?, headers?, id? }`,
          );
        const staged = task.messages.get(topic) ?? [];
        for (const item of messages) staged.push(item);
        task.messages.set(topic, staged);
      },
      /** @param {Record<string, unknown>} params */
      logParams(params) {
        if (typeof params !== 'object' || params === null || Array.isArray(params)) {
          throw new TypeError('ctx.logParams(params): expected an object { name: value }');
        }
        Object.assign(task.logged, params);
      },
      /** @param {string} name @param {string} path */
      artifact(name, path) {
        if (typeof name !== 'string' || typeof path !== 'string') {
          throw new TypeError('ctx.artifact(name, path): expected two strings');
        }
        task.artifacts.push([name, inScratch(path)]);
      },
    };
    const outputs = await fn(ctx);
    flush();
    parentPort?.postMessage({
      type: 'done',
      id,
      outputs,
      outputDirs: [...task.outputDirs],
      tables: [...task.tables],
      messages: [...task.messages],
      logged: task.logged,
      artifacts: task.artifacts,
    });
  } catch (error) {
    flush();
    const failure = error instanceof Error ? error : new Error(String(error));
    parentPort?.postMessage({ type: 'error', id, message: failure.message, stack: failure.stack ?? '' });
  } finally {
    current = undefined;
  }
});
