// Sluice against the systems its users would pick instead, on the same work, on this machine,
// in one run: per-task overhead of each, and each one's ratio to Sluice embedded.
//   1. 2,000 independent no-op tasks (submit all, wait for all)
//   2. a 1 -> 200 -> 1 DAG of no-op tasks
//   3. 40 sequential 10 ms tasks
// Systems: Sluice embedded (library API, PGlite), Sluice cluster (PostgreSQL + `sluice
// worker`s), Dask distributed, Celery on Redis, Snakemake, BullMQ on Redis. A system whose
// module, binary or server is missing is skipped with the reason. See README.md.
//   npm run build && node bench/peers/run.js [--json] [--only dask,celery] [--snakemake-ilp]
import { availableParallelism, loadavg } from 'node:os';
import { SLOTS, WORKLOADS, redisProblem, runPythonPeer, skipped } from './lib.js';
import { measureBullmq } from './bullmq.js';
import { measureSluiceCluster } from './sluice-cluster.js';
import { measureSluiceEmbedded } from './sluice-embedded.js';
import { measureSnakemake } from './snakemake.js';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? '').split(',')) : undefined;

/** @type {[key: string, measure: () => Promise<import('./lib.js').SystemResult>][]} */
const SYSTEMS = [
  ['embedded', measureSluiceEmbedded],
  ['cluster', () => measureSluiceCluster()],
  ['dask', () => runPythonPeer('dask', 'dask_peer.py', ['distributed'], 120_000)],
  [
    'celery',
    async () => {
      const problem = await redisProblem();
      return problem
        ? skipped('celery', problem)
        : runPythonPeer('celery', 'celery_peer.py', ['celery', 'redis'], 120_000);
    },
  ],
  ['snakemake', () => measureSnakemake({ ilp: args.includes('--snakemake-ilp') })],
  ['bullmq', measureBullmq],
];
const BASELINE = 'sluice embedded';

/** @param {string} text */
function say(text = '') {
  if (!asJson) process.stdout.write(`${text}\n`);
}

/** @param {string} text */
function progress(text) {
  if (!asJson) process.stderr.write(`${text}\n`);
}

/** Milliseconds with three significant digits. @param {number} ms */
function formatMs(ms) {
  const size = Math.abs(ms);
  if (size >= 100) return ms.toFixed(0);
  if (size >= 10) return ms.toFixed(1);
  if (size >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/**
 * A plain-text table: first column left-aligned, the others right-aligned.
 * @param {string[]} header
 * @param {string[][]} rows
 */
function table(header, rows) {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (/** @type {string[]} */ cells) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** The peer's overhead over the baseline's, or undefined when either is missing. */
function ratioOf(/** @type {number | undefined} */ peer, /** @type {number | undefined} */ base) {
  return peer === undefined || base === undefined || base <= 0 ? undefined : peer / base;
}

async function main() {
  const load = loadavg()[0] ?? 0;
  const started = performance.now();
  /** @type {import('./lib.js').SystemResult[]} */
  const results = [];
  for (const [key, measure] of SYSTEMS) {
    if (only && !only.has(key)) continue;
    const at = performance.now();
    progress(`measuring ${key}...`);
    const result = await measure();
    results.push(result);
    const took = ((performance.now() - at) / 1000).toFixed(1);
    progress(result.skipped ? `${result.system}: skipped (${result.skipped})` : `  done in ${took} s`);
  }
  const measured = results.filter((result) => !result.skipped);
  const base = measured.find((result) => result.system === BASELINE);
  const names = /** @type {import('./lib.js').WorkloadName[]} */ (Object.keys(WORKLOADS));

  /** @type {Record<string, Record<string, number | null>>} */
  const ratios = {};
  for (const workload of names) {
    ratios[workload] = {};
    for (const result of measured) {
      if (result === base) continue;
      const ratio = ratioOf(result.workloads[workload]?.overheadMs, base?.workloads[workload]?.overheadMs);
      ratios[workload][result.system] = ratio ?? null;
    }
  }

  if (asJson) {
    const figures = {
      machine: { cores: availableParallelism(), slotsPerSystem: SLOTS, loadAverageAtStart: load },
      timing:
        'per-task overhead: wall / tasks (2,000; 202), chain: (wall - 40 x 10 ms) / 40; cluster/worker start-up and a warm-up task excluded, except Snakemake (its start is in every invocation)',
      systems: results,
      ratioToSluiceEmbedded: ratios,
      totalSeconds: (performance.now() - started) / 1000,
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    return;
  }

  say(`Sluice and its peers: the same work on this ${availableParallelism()}-core machine, in one run`);
  say(
    `(${SLOTS} execution slots per system; load average at start ${load.toFixed(2)}${load > 1 ? ' — busy: figures are noisy' : ''})`,
  );
  say('Cluster/worker start-up and a warm-up task are excluded from every figure, except Snakemake,');
  say('whose figures include its own start per invocation (measured alone in the notes).');
  say('Per-task overhead: wall / tasks (2,000; 202 for 1 -> 200 -> 1); chain: (wall - 40 x 10 ms) / 40.');
  say();
  say('per-task overhead, ms (lower is better)');
  say(
    table(
      ['workload', ...measured.map((result) => result.system)],
      names.map((workload) => [
        WORKLOADS[workload].label,
        ...measured.map((result) => {
          const figure = result.workloads[workload];
          return figure ? formatMs(figure.overheadMs) : result.failed?.[workload] ? 'failed' : '-';
        }),
      ]),
    ),
  );
  const peers = measured.filter((result) => result !== base);
  if (base && peers.length > 0) {
    say();
    say(`ratio: system's overhead / ${BASELINE}'s (above 1: ${BASELINE} has less overhead)`);
    say(
      table(
        ['workload', ...peers.map((result) => result.system)],
        names.map((workload) => [
          WORKLOADS[workload].label,
          ...peers.map((result) => {
            const ratio = ratios[workload]?.[result.system];
            return ratio === undefined || ratio === null ? '-' : `${ratio.toFixed(ratio >= 10 ? 0 : 1)}x`;
          }),
        ]),
      ),
    );
  }
  say();
  say('wall time of the timed part, ms');
  say(
    table(
      ['workload', ...measured.map((result) => result.system)],
      names.map((workload) => [
        WORKLOADS[workload].label,
        ...measured.map((result) => {
          const figure = result.workloads[workload];
          return figure ? figure.wallMs.toFixed(0) : '-';
        }),
      ]),
    ),
  );

  const cluster = measured.find((result) => result.system === 'sluice cluster');
  if (cluster) reportCluster(cluster);

  say();
  say('notes');
  for (const result of measured) for (const note of result.notes) say(`  ${result.system}: ${note}`);
  for (const result of results) {
    for (const [workload, reason] of Object.entries(result.failed ?? {})) {
      say(`  ${result.system}: ${workload} failed (${reason})`);
    }
  }
  const skippedOnes = results.filter((result) => result.skipped);
  if (skippedOnes.length > 0) {
    say();
    for (const result of skippedOnes) say(`${result.system}: skipped (${result.skipped})`);
  }
  say();
  say(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * Throughput of the 2,000-task workload per worker count, and both timings of each run.
 * @param {import('./lib.js').SystemResult} cluster
 */
function reportCluster(cluster) {
  const extra =
    /** @type {{ byWorkers: Record<string, { runs: Record<string, import('./sluice-cluster.js').ClusterRun>, datumsPerSecond?: number }>, workerConcurrency: number }} */ (
      cluster.extra
    );
  say();
  say(`sluice cluster, 2,000 no-op datums by worker count (--concurrency ${extra.workerConcurrency} each)`);
  say(
    table(
      ['workers', 'datums/s', 'run (startedAt..finishedAt)', '`sluice run` wall', 'datums/s by wall'],
      Object.entries(extra.byWorkers).map(([count, { runs, datumsPerSecond }]) => {
        const run = runs.noop;
        return [
          count,
          datumsPerSecond === undefined ? 'failed' : datumsPerSecond.toFixed(0),
          run ? `${run.insideMs.toFixed(0)} ms` : '-',
          run ? `${run.commandMs.toFixed(0)} ms` : '-',
          run ? (WORKLOADS.noop.tasks / (run.commandMs / 1000)).toFixed(0) : '-',
        ];
      }),
    ),
  );
  say();
  say(
    'sluice cluster, 2 workers: per-task overhead from the run’s own times and from the command’s wall time',
  );
  const names = /** @type {import('./lib.js').WorkloadName[]} */ (Object.keys(WORKLOADS));
  say(
    table(
      ['workload', 'inside, ms', 'times from', '`sluice run` wall, ms'],
      names.map((workload) => {
        const figure = cluster.workloads[workload];
        const more = /** @type {{ commandOverheadMs?: number, insideFrom?: string } | undefined} */ (
          figure?.extra
        );
        return [
          WORKLOADS[workload].label,
          figure ? formatMs(figure.overheadMs) : '-',
          more?.insideFrom ?? '-',
          more?.commandOverheadMs === undefined ? '-' : formatMs(more.commandOverheadMs),
        ];
      }),
    ),
  );
}

await main();
