// Versioned-data benchmarks, figures and ratios against a baseline measured in the same run:
//   1. Committing 10,000 small files (`put` of a folder) vs `git add` + `git commit` of the
//      same folder; then one more file into that repo (O(files changed), not O(repo)).
//   2. Trivial datums: a glob splitting 10,000 files into 10,000 datums, first run, vs a
//      bare worker pool doing the same number of round trips.
//   3. Skipping: after adding one file, the re-run executes 1 datum and skips 10,000; the
//      per-datum skip cost (goal < 0.1 ms; Pachyderm's maintainers cite about 1 ms).
//   4. Commit-to-first-datum latency for a registered pipeline triggered by a commit.
// Run with `npm run bench` (builds first), or `node bench/data.js [--json]`.
import { openEmbedded } from './embedded.js';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipeline, runCommitTriggers } from '../dist/index.js';

const FILES = 10_000;
const WORKERS = availableParallelism();
const asJson = process.argv.includes('--json');

/** @param {string} text */
function say(text) {
  if (!asJson) process.stdout.write(`${text}\n`);
}

/** @param {string} dir @param {number} count */
async function smallFiles(dir, count) {
  for (let i = 0; i < count; i += 1) {
    const sub = join(dir, `d${String(i % 100).padStart(2, '0')}`);
    if (i < 100) await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `f${String(i).padStart(5, '0')}.txt`), `file ${i}\n`);
  }
}

const PIPELINE = `name: bench-datums
inputs:
  files: { repo: bench, glob: "/*/*" }
steps:
  touch:
    run: ./touch.ts
    inputs: [files]
    outputs: [seen]
    parallelism: ${WORKERS}
`;
const TOUCH = 'export default async (ctx) => ({ seen: typeof ctx.inputs.files === "string" });\n';

async function main() {
  const root = await mkdtemp(join(tmpdir(), 'sluice-bench-data-'));
  /** @type {Record<string, Record<string, number>>} */
  const figures = {};
  const home = join(root, '.sluice');
  const embedded = await openEmbedded(home, WORKERS);
  const { store, objects, repos, engine } = embedded;
  try {
    // 1. Committing 10,000 small files.
    const source = join(root, 'files');
    await smallFiles(source, FILES);
    const gitDir = join(root, 'git');
    execFileSync('cp', ['-r', source, gitDir]);
    const gitStarted = performance.now();
    const git = (/** @type {string[]} */ ...args) =>
      execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], {
        cwd: gitDir,
        stdio: 'ignore',
      });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'files');
    const gitMs = performance.now() - gitStarted;
    await repos.create('bench');
    const putStarted = performance.now();
    await repos.put('bench', 'main', { kind: 'path', path: source });
    const putMs = performance.now() - putStarted;
    const oneStarted = performance.now();
    await repos.put(
      'bench',
      'main',
      { kind: 'bytes', data: Buffer.from('one more\n') },
      { to: '/d00/extra.txt' },
    );
    const oneMs = performance.now() - oneStarted;
    // One file into a repo of 100,000 (its tree written as metadata, contents shared).
    await repos.create('huge');
    const [shared = ''] = await objects.putFiles([join(source, 'd00', 'f00000.txt')]);
    await store.repos.commit({
      repo: 'huge',
      branch: 'main',
      message: 'bulk',
      changes: Array.from({ length: 100_000 }, (_, index) => ({
        path: `/f/${index}.txt`,
        hash: shared,
        size: 8,
      })),
    });
    const hugeTimes = [];
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      await repos.put(
        'huge',
        'main',
        { kind: 'bytes', data: Buffer.from(`one ${i}\n`) },
        { to: `/new/${i}.txt` },
      );
      hugeTimes.push(performance.now() - started);
    }
    hugeTimes.sort((a, b) => a - b);
    const hugeMs = hugeTimes[2] ?? 0;
    figures.commit = { files: FILES, sluiceMs: putMs, gitMs, oneFileMs: oneMs, oneFileInto100kMs: hugeMs };
    say(`committing ${FILES.toLocaleString('en')} small files (100 folders)`);
    say(`  git add + commit (baseline): ${gitMs.toFixed(0)} ms`);
    say(
      `  sluice put:                  ${putMs.toFixed(0)} ms  (ratio to git ${(putMs / gitMs).toFixed(2)}x; every object fsynced)`,
    );
    say(
      `  one more file into that repo: ${oneMs.toFixed(1)} ms; into a repo of 100,000 files: ${hugeMs.toFixed(1)} ms (median of 5)`,
    );

    // 2. 10,001 trivial datums, first run.
    const dir = join(root, 'project');
    await mkdir(dir);
    await writeFile(join(dir, 'pipeline.yaml'), PIPELINE);
    await writeFile(join(dir, 'touch.ts'), TOUCH);
    const pipeline = await loadPipeline(join(dir, 'pipeline.yaml'));
    const firstStarted = performance.now();
    const first = await (await engine.startRun(pipeline, { params: {} })).result;
    const firstMs = performance.now() - firstStarted;
    if (first.status !== 'succeeded') throw new Error(`first run ${first.status}: ${first.error?.message}`);
    const datums = FILES + 1;
    // The floor: laying one small file out in a fresh folder and removing it, as every datum
    // needs, two at a time, with no engine at all.
    const floorDir = existsSync('/dev/shm')
      ? join('/dev/shm', `sluice-floor-${process.pid}`)
      : join(root, 'floor');
    const sample = join(source, 'd00', 'f00000.txt');
    const floorCount = 2000;
    let nextFloor = 0;
    const floorStarted = performance.now();
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (nextFloor < floorCount) {
          const folder = join(floorDir, String(nextFloor++), 'in', 'files', 'd00');
          await mkdir(folder, { recursive: true });
          await writeFile(join(folder, 'f.txt'), await readFile(sample));
          await rm(join(folder, '..', '..', '..'), { recursive: true, force: true });
        }
      }),
    );
    const floorPerDatum = (performance.now() - floorStarted) / floorCount;
    await rm(floorDir, { recursive: true, force: true });
    figures.process = { datums, runMs: firstMs, perDatumMs: firstMs / datums, layoutFloorMs: floorPerDatum };
    say(
      `${datums.toLocaleString('en')} trivial datums (each laid out as a folder for its step), ${WORKERS} workers`,
    );
    say(
      `  laying a datum's file out and removing it, no engine (floor): ${(floorPerDatum * 1000).toFixed(0)} µs per datum`,
    );
    say(
      `  first run: ${firstMs.toFixed(0)} ms, ${((firstMs / datums) * 1000).toFixed(0)} µs per datum (${(firstMs / datums / floorPerDatum).toFixed(2)}x the floor), output commit included`,
    );

    // 3. Add one file; the re-run executes one datum and skips the rest.
    await repos.put(
      'bench',
      'main',
      { kind: 'bytes', data: Buffer.from('newest\n') },
      { to: '/d01/newest.txt' },
    );
    let executed = 0;
    let skipped = 0;
    const againStarted = performance.now();
    const again = await (
      await engine.startRun(pipeline, {
        params: {},
        onEvent: (event) => {
          if (event.type !== 'task') return;
          if (event.status === 'success') executed += 1;
          if (event.status === 'skipped') skipped += 1;
        },
      })
    ).result;
    const againMs = performance.now() - againStarted;
    if (again.status !== 'succeeded') throw new Error(`re-run ${again.status}: ${again.error?.message}`);
    // The cost of a run of one datum, measured the same way, is the re-run's baseline.
    await repos.create('single');
    await repos.put('single', 'main', { kind: 'bytes', data: Buffer.from('x\n') }, { to: '/d/x.txt' });
    await writeFile(
      join(dir, 'single.yaml'),
      PIPELINE.replace('bench-datums', 'bench-single').replace('repo: bench', 'repo: single'),
    );
    const single = await loadPipeline(join(dir, 'single.yaml'));
    await (
      await engine.startRun(single, { params: {} })
    ).result;
    await repos.put('single', 'main', { kind: 'bytes', data: Buffer.from('y\n') }, { to: '/d/y.txt' });
    const oneRunStarted = performance.now();
    await (
      await engine.startRun(single, { params: {} })
    ).result;
    const oneRunMs = performance.now() - oneRunStarted;
    const skipMs = (againMs - oneRunMs) / skipped;
    figures.skip = {
      executed,
      skipped,
      rerunMs: againMs,
      oneDatumRunMs: oneRunMs,
      perSkippedDatumMs: skipMs,
    };
    say(
      `re-run after adding 1 file: ${executed} executed, ${skipped.toLocaleString('en')} skipped in ${againMs.toFixed(0)} ms`,
    );
    say(`  a run of 1 new + 1 skipped datum (baseline): ${oneRunMs.toFixed(0)} ms`);
    say(`  per skipped datum: ${(skipMs * 1000).toFixed(1)} µs  (goal < 100 µs; Pachyderm ~1 ms)`);

    // 4. Commit-to-first-datum latency of a registered pipeline.
    await store.repos.addPipelineVersion({
      name: 'bench-single',
      pipelineVersion: 'bench',
      specFile: join(dir, 'single.yaml'),
      spec: {},
      inputRepos: ['single@main'],
    });
    const latencies = [];
    for (let i = 0; i < 5; i += 1) {
      const put = performance.now();
      const commit = await repos.put(
        'single',
        'main',
        { kind: 'bytes', data: Buffer.from(`z${i}\n`) },
        { to: `/d/z${i}.txt` },
      );
      let firstRunning = 0;
      if (!commit) throw new Error('the put changed nothing');
      await runCommitTriggers([commit], {
        store,
        engine,
        onEvent: (event) => {
          if (event.type === 'task' && event.status === 'running' && firstRunning === 0)
            firstRunning = performance.now();
        },
      });
      latencies.push(firstRunning - put);
    }
    latencies.sort((a, b) => a - b);
    const median = latencies[2] ?? 0;
    figures.latency = { medianMs: median, minMs: latencies[0] ?? 0, maxMs: latencies[4] ?? 0 };
    say(
      `commit -> first datum running (put of 1 file, registered pipeline): median ${median.toFixed(1)} ms of 5`,
    );
  } finally {
    await embedded.close();
    await rm(root, { recursive: true, force: true });
  }
  if (asJson) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

await main();
