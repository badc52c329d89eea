// Sluice embedded, as bench/run.js drives it: the library API from dist/, state persisted to
// PGlite in a fresh data directory, TS steps on a worker-thread pool of one thread per core.
// Each spec in specs/ is run once small to bundle its steps and start the threads, then
// timed with --no-cache from startRun() to the run's result.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SLOTS, SPECS_DIR, WORKLOADS, measurement, skipped } from './lib.js';

const SYSTEM = 'sluice embedded';

/**
 * The timed run of each workload and its warm-up params.
 * @type {Record<import('./lib.js').WorkloadName, { spec: string, warm: Record<string, unknown> }>}
 */
const RUNS = {
  noop: { spec: 'noop.yaml', warm: { count: 2 } },
  fan: { spec: 'fan.yaml', warm: { count: 2 } },
  chain: { spec: 'chain.yaml', warm: {} },
};

/** @returns {Promise<import('./lib.js').SystemResult>} */
export async function measureSluiceEmbedded() {
  /** @type {typeof import('../../dist/index.js')} */
  let sluice;
  /** @type {typeof import('../embedded.js')} */
  let embedded;
  try {
    sluice = await import('../../dist/index.js');
    embedded = await import('../embedded.js');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return skipped(SYSTEM, `dist/ not loadable; run \`npm run build\` first (${message})`);
  }
  const root = await mkdtemp(join(tmpdir(), 'sluice-peers-'));
  const home = await embedded.openEmbedded(join(root, '.sluice'), SLOTS);
  /** @type {import('./lib.js').SystemResult['workloads']} */
  const workloads = {};
  try {
    for (const [name, { spec, warm }] of Object.entries(RUNS)) {
      const pipeline = await sluice.loadPipeline(join(SPECS_DIR, spec));
      const warmParams = sluice.resolveParams(pipeline, { ...warm, warm: true });
      const warmRun = await (await home.engine.startRun(pipeline, { params: warmParams })).result;
      if (warmRun.status !== 'succeeded') throw new Error(`${spec} warm-up run ${warmRun.status}`);
      const params = sluice.resolveParams(pipeline, { warm: false });
      const started = performance.now();
      const handle = await home.engine.startRun(pipeline, { params, noCache: true });
      const run = await handle.result;
      const wallMs = performance.now() - started;
      if (run.status !== 'succeeded') throw new Error(`${spec} run ${run.status}: ${run.error?.message}`);
      checkOutputs(/** @type {import('./lib.js').WorkloadName} */ (name), run.outputs);
      workloads[/** @type {import('./lib.js').WorkloadName} */ (name)] = measurement(
        /** @type {import('./lib.js').WorkloadName} */ (name),
        wallMs,
      );
    }
  } finally {
    await home.close();
    await rm(root, { recursive: true, force: true });
  }
  return {
    system: SYSTEM,
    workloads,
    notes: [
      `library API from dist/, PGlite state, ${SLOTS} worker threads; engine start + a warm-up run per spec not timed; ` +
        'the 2,000 no-op datums come from one scatter step, timed too',
    ],
  };
}

/**
 * Throws unless a run's outputs show the whole workload was done (a run that did less must
 * not pass for a fast one).
 * @param {import('./lib.js').WorkloadName} workload
 * @param {Record<string, unknown> | null | undefined} outputs
 */
export function checkOutputs(workload, outputs) {
  const expected = {
    noop: {
      name: 'out',
      ok: (/** @type {unknown} */ v) => Array.isArray(v) && v.length === WORKLOADS.noop.tasks,
    },
    fan: { name: 'total', ok: (/** @type {unknown} */ v) => v === WORKLOADS.fan.tasks - 2 },
    chain: { name: `v${WORKLOADS.chain.tasks - 1}`, ok: (/** @type {unknown} */ v) => v === 1 },
  }[workload];
  const value = outputs?.[expected.name];
  if (!expected.ok(value)) {
    const shown = Array.isArray(value) ? `an array of ${value.length}` : JSON.stringify(value);
    throw new Error(
      `${workload}: output '${expected.name}' is ${shown}; the run did not do the whole workload`,
    );
  }
}
