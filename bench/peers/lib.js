// Shared parts of the peers benchmark: the workloads, the overhead formula, subprocesses
// with deadlines, and reachability checks. Every system module returns a `SystemResult`.
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { clearTimeout } from 'node:timers';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEERS_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(PEERS_DIR, '..', '..');
export const SPECS_DIR = join(PEERS_DIR, 'specs');

/** Debian's Python, where the Dask, Celery and redis modules are installed. */
export const PYTHON = '/usr/bin/python3';
export const REDIS = { host: '127.0.0.1', port: 6379 };
/** Execution slots every system gets: one per core of the 2-core bench machine. */
export const SLOTS = 2;

/** The three workloads, the same for every system. */
export const WORKLOADS = /** @type {const} */ ({
  noop: { label: '2,000 no-op tasks', tasks: 2000 },
  fan: { label: '1 -> 200 -> 1 no-op DAG', tasks: 202 },
  chain: { label: '40 sequential 10 ms tasks', tasks: 40, sleepMs: 10 },
});

/** @typedef {keyof typeof WORKLOADS} WorkloadName */
/**
 * @typedef {object} Measurement
 * @property {number} wallMs wall time of the timed part
 * @property {number} overheadMs per-task overhead (see {@link overheadMs})
 * @property {Record<string, unknown>} [extra] system-specific figures
 */
/**
 * @typedef {object} SystemResult
 * @property {string} system
 * @property {string} [skipped] why the system was not measured
 * @property {Partial<Record<WorkloadName, Measurement>>} workloads
 * @property {Partial<Record<WorkloadName, string>>} [failed] workloads that failed, with the reason
 * @property {string[]} notes what the figures include or exclude
 * @property {Record<string, unknown>} [extra]
 */

/**
 * Per-task overhead in ms: wall / tasks, and for the chain (wall - 40 x 10 ms) / 40.
 * @param {WorkloadName} workload
 * @param {number} wallMs
 */
export function overheadMs(workload, wallMs) {
  if (workload === 'chain') {
    const { tasks, sleepMs } = WORKLOADS.chain;
    return (wallMs - tasks * sleepMs) / tasks;
  }
  return wallMs / WORKLOADS[workload].tasks;
}

/**
 * @param {WorkloadName} workload
 * @param {number} wallMs
 * @param {Record<string, unknown>} [extra]
 * @returns {Measurement}
 */
export function measurement(workload, wallMs, extra) {
  return { wallMs, overheadMs: overheadMs(workload, wallMs), ...(extra ? { extra } : {}) };
}

/**
 * @param {string} system
 * @param {string} reason
 * @returns {SystemResult}
 */
export function skipped(system, reason) {
  return { system, skipped: reason, workloads: {}, notes: [] };
}

/**
 * Runs a command to completion, collecting its output; rejects nothing: a spawn error, a
 * non-zero exit or the deadline all come back in the result.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number }} [options]
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string, ms: number, error?: string }>}
 */
export function runCommand(command, args, options = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    /** @type {string | undefined} */
    let error;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      error = `no exit after ${options.timeoutMs} ms; killed`;
      killGroup(child.pid, 'SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('error', (cause) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, ms: performance.now() - started, error: cause.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      resolve({ code, stdout, stderr, ms, ...(error ? { error } : {}) });
    });
  });
}

/**
 * Signals a process group started with `detached: true` (the process and its children).
 * @param {number | undefined} pid
 * @param {NodeJS.Signals} signal
 */
export function killGroup(pid, signal) {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * The last lines of a process's output, for an error message.
 * @param {string} text
 * @param {number} [lines]
 */
export function tail(text, lines = 6) {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/**
 * Whether a Redis server answers PING at {@link REDIS}; resolves to the reason it does not.
 * @returns {Promise<string | undefined>}
 */
export function redisProblem() {
  return new Promise((resolve) => {
    const socket = createConnection(REDIS);
    const done = (/** @type {string | undefined} */ problem) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(2000, () => done(`no answer from Redis at ${REDIS.host}:${REDIS.port} within 2 s`));
    socket.on('error', (error) => done(`no Redis server at ${REDIS.host}:${REDIS.port} (${error.message})`));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) =>
      done(data.toString().startsWith('+PONG') ? undefined : `Redis answered ${data.toString().trim()}`),
    );
  });
}

/**
 * Runs one of the Python peer drivers in this folder; it prints one JSON `SystemResult`.
 * @param {string} system
 * @param {string} script
 * @param {string[]} modules Python modules the driver needs (checked first)
 * @param {number} timeoutMs
 * @returns {Promise<SystemResult>}
 */
export async function runPythonPeer(system, script, modules, timeoutMs) {
  const check = await runCommand(PYTHON, ['-c', `import ${modules.join(', ')}`], { timeoutMs: 30_000 });
  if (check.error && check.code === null) return skipped(system, `${PYTHON} not runnable (${check.error})`);
  if (check.code !== 0) {
    const missing = /No module named '([^']+)'/.exec(check.stderr)?.[1];
    return skipped(
      system,
      missing ? `${PYTHON} has no module '${missing}'` : `import failed: ${tail(check.stderr, 2)}`,
    );
  }
  const run = await runCommand(PYTHON, [join(PEERS_DIR, script)], { cwd: PEERS_DIR, timeoutMs });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.code !== 0 || !line.startsWith('{')) {
    const why = run.error ?? `exit code ${run.code}`;
    return skipped(system, `${script} failed (${why}): ${tail(run.stderr || run.stdout)}`);
  }
  /** @type {{ workloads: Record<WorkloadName, number>, notes?: string[], extra?: Record<string, unknown>, failed?: Partial<Record<WorkloadName, string>> }} */
  const parsed = JSON.parse(line);
  /** @type {SystemResult['workloads']} */
  const workloads = {};
  for (const [name, wallMs] of Object.entries(parsed.workloads)) {
    workloads[/** @type {WorkloadName} */ (name)] = measurement(/** @type {WorkloadName} */ (name), wallMs);
  }
  return {
    system,
    workloads,
    notes: parsed.notes ?? [],
    ...(parsed.failed ? { failed: parsed.failed } : {}),
    ...(parsed.extra ? { extra: parsed.extra } : {}),
  };
}
