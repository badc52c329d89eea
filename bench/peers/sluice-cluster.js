// Sluice in cluster mode: metadata and dispatch in PostgreSQL (a fresh database), K
// `sluice worker` processes, each run done by `sluice run SPEC --json` with the same env.
// The 2,000-task workload runs on 1, 2 and 4 workers; the others on 2. Workers are started
// and every spec is run once small before the timed run, so worker start-up, bundling and
// migrations are not timed. Each run is timed twice: inside (the run's own startedAt to
// finishedAt, from its JSON or else its row in `runs`) and as the command's wall time
// (which adds a Node start, loading the spec and connecting).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { REPO_ROOT, SLOTS, SPECS_DIR, WORKLOADS, measurement, runCommand, skipped, tail } from './lib.js';
import { checkOutputs } from './sluice-embedded.js';

const SYSTEM = 'sluice cluster';
const SERVER_URL = 'postgres://postgres@127.0.0.1:5432';
const DATABASE = 'sluice_bench_peers';
const SLUICE = join(REPO_ROOT, 'bin', 'sluice.js');
/** Attempts at once per worker process (`--concurrency`): one per core, as every peer gets. */
const WORKER_CONCURRENCY = SLOTS;
const RUN_DEADLINE_MS = 90_000;

/**
 * @typedef {object} ClusterRun
 * @property {number} insideMs the run's finishedAt - startedAt
 * @property {'json' | 'runs table'} insideFrom where the run's times came from
 * @property {number} commandMs wall time of `sluice run`
 */

/**
 * @param {{ workerCounts?: number[] }} [options]
 * @returns {Promise<import('./lib.js').SystemResult>}
 */
export async function measureSluiceCluster(options = {}) {
  const workerCounts = options.workerCounts ?? [1, 2, 4];
  const help = await runCommand(process.execPath, [SLUICE, 'worker', '--help'], { timeoutMs: 30_000 });
  if (help.code !== 0 || !help.stdout.includes('Usage: sluice worker')) {
    return skipped(SYSTEM, 'no `sluice worker` command in this build');
  }
  const admin = new pg.Client({ connectionString: `${SERVER_URL}/postgres` });
  try {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } catch (error) {
    return skipped(SYSTEM, `no PostgreSQL to use at ${SERVER_URL} (${errorMessage(error)})`);
  } finally {
    await admin.end().catch(() => undefined);
  }

  const databaseUrl = `${SERVER_URL}/${DATABASE}`;
  const home = await mkdtemp(join(tmpdir(), 'sluice-peers-cluster-'));
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, SLUICE_DATABASE_URL: databaseUrl, SLUICE_HOME: home, NO_COLOR: '1' };
  delete env.SLUICE_URL;
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  /** @type {import('./lib.js').SystemResult['workloads']} */
  const workloads = {};
  /** @type {Record<string, { runs: Record<string, ClusterRun>, datumsPerSecond?: number }>} */
  const byWorkers = {};
  /** @type {Partial<Record<import('./lib.js').WorkloadName, string>>} */
  const failed = {};
  try {
    for (const count of workerCounts) {
      /** @type {import('./lib.js').WorkloadName[]} */
      const names = count === 2 ? ['noop', 'fan', 'chain'] : ['noop'];
      const workers = startWorkers(count, env);
      /** @type {Record<string, ClusterRun>} */
      const runs = {};
      try {
        for (const name of names) {
          try {
            runs[name] = await timedRun(name, env, db, workers);
          } catch (error) {
            failed[name] = `${count} workers: ${errorMessage(error)}`;
          }
        }
      } finally {
        await stopWorkers(workers);
      }
      const noop = runs.noop;
      byWorkers[count] = {
        runs,
        ...(noop ? { datumsPerSecond: WORKLOADS.noop.tasks / (noop.insideMs / 1000) } : {}),
      };
      if (count !== 2) continue;
      for (const [name, run] of Object.entries(runs)) {
        const workload = /** @type {import('./lib.js').WorkloadName} */ (name);
        workloads[workload] = measurement(workload, run.insideMs, {
          commandMs: run.commandMs,
          commandOverheadMs: measurement(workload, run.commandMs).overheadMs,
          insideFrom: run.insideFrom,
        });
      }
    }
  } finally {
    await db.end().catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  }
  return {
    system: SYSTEM,
    workloads,
    ...(Object.keys(failed).length > 0 ? { failed } : {}),
    notes: [
      `PostgreSQL database ${DATABASE}, 2 \`sluice worker\` processes x --concurrency ${WORKER_CONCURRENCY}; ` +
        'worker start + a warm-up run per spec not timed; figures from the run’s own startedAt..finishedAt ' +
        '(the `sluice run` command’s wall time, with Node start and spec loading, is shown below)',
    ],
    extra: { byWorkers, workerConcurrency: WORKER_CONCURRENCY },
  };
}

/**
 * @typedef {object} Workers
 * @property {import('node:child_process').ChildProcess[]} processes
 * @property {string[]} output the last output of each, for error messages
 */

/**
 * @param {number} count
 * @param {NodeJS.ProcessEnv} env
 * @returns {Workers}
 */
function startWorkers(count, env) {
  /** @type {Workers} */
  const workers = { processes: [], output: [] };
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, [SLUICE, 'worker', '--concurrency', String(WORKER_CONCURRENCY)], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.output[i] = '';
    const keep = (/** @type {Buffer} */ chunk) => {
      workers.output[i] = ((workers.output[i] ?? '') + chunk).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    workers.processes.push(child);
  }
  return workers;
}

/** @param {Workers} workers */
async function stopWorkers(workers) {
  await Promise.all(
    workers.processes.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([
        once(child, 'exit'),
        sleep(15_000, undefined, { ref: false }).then(() => child.kill('SIGKILL')),
      ]);
    }),
  );
}

/**
 * Runs a spec once small (warm-up), then once timed; checks the outputs of the timed run.
 * @param {import('./lib.js').WorkloadName} workload
 * @param {NodeJS.ProcessEnv} env
 * @param {pg.Client} db
 * @param {Workers} workers
 * @returns {Promise<ClusterRun>}
 */
async function timedRun(workload, env, db, workers) {
  const spec = join(SPECS_DIR, `${workload}.yaml`);
  const warmParams = workload === 'chain' ? ['-p', 'warm=true'] : ['-p', 'warm=true', '-p', 'count=16'];
  await sluiceRun(spec, warmParams, env, workers);
  const { json, ms } = await sluiceRun(spec, ['-p', 'warm=false', '--no-cache'], env, workers);
  checkOutputs(workload, json.outputs);
  if (typeof json.startedAt === 'string' && typeof json.finishedAt === 'string') {
    const insideMs = Date.parse(json.finishedAt) - Date.parse(json.startedAt);
    return { insideMs, insideFrom: 'json', commandMs: ms };
  }
  const { rows } = await db.query('SELECT started_at, finished_at FROM runs WHERE id = $1', [json.runId]);
  const row = rows[0];
  if (!row?.started_at || !row.finished_at)
    throw new Error(`run ${json.runId}: no started_at/finished_at in runs`);
  return {
    insideMs: row.finished_at.getTime() - row.started_at.getTime(),
    insideFrom: 'runs table',
    commandMs: ms,
  };
}

/**
 * `sluice run SPEC --json ...`; rejects unless the run succeeded (or a worker died meanwhile).
 * @param {string} spec
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {Workers} workers
 */
async function sluiceRun(spec, args, env, workers) {
  const result = await runCommand(process.execPath, [SLUICE, 'run', spec, '--json', ...args], {
    env,
    timeoutMs: RUN_DEADLINE_MS,
  });
  const dead = workers.processes.findIndex((child) => child.exitCode !== null || child.signalCode !== null);
  if (dead >= 0) {
    throw new Error(
      `worker ${dead + 1} exited (${workers.processes[dead]?.exitCode}): ${tail(workers.output[dead] ?? '')}`,
    );
  }
  /** @type {{ runId?: string, status?: string, outputs?: Record<string, unknown>, error?: { message?: string }, startedAt?: unknown, finishedAt?: unknown }} */
  let json = {};
  try {
    json = JSON.parse(result.stdout);
  } catch {
    // reported below
  }
  if (result.code !== 0 || json.status !== 'succeeded') {
    const why = result.error ?? json.error?.message ?? `exit code ${result.code}, status ${json.status}`;
    throw new Error(
      `sluice run ${spec.slice(SPECS_DIR.length + 1)} ${args.join(' ')}: ${why}; ${tail(result.stderr || result.stdout, 4)}`,
    );
  }
  return { json, ms: result.ms };
}

/** @param {unknown} error */
function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
}
