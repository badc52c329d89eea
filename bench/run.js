// Sluice engine benchmarks. One process, one machine, figures and ratios against a floor
// measured in the same run:
//   1. 10,000 no-op datums through the engine (state persisted to PGlite) vs the same
//      10,000 tasks through a bare worker-thread pool (postMessage round trips).
//   2. A chain of 40 sequential 10 ms steps (0.40 s of work): goal <= 0.44 s.
//   3. A 1 -> 200 -> 1 fan-out/fan-in DAG of no-op datums, and of 10 ms datums.
// Run with `npm run bench` (builds first). `--json` prints the figures as JSON.
import { availableParallelism } from 'node:os';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createEngine, loadPipeline, openEmbeddedStore, openLocalObjectStore } from '../dist/index.js';

const WORKERS = availableParallelism();
const TASKS = 10_000;
const asJson = process.argv.includes('--json');

/** @param {string} text */
function say(text) {
  if (!asJson) process.stdout.write(`${text}\n`);
}

/**
 * The floor: `count` no-op tasks through `workers` bare worker threads, one task per worker at a time.
 * @param {number} count
 * @param {number} workers
 * @returns {Promise<number>}
 */
async function barePool(count, workers) {
  const source = `
    const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (task) => parentPort.postMessage({ id: task.id, outputs: { out: task.inputs.item } }));
  `;
  const pool = Array.from({ length: workers }, () => new Worker(source, { eval: true }));
  await Promise.all(pool.map((worker) => new Promise((resolve) => worker.once('online', resolve))));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    pool.map(
      (worker) =>
        new Promise((resolve) => {
          const send = () => {
            if (next >= count) return resolve(undefined);
            const id = next++;
            worker.postMessage({ id, inputs: { item: id }, params: {} });
          };
          worker.on('message', send);
          send();
        }),
    ),
  );
  const ms = performance.now() - started;
  await Promise.all(pool.map((worker) => worker.terminate()));
  return ms;
}

/**
 * The floor of the chain: `count` sequential 10 ms tasks through one bare worker thread.
 * @param {number} count
 * @returns {Promise<number>}
 */
async function bareChain(count) {
  const source = `
    const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (id) => setTimeout(() => parentPort.postMessage(id), 10));
  `;
  const worker = new Worker(source, { eval: true });
  await new Promise((resolve) => worker.once('online', resolve));
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(i);
    });
  }
  const ms = performance.now() - started;
  await worker.terminate();
  return ms;
}

/**
 * Writes a pipeline project and returns its spec path.
 * @param {string} dir
 * @param {string} yaml
 * @param {Record<string, string>} steps
 */
async function project(dir, yaml, steps) {
  await writeFile(join(dir, 'pipeline.yaml'), yaml);
  for (const [name, code] of Object.entries(steps)) await writeFile(join(dir, name), code);
  return join(dir, 'pipeline.yaml');
}

/**
 * Runs a pipeline on a fresh embedded home; returns wall ms of the run and the per-step spans.
 * @param {string} specPath
 * @param {string} home
 * @param {number} concurrency
 */
async function runPipeline(specPath, home, concurrency) {
  const { store, lock } = await openEmbeddedStore({ home });
  const objects = openLocalObjectStore(join(home, 'objects'));
  const engine = createEngine({ store, objects, scratchDir: join(home, 'scratch'), concurrency });
  try {
    const pipeline = await loadPipeline(specPath);
    // Warm-up: bundle the steps and start the workers outside the timed part.
    await (
      await engine.startRun(pipeline, { params: { warm: true } })
    ).result;
    /** @type {Map<string, { first: number, last: number }>} */
    const spans = new Map();
    const started = performance.now();
    const handle = await engine.startRun(pipeline, {
      params: { warm: false },
      noCache: true,
      onEvent: (event) => {
        if (event.type !== 'task') return;
        const now = performance.now();
        const span = spans.get(event.step) ?? { first: now, last: now };
        if (event.status === 'running') span.first = Math.min(span.first, now);
        if (event.status === 'success') span.last = Math.max(span.last, now);
        spans.set(event.step, span);
      },
    });
    const run = await handle.result;
    const ms = performance.now() - started;
    if (run.status !== 'succeeded') throw new Error(`benchmark run ${run.status}: ${run.error?.message}`);
    return { ms, spans, run };
  } finally {
    await engine.close();
    await store.close();
    await lock.release();
  }
}

const NOOP = 'export default async (ctx) => ({ out: ctx.inputs.items });\n';
const SPLIT = (/** @type {number} */ n) =>
  `export default async () => ({ items: Array.from({ length: ${n} }, (_, i) => i) });\n`;
const COUNT = 'export default async (ctx) => ({ total: ctx.inputs.out.length });\n';
const SLEEP =
  'export default async (ctx) => { await new Promise((r) => setTimeout(r, 10)); return { [`v${ctx.step.slice(1)}`]: 1 }; };\n';

/**
 * A 1 -> n -> 1 pipeline: `split` scatters n items, `noop` runs per item, `count` gathers.
 * @param {string} name
 * @param {number} parallelism
 */
function scatterPipeline(name, parallelism) {
  return `name: ${name}
params:
  warm: { type: boolean }
steps:
  split:
    run: ./split.ts
    inputs: [warm]
    outputs: ["items[]"]
  noop:
    run: ./noop.ts
    inputs: [items]
    outputs: [out]
    parallelism: ${parallelism}
  count:
    run: ./count.ts
    inputs: ["out[]"]
    outputs: [total]
`;
}

async function main() {
  const root = await mkdtemp(join(tmpdir(), 'sluice-bench-'));
  /** @type {Record<string, Record<string, number>>} */
  const figures = {};
  try {
    // 1. 10,000 no-op datums vs the bare pool.
    const floorMs = await barePool(TASKS, WORKERS);
    const dir1 = await mkdtemp(join(root, 'noop-'));
    const spec1 = await project(dir1, scatterPipeline('noop', WORKERS), {
      'split.ts': SPLIT(TASKS),
      'noop.ts': NOOP,
      'count.ts': COUNT,
    });
    const noop = await runPipeline(spec1, join(dir1, '.sluice'), WORKERS);
    const span = noop.spans.get('noop');
    const engineMs = span ? span.last - span.first : noop.ms;
    const overheadUs = ((engineMs - floorMs) / TASKS) * 1000;
    figures.noop = {
      tasks: TASKS,
      workers: WORKERS,
      floorMs,
      engineMs,
      runMs: noop.ms,
      overheadUsPerTask: overheadUs,
    };
    say(`10,000 no-op datums, ${WORKERS} workers, state persisted to PGlite`);
    say(
      `  bare worker pool (floor): ${floorMs.toFixed(0)} ms  (${((floorMs / TASKS) * 1000).toFixed(1)} µs/task)`,
    );
    say(
      `  sluice engine:            ${engineMs.toFixed(0)} ms  (${((engineMs / TASKS) * 1000).toFixed(1)} µs/task), whole run incl. scatter/gather ${noop.ms.toFixed(0)} ms`,
    );
    say(
      `  engine overhead:          ${overheadUs.toFixed(1)} µs/task  (goal <= 100 µs; ratio to floor ${(engineMs / floorMs).toFixed(2)}x)`,
    );

    // 2. 40 sequential 10 ms steps.
    const dir2 = await mkdtemp(join(root, 'chain-'));
    const chain = ['name: chain', 'params:', '  warm: { type: boolean }', 'steps:'];
    for (let i = 0; i < 40; i++) {
      chain.push(
        `  s${i}:`,
        '    run: ./sleep.ts',
        `    inputs: [${i === 0 ? 'warm' : `v${i - 1}`}]`,
        `    outputs: [v${i}]`,
      );
    }
    const spec2 = await project(dir2, `${chain.join('\n')}\n`, { 'sleep.ts': SLEEP });
    const chainRun = await runPipeline(spec2, join(dir2, '.sluice'), WORKERS);
    const chainFloor = await bareChain(40);
    figures.chain = {
      steps: 40,
      workMs: 400,
      floorMs: chainFloor,
      runMs: chainRun.ms,
      perTransitionMs: (chainRun.ms - chainFloor) / 40,
    };
    say(`chain of 40 sequential 10 ms steps (0.40 s of work)`);
    say(`  bare worker, 40 sequential 10 ms timers (floor): ${(chainFloor / 1000).toFixed(3)} s`);
    say(
      `  sluice: ${(chainRun.ms / 1000).toFixed(3)} s total, ${((chainRun.ms - chainFloor) / 40).toFixed(2)} ms per transition over the floor (goal <= 0.44 s; Dask distributed 0.54 s here)`,
    );

    // 3. 1 -> 200 -> 1, no-op and 10 ms datums.
    /** @type {[string, string][]} */
    const fans = [
      ['no-op', NOOP],
      [
        '10 ms',
        'export default async (ctx) => { await new Promise((r) => setTimeout(r, 10)); return { out: ctx.inputs.items }; };\n',
      ],
    ];
    for (const [label, body] of fans) {
      const dir3 = await mkdtemp(join(root, 'fan-'));
      const spec3 = await project(dir3, scatterPipeline('fan', 200), {
        'split.ts': SPLIT(200),
        'noop.ts': body,
        'count.ts': COUNT,
      });
      const fan = await runPipeline(spec3, join(dir3, '.sluice'), WORKERS * 4);
      const floor = label === 'no-op' ? await barePool(202, WORKERS * 4) : (200 * 10) / (WORKERS * 4);
      figures[`fan_${label}`] = { runMs: fan.ms, floorMs: floor, workers: WORKERS * 4 };
      say(`1 -> 200 -> 1 fan-out/fan-in, ${label} datums, ${WORKERS * 4} workers`);
      say(
        `  sluice: ${fan.ms.toFixed(0)} ms  (floor ${floor.toFixed(0)} ms, ${((fan.ms - floor) / 202).toFixed(2)} ms overhead per task)`,
      );
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  if (asJson) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

await main();
