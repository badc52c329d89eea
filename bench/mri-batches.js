// cardiac-mri training batches: random batches of 8 datapoints (`.arrays` bundles holding
// `image` float32 [256,256] and `mask` uint8 [256,256]) delivered by a Sluice batch session
// (openBatches: a batch index in the store, requests over topics, forked loader processes)
// against a plain in-process loop measured in the same run:
//   1. throughput: batches/s with 1 and 2 loaders over embedded topics, and over NATS when
//      SLUICE_NATS_URL (default nats://127.0.0.1:4222) answers; the baseline reads the same
//      batches in the same order with assembleBatch + decodeArrays on this thread. Then a
//      simulated trainer spending --train-ms per batch: the plain loop loads then trains,
//      the session's loaders prefetch while it trains. A per-batch breakdown of what a
//      session adds (spooling the stacked bundle, reading it back, a topic round trip) says
//      where the time goes;
//   2. memory for a large index (--index-slices, default 100,000 tiny datapoints): peak RSS
//      (process.resourceUsage().maxRSS) of fresh child processes on the same home: one that
//      only opens the workspace, the first session open (builds the index), a session
//      iterating --index-batches batches with 1 loader, and the naive loop (list every file
//      of the commit, shuffle, load as many batches);
//   3. end to end: examples/cardiac-mri/pipeline.yaml over generated Sunnybrook-shaped data
//      (`sluice run`), datapoints/s and slices/s, against the same step code called in a
//      plain loop over the patients (no engine, no store).
// Run with `npx tsc -p tsconfig.build.json && node bench/mri-batches.js [--quick] [--json]
// [--only throughput,memory,e2e] [--datapoints 1600] [--rounds 3] [--train-ms 20]
// [--index-slices 100000] [--index-batches 500]`; part 3 needs /usr/bin/python3 with pydicom
// and numpy, and dcmtk. SLUICE_DIST points at another build directory.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateCardiacMri, importExampleCode } from './example-code.js';

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'cardiac-mri');
const BIN = join(ROOT, 'bin', 'sluice.js');
const PYTHON = process.env.SLUICE_PYTHON ?? '/usr/bin/python3';
const DIST = pathToFileURL(`${resolve(process.env.SLUICE_DIST ?? join(ROOT, 'dist'))}/`);
const NATS_URL = process.env.SLUICE_NATS_URL ?? 'nats://127.0.0.1:4222';

const argv = process.argv.slice(2);
const asJson = argv.includes('--json');
const QUICK = argv.includes('--quick');
const DATAPOINTS = flag('--datapoints', QUICK ? 400 : 1600);
const ROUNDS = flag('--rounds', QUICK ? 1 : 3);
const TRAIN_MS = flag('--train-ms', 20);
const INDEX_SLICES = flag('--index-slices', QUICK ? 20_000 : 100_000);
const INDEX_BATCHES = flag('--index-batches', QUICK ? 200 : 500);
/** Setting up the big index stops adding files once it would pass this (then reports what it put). */
const PUT_BUDGET_S = flag('--put-budget', 180);
const PATIENTS = flag('--patients', QUICK ? 2 : 4);
const SLICES = flag('--slices', QUICK ? 20 : 40);
const SIZE = 256;
const BATCH = 8;
const PREFETCH = 8;
const SEED = 1;
const onlyAt = argv.indexOf('--only');
const ONLY = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',') : ['throughput', 'memory', 'e2e'];

/** @param {string} name @param {number} fallback */
function flag(name, fallback) {
  const at = argv.indexOf(name);
  return at >= 0 ? Number(argv[at + 1]) : fallback;
}

/** @param {string} text */
function say(text) {
  if (!asJson) process.stderr.write(`${text}\n`);
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** @param {number} ms */
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

const seconds = (/** @type {number} */ since) => (performance.now() - since) / 1000;

/** @param {number} value @param {number} digits */
const fmt = (value, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';

const mb = (/** @type {number} */ kb) => kb / 1024;

// ---------------------------------------------------------------------------------------------
// Sluice modules (dist/)

async function sluice() {
  const [workspace, config, arrays, client, loader, permutation] = await Promise.all([
    import(new URL('cli/workspace.js', DIST).href),
    import(new URL('cli/config.js', DIST).href),
    import(new URL('batches/arrays.js', DIST).href),
    import(new URL('batches/client.js', DIST).href),
    import(new URL('batches/loader.js', DIST).href),
    import(new URL('batches/permutation.js', DIST).href),
  ]);
  return {
    openLocalWorkspace: workspace.openLocalWorkspace,
    compileConfig: config.compileConfig,
    encodeArrays: arrays.encodeArrays,
    decodeArrays: arrays.decodeArrays,
    openBatches: client.openBatches,
    assembleBatch: loader.assembleBatch,
    Permutation: permutation.Permutation,
  };
}

/** @typedef {Awaited<ReturnType<typeof sluice>>} Sluice */

/**
 * A workspace on `dir/.sluice`, topics in NATS when `nats` is set.
 * @param {Sluice} s @param {string} dir @param {string} [nats]
 */
async function openWorkspace(s, dir, nats) {
  /** @type {Record<string, string>} */
  const env = { SLUICE_HOME: join(dir, '.sluice'), SLUICE_LOG_LEVEL: 'warn' };
  if (nats) env.SLUICE_NATS_URL = nats;
  return s.openLocalWorkspace(s.compileConfig({}, env, dir, false), 'bench');
}

/** Whether NATS answers at `url` (a TCP connect within 1 s). @param {string} url */
function reachable(url) {
  const { hostname, port } = new URL(url.includes('://') ? url : `nats://${url}`);
  return new Promise((done) => {
    const socket = netConnect({ host: hostname, port: Number(port || 4222) });
    const finish = (/** @type {boolean} */ ok) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * One datapoint: `image` float32 [h,w] and `mask` uint8 [h,w], pixels varying with `index`.
 * @param {Sluice} s @param {number} index @param {number} size
 */
function datapoint(s, index, size) {
  const pixels = size * size;
  const image = new Float32Array(pixels);
  const mask = new Uint8Array(pixels);
  const phase = (index * 7919) % 4096;
  for (let i = 0; i < pixels; i++) {
    image[i] = ((i + phase) % 4096) / 4096;
    mask[i] = (i + index) % 5 === 0 ? 1 : 0;
  }
  return s.encodeArrays({
    meta: { patient: `SC-${Math.floor(index / 40)}`, slice: index % 40, index },
    arrays: {
      image: { dtype: 'float32', shape: [size, size], data: image },
      mask: { dtype: 'uint8', shape: [size, size], data: mask },
    },
  });
}

/**
 * Writes `count` datapoint files as `folder/datapoints/<n>.arrays`, `parallel` at a time.
 * @param {Sluice} s @param {string} folder @param {number} from @param {number} count @param {number} size
 */
async function writeDatapoints(s, folder, from, count, size) {
  await mkdir(join(folder, 'datapoints'), { recursive: true });
  let next = from;
  const end = from + count;
  const worker = async () => {
    while (next < end) {
      const index = next++;
      await writeFile(
        join(folder, 'datapoints', `${String(index).padStart(7, '0')}.arrays`),
        datapoint(s, index, size),
      );
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/**
 * The batches a session with seed SEED yields in epoch 0, as loader requests: the commit's
 * files under /datapoints in path order (as the batch index numbers them), permuted.
 * @param {Sluice} s @param {any} workspace @param {string} repo
 */
async function sameBatches(s, workspace, repo) {
  const commit = await workspace.repos.resolveCommit(repo);
  /** @type {{ path: string, hash: string }[]} */
  const files = (await workspace.repos.files(commit, '/datapoints'))
    .filter((/** @type {{ path: string }} */ file) => file.path.endsWith('.arrays'))
    .sort((/** @type {{ path: string }} */ a, /** @type {{ path: string }} */ b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    );
  const permutation = new s.Permutation(files.length, SEED, 0);
  /** @type {{ epoch: number, index: number, items: { ordinal: number, path: string, hash: string }[] }[]} */
  const requests = [];
  for (let start = 0, index = 0; start < files.length; start += BATCH, index++) {
    const items = [];
    for (let position = start; position < Math.min(start + BATCH, files.length); position++) {
      const ordinal = permutation.at(position);
      const file = /** @type {{ path: string, hash: string }} */ (files[ordinal]);
      items.push({ ordinal, path: file.path, hash: file.hash });
    }
    requests.push({ epoch: 0, index, items });
  }
  return requests;
}

/**
 * The plain loop: each batch read (objects.get, hash-checked), decoded and stacked on this
 * thread (assembleBatch), then decoded as a session's caller gets it; `trainMs` per batch after.
 * @param {Sluice} s @param {any} workspace @param {ReturnType<typeof sameBatches> extends Promise<infer T> ? T : never} requests
 * @param {number} trainMs
 */
async function plainLoop(s, workspace, requests, trainMs = 0) {
  let checksum = 0;
  const started = performance.now();
  for (const request of requests) {
    const batch = s.decodeArrays(await s.assembleBatch(workspace.objects, request), 'batch');
    checksum += batch.arrays.image.data[1] + batch.arrays.mask.shape[0];
    if (trainMs > 0) await sleep(trainMs);
  }
  const elapsed = seconds(started);
  return {
    batches: requests.length,
    seconds: elapsed,
    batchesPerSecond: requests.length / elapsed,
    checksum,
  };
}

/**
 * A session over `repo`'s /datapoints: open (timed), iterate every batch of one epoch
 * (timed from the first iteration's start), close (timed).
 * @param {Sluice} s @param {any} workspace @param {string} dir @param {number} loaders @param {number} trainMs
 */
async function sessionPass(s, workspace, dir, loaders, trainMs = 0) {
  let started = performance.now();
  const session = await s.openBatches(
    { ...workspace, objectsDir: join(dir, '.sluice', 'objects') },
    { repo: 'bench', path: '/datapoints', size: BATCH, epochs: 1, seed: SEED, loaders, prefetch: PREFETCH },
  );
  const openSeconds = seconds(started);
  let batches = 0;
  let firstBatchSeconds = NaN;
  let checksum = 0;
  started = performance.now();
  let iterateSeconds = NaN;
  try {
    for await (const batch of session) {
      if (batches === 0) firstBatchSeconds = seconds(started);
      batches += 1;
      checksum += batch.arrays.image.data[1] + batch.arrays.mask.shape[0];
      if (trainMs > 0) await sleep(trainMs);
    }
    iterateSeconds = seconds(started);
  } finally {
    started = performance.now();
    await session.close();
  }
  return {
    loaders,
    batches,
    openSeconds,
    firstBatchSeconds,
    seconds: iterateSeconds,
    closeSeconds: seconds(started),
    batchesPerSecond: batches / iterateSeconds,
    duplicates: session.stats.duplicates,
    checksum,
  };
}

/**
 * Per batch, what a session does beyond the plain loop, measured on this thread: the
 * loader stores the stacked bundle (objects.put: write + fsync + rename + folder fsync),
 * the session reads it back (objects.get, hash check), decodes it and deletes it; plus one
 * request/announcement round trip through the workspace's topics (produce, fetch, ack).
 * @param {Sluice} s @param {any} workspace @param {any[]} requests
 */
async function breakdown(s, workspace, requests) {
  const sample = requests.slice(0, Math.min(40, requests.length));
  const totals = { assemble: 0, put: 0, getDecode: 0, delete: 0, topic: 0 };
  const topic = `bench-breakdown-${Math.random().toString(36).slice(2, 8)}`;
  await workspace.topics.create(topic, { deadLetter: null });
  const consumer = await workspace.topics.consumer(topic, 'bench');
  const spool = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sluice-bench-spool-'));
  try {
    for (const request of sample) {
      let at = performance.now();
      const bundle = await s.assembleBatch(workspace.objects, request);
      totals.assemble += performance.now() - at;
      // What forked loaders and their session do: a spool file, written, read back, removed.
      at = performance.now();
      const file = join(spool, `${request.epoch}-${request.index}.arrays`);
      const temp = `${file}.tmp`;
      await writeFile(temp, bundle);
      await rename(temp, file);
      totals.put += performance.now() - at;
      at = performance.now();
      s.decodeArrays(readFileSync(file), 'batch');
      totals.getDecode += performance.now() - at;
      at = performance.now();
      unlinkSync(file);
      totals.delete += performance.now() - at;
      at = performance.now();
      await workspace.topics.produce(topic, [{ key: String(request.index), value: request }]);
      const got = await consumer.fetch({ max: 1, expiresMs: 1000 });
      await consumer.ack(got);
      totals.topic += performance.now() - at;
    }
  } finally {
    await consumer.close();
    await workspace.topics.delete(topic).catch(() => undefined);
    await rm(spool, { recursive: true, force: true });
  }
  /** @type {Record<string, number>} */
  const perBatchMs = {};
  for (const [key, total] of Object.entries(totals)) perBatchMs[key] = total / sample.length;
  return { batches: sample.length, perBatchMs };
}

/** Part 1. */
async function throughput() {
  const s = await sluice();
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-batches-'));
  try {
    say(`writing ${DATAPOINTS} datapoints (image f32 + mask u8, ${SIZE}²) and putting them…`);
    let started = performance.now();
    await writeDatapoints(s, join(dir, 'data'), 0, DATAPOINTS, SIZE);
    const writeSeconds = seconds(started);
    let workspace = await openWorkspace(s, dir);
    started = performance.now();
    await workspace.repos.create('bench');
    await workspace.repos.put('bench', 'main', { kind: 'path', path: join(dir, 'data') });
    const putSeconds = seconds(started);
    await rm(join(dir, 'data'), { recursive: true, force: true });
    // Settle the writeback of what was just written, so it does not land in a timed pass.
    execFileSync('sync', ['-f', dir]);
    const requests = await sameBatches(s, workspace, 'bench');
    say(
      `  written in ${writeSeconds.toFixed(1)} s, put in ${putSeconds.toFixed(1)} s; ${requests.length} batches of ${BATCH} per epoch`,
    );

    // The batch index is built on a commit's first session open; later opens reuse it.
    started = performance.now();
    const indexSession = await s.openBatches(
      { ...workspace, objectsDir: join(dir, '.sluice', 'objects') },
      { repo: 'bench', path: '/datapoints', size: BATCH, seed: SEED, loaders: 0 },
    );
    const indexSeconds = seconds(started);
    await indexSession.close();

    say('plain loop (warm-up, then timed)…');
    await plainLoop(s, workspace, requests.slice(0, 20));
    /** @type {number[]} */
    const baselineRates = [];
    let baselineChecksum = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const result = await plainLoop(s, workspace, requests);
      baselineRates.push(result.batchesPerSecond);
      baselineChecksum = result.checksum;
    }
    const baseline = median(baselineRates);
    say(`  ${baseline.toFixed(1)} batches/s`);
    const parts = await breakdown(s, workspace, requests);

    const backends = ['embedded'];
    if (await reachable(NATS_URL)) backends.push('nats');
    else say(`NATS at ${NATS_URL} does not answer: embedded topics only`);
    /** @type {any[]} */
    const sessions = [];
    /** @type {any[]} */
    const training = [];
    for (const backend of backends) {
      if (backend === 'nats') {
        await workspace.close();
        workspace = await openWorkspace(s, dir, NATS_URL);
      }
      // Warm-up: the loaders' first start reads dist/ from disk.
      await sessionPass(s, workspace, dir, 1);
      for (const loaders of [1, 2]) {
        say(`session, ${backend} topics, ${loaders} loader${loaders > 1 ? 's' : ''}…`);
        /** @type {Awaited<ReturnType<typeof sessionPass>>[]} */
        const passes = [];
        for (let round = 0; round < ROUNDS; round++)
          passes.push(await sessionPass(s, workspace, dir, loaders));
        // The median pass (by rate), with its open and first-batch times.
        const pass = /** @type {(typeof passes)[number]} */ (
          [...passes].sort((a, b) => a.batchesPerSecond - b.batchesPerSecond)[Math.floor(passes.length / 2)]
        );
        if (pass.checksum !== baselineChecksum)
          throw new Error(`${backend}/${loaders}: the session's batches differ from the plain loop's`);
        sessions.push({
          backend,
          ...pass,
          roundsBatchesPerSecond: passes.map((p) => p.batchesPerSecond),
          ratioToBaseline: pass.batchesPerSecond / baseline,
        });
        say(
          `  ${pass.batchesPerSecond.toFixed(1)} batches/s (open ${(pass.openSeconds * 1000).toFixed(0)} ms)`,
        );
      }
      say(`trainer at ${TRAIN_MS} ms per batch, ${backend} session with 2 loaders…`);
      training.push({ backend, ...(await sessionPass(s, workspace, dir, 2, TRAIN_MS)) });
    }
    say(`trainer at ${TRAIN_MS} ms per batch, plain loop (load, then train)…`);
    const sequential = await plainLoop(s, workspace, requests, TRAIN_MS);
    await workspace.close();
    return {
      datapoints: DATAPOINTS,
      batchSize: BATCH,
      batchesPerEpoch: requests.length,
      batchMB: (BATCH * SIZE * SIZE * 5) / 1e6,
      prefetch: PREFETCH,
      rounds: ROUNDS,
      setup: { writeSeconds, putSeconds, indexBuildSeconds: indexSeconds },
      baseline: { batchesPerSecond: baseline, roundsBatchesPerSecond: baselineRates },
      sessions,
      breakdown: parts,
      trainer: {
        trainMs: TRAIN_MS,
        ceilingBatchesPerSecond: 1000 / TRAIN_MS,
        sequential: { batchesPerSecond: sequential.batchesPerSecond },
        sessions: training.map((t) => ({
          backend: t.backend,
          loaders: t.loaders,
          batchesPerSecond: t.batchesPerSecond,
          ratioToSequential: t.batchesPerSecond / sequential.batchesPerSecond,
        })),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Part 2: memory of a large index, each measurement in a fresh child process.

/** Peak RSS of a process's loaders, from /proc (kB), while they run. @param {number[]} pids */
function loaderPeakKb(pids) {
  let total = 0;
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      total += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // gone already
    }
  }
  return total;
}

/**
 * What a child reports (one JSON line on stdout); `mode` is open | index | session | naive.
 * @param {string} mode @param {string} dir
 */
async function child(mode, dir) {
  const s = await sluice();
  const workspace = await openWorkspace(s, dir);
  /** @type {Record<string, unknown>} */
  const out = { mode };
  try {
    const commit = await workspace.repos.resolveCommit('bench');
    out.commit = commit.id;
    if (mode === 'index' || mode === 'session') {
      let started = performance.now();
      const session = await s.openBatches(
        { ...workspace, objectsDir: join(dir, '.sluice', 'objects') },
        {
          repo: 'bench',
          path: '/datapoints',
          size: BATCH,
          seed: SEED,
          loaders: mode === 'session' ? 1 : 0,
          prefetch: PREFETCH,
        },
      );
      out.openSeconds = seconds(started);
      out.count = session.index.count;
      if (mode === 'session') {
        started = performance.now();
        let batches = 0;
        for await (const batch of session) {
          batches += 1;
          if (batch.arrays.image.shape[0] < 1) throw new Error('empty batch');
          if (batches >= INDEX_BATCHES) break;
        }
        out.batches = batches;
        out.iterateSeconds = seconds(started);
        out.loaderMaxRssKb = loaderPeakKb(session.loaderPids());
      }
      await session.close();
    } else if (mode === 'naive') {
      let started = performance.now();
      const files = (await workspace.repos.files(commit, '/datapoints')).filter(
        (/** @type {{ path: string }} */ file) => file.path.endsWith('.arrays'),
      );
      // Fisher–Yates with a seeded LCG.
      let state = SEED;
      const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
      for (let i = files.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [files[i], files[j]] = [files[j], files[i]];
      }
      out.count = files.length;
      out.listSeconds = seconds(started);
      started = performance.now();
      let batches = 0;
      for (let start = 0; start < files.length && batches < INDEX_BATCHES; start += BATCH, batches++) {
        const items = files
          .slice(start, start + BATCH)
          .map((/** @type {any} */ file, /** @type {number} */ k) => ({
            ordinal: start + k,
            path: file.path,
            hash: file.hash,
          }));
        const batch = s.decodeArrays(
          await s.assembleBatch(workspace.objects, { epoch: 0, index: batches, items }),
          'batch',
        );
        if (batch.arrays.image.shape[0] < 1) throw new Error('empty batch');
      }
      out.batches = batches;
      out.iterateSeconds = seconds(started);
    }
  } finally {
    await workspace.close();
  }
  out.maxRssKb = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Runs this file as a child in `mode`; its report. @param {string} mode @param {string} dir */
function runChild(mode, dir) {
  return new Promise((done, fail) => {
    const args = [SELF, '--child', mode, '--dir', dir, '--index-batches', String(INDEX_BATCHES)];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk) => (stdout += chunk));
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    proc.once('exit', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{'))
        return fail(new Error(`child ${mode} exited ${code}: ${stderr.slice(-2000)}${stdout.slice(-500)}`));
      done(JSON.parse(line));
    });
  });
}

/** Part 2. */
async function memory() {
  const s = await sluice();
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-index-'));
  try {
    const chunk = 10_000;
    say(
      `putting ${INDEX_SLICES.toLocaleString('en-US')} tiny datapoints (2×2) in commits of ${chunk.toLocaleString('en-US')}…`,
    );
    const workspace = await openWorkspace(s, dir);
    await workspace.repos.create('bench');
    let put = 0;
    let writeSeconds = 0;
    let putSeconds = 0;
    /** @type {number[]} */
    const putChunkSeconds = [];
    let stoppedEarly = false;
    try {
      while (put < INDEX_SLICES) {
        const count = Math.min(chunk, INDEX_SLICES - put);
        const folder = join(dir, `chunk-${put}`);
        let started = performance.now();
        await writeDatapoints(s, folder, put, count, 2);
        writeSeconds += seconds(started);
        started = performance.now();
        await workspace.repos.put('bench', 'main', { kind: 'path', path: folder });
        const took = seconds(started);
        putChunkSeconds.push(took);
        putSeconds += took;
        put += count;
        await rm(folder, { recursive: true, force: true });
        say(
          `  ${put.toLocaleString('en-US')} put (${took.toFixed(1)} s for the last ${count.toLocaleString('en-US')})`,
        );
        const projected = ((writeSeconds + putSeconds) / put) * Math.min(chunk, INDEX_SLICES - put);
        if (put < INDEX_SLICES && writeSeconds + putSeconds + projected > PUT_BUDGET_S) {
          stoppedEarly = true;
          say(
            `  stopping at ${put.toLocaleString('en-US')}: the next commit would pass the ${PUT_BUDGET_S} s budget`,
          );
          break;
        }
      }
    } finally {
      await workspace.close();
    }
    say('fresh processes: open only, first session open (index build), session, naive loop…');
    // The open-only process is the reference: its peak varies by some MB between runs (PGlite's
    // heap), so take the median of three.
    const opens = [await runChild('open', dir), await runChild('open', dir), await runChild('open', dir)];
    const open = { maxRssKb: median(opens.map((o) => /** @type {number} */ (o.maxRssKb))) };
    const index = await runChild('index', dir);
    const session = await runChild('session', dir);
    const naive = await runChild('naive', dir);
    const base = /** @type {number} */ (open.maxRssKb);
    return {
      slices: put,
      wanted: INDEX_SLICES,
      stoppedEarly,
      setup: {
        writeSeconds,
        putSeconds,
        putChunkSeconds,
        putFilesPerSecond: put / putSeconds,
      },
      batches: INDEX_BATCHES,
      openOnly: {
        maxRssMB: mb(base),
        runsMaxRssMB: opens.map((o) => mb(/** @type {number} */ (o.maxRssKb))),
      },
      indexBuild: {
        seconds: index.openSeconds,
        count: index.count,
        maxRssMB: mb(index.maxRssKb),
        growthMB: mb(index.maxRssKb - base),
      },
      session: {
        openSeconds: session.openSeconds,
        iterateSeconds: session.iterateSeconds,
        batches: session.batches,
        maxRssMB: mb(session.maxRssKb),
        growthMB: mb(session.maxRssKb - base),
        loaderMaxRssMB: mb(session.loaderMaxRssKb),
      },
      naive: {
        listSeconds: naive.listSeconds,
        iterateSeconds: naive.iterateSeconds,
        batches: naive.batches,
        maxRssMB: mb(naive.maxRssKb),
        growthMB: mb(naive.maxRssKb - base),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Part 3: the cardiac-mri pipeline end to end.

/**
 * `sluice ...args` with `home`; its stdout (parsed when `json`).
 * @param {string[]} args @param {string} home @param {string} cwd
 */
function cli(args, home, cwd) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, SLUICE_HOME: home, NO_COLOR: '1', SLUICE_NATS_URL: '' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(
      `sluice ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-3000)}${result.stdout.slice(-1000)}`,
    );
  return result.stdout;
}

/**
 * The baseline of part 3: `load_patient` (bundled as the TS runtime bundles it) called in a
 * plain loop, one patient after another, on the generated folder laid out as its datums
 * are (symlinks), writing datapoints to a folder: what the pipeline does minus the engine.
 * @param {string} data @param {any} truth @param {string} out
 */
async function plainPatients(data, truth, out) {
  const step = (
    await importExampleCode(EXAMPLE, 'mri-load-patient', [
      "export { default } from './steps/load_patient.ts';",
    ])
  ).default;
  const started = performance.now();
  let datapoints = 0;
  for (const patient of truth.patients) {
    const datum = join(out, 'in', patient.patient_id);
    await mkdir(join(datum, 'dicoms', 'dicoms'), { recursive: true });
    await mkdir(join(datum, 'contours'), { recursive: true });
    await mkdir(join(datum, 'link'), { recursive: true });
    await symlink(
      join(data, 'dicoms', patient.patient_id),
      join(datum, 'dicoms', 'dicoms', patient.patient_id),
    );
    await symlink(join(data, 'contourfiles'), join(datum, 'contours', 'contourfiles'));
    await symlink(join(data, 'link.csv'), join(datum, 'link', 'link.csv'));
    const outDir = join(out, 'out', patient.patient_id);
    const quiet = () => undefined;
    const result = await step({
      inputs: { patients: datum },
      datum: patient.patient_id,
      log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
      metric: quiet,
      outputDir: () => outDir,
    });
    datapoints += result.report.datapoints;
  }
  const plainSeconds = seconds(started);
  return { seconds: plainSeconds, datapoints, datapointsPerSecond: datapoints / plainSeconds };
}

/** Part 3: skips (with a reason) when the example's pipeline is not there yet. */
async function endToEnd() {
  const pipeline = join(EXAMPLE, 'pipeline.yaml');
  const missing = [pipeline, join(EXAMPLE, 'scripts', 'generate.py')].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    const reason = `SKIPPED: ${missing.join(', ')} not there yet (another engineer is finishing the cardiac-mri pipeline)`;
    say(reason);
    return { skipped: reason };
  }
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-mri-e2e-'));
  try {
    const data = join(dir, 'generated');
    say(`generating ${PATIENTS} patients × ${SLICES} slices of ${SIZE}² (compressed variants included)…`);
    let started = performance.now();
    generateCardiacMri(data, { patients: PATIENTS, slices: SLICES, size: SIZE, python: PYTHON });
    const generateSeconds = seconds(started);
    const truth = JSON.parse(await readFile(join(data, 'truth.json'), 'utf8'));
    const slices = truth.patients.reduce(
      (/** @type {number} */ sum, /** @type {{ slices: unknown[] }} */ p) => sum + p.slices.length,
      0,
    );
    say('baseline: the same step code in a plain loop over the patients (no engine, no store)…');
    const plain = await plainPatients(data, truth, join(dir, 'plain-out'));
    const home = join(dir, '.sluice');
    cli(['repo', 'create', 'sunnybrook'], home, dir);
    cli(['put', 'sunnybrook', join(data, 'dicoms'), '--to', '/dicoms', '--no-trigger', '-q'], home, dir);
    cli(
      ['put', 'sunnybrook', join(data, 'contourfiles'), '--to', '/contourfiles', '--no-trigger', '-q'],
      home,
      dir,
    );
    cli(['put', 'sunnybrook', join(data, 'link.csv'), '--no-trigger', '-q'], home, dir);
    say(`sluice run ${pipeline} (${slices} slices)…`);
    started = performance.now();
    let runOutput = '';
    /** @type {any} */
    let run = null;
    try {
      runOutput = cli(['run', pipeline, '--json'], home, dir);
      run = JSON.parse(runOutput);
    } catch (error) {
      const reason = `FAILED: ${/** @type {Error} */ (error).message.slice(0, 1500)}`;
      say(reason);
      return { failed: reason, slices };
    }
    const runSeconds = seconds(started);
    const listing = JSON.parse(cli(['ls', 'cardiac-mri:/datapoints', '-r', '--json'], home, dir));
    const entries = Array.isArray(listing) ? listing : (listing.entries ?? listing.files ?? []);
    const datapoints = entries.filter((/** @type {{ path: string }} */ entry) =>
      entry.path.endsWith('.arrays'),
    ).length;
    const shown = JSON.parse(cli(['show', run.runId, '--json'], home, dir));
    const engineSeconds =
      shown?.run?.startedAt && shown?.run?.finishedAt
        ? (new Date(shown.run.finishedAt).getTime() - new Date(shown.run.startedAt).getTime()) / 1000
        : NaN;
    return {
      patients: PATIENTS,
      slicesPerPatient: SLICES,
      slices,
      contoured: truth.patients.reduce(
        (/** @type {number} */ sum, /** @type {any} */ p) =>
          sum +
          p.slices.filter((/** @type {{ contour?: boolean }} */ slice) => slice.contour === true).length,
        0,
      ),
      datapoints,
      generateSeconds,
      runSeconds,
      engineSeconds,
      datapointsPerSecond: datapoints / runSeconds,
      slicesPerSecond: slices / runSeconds,
      engineDatapointsPerSecond: datapoints / engineSeconds,
      engineSlicesPerSecond: slices / engineSeconds,
      status: run.status,
      summary: run?.outputs?.summary,
      plain,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

/** @param {any} figures */
function print(figures) {
  /** @param {string[]} cells @param {number[]} widths */
  const line = (cells, widths) =>
    console.log(
      cells
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join(''),
    );
  const t = figures.throughput;
  if (t) {
    console.log(
      `\ncardiac-mri batches: ${t.datapoints} datapoints (image f32 + mask u8, ${SIZE}×${SIZE}), batches of ${t.batchSize} (${t.batchMB.toFixed(2)} MB), ${t.batchesPerEpoch} per epoch, prefetch ${t.prefetch}, median of ${t.rounds}`,
    );
    const w = [52, 11, 14, 10, 10, 14];
    line(['path', 'batches/s', 'datapoints/s', 'vs loop', 'open ms', '1st batch ms'], w);
    line(
      [
        'plain loop (objects.get + decode + stack, 1 thread)',
        fmt(t.baseline.batchesPerSecond, 1),
        fmt(t.baseline.batchesPerSecond * BATCH),
        '1.00',
        '-',
        '-',
      ],
      w,
    );
    for (const session of t.sessions)
      line(
        [
          `session, ${session.backend} topics, ${session.loaders} loader${session.loaders > 1 ? 's' : ''}`,
          fmt(session.batchesPerSecond, 1),
          fmt(session.batchesPerSecond * BATCH),
          session.ratioToBaseline.toFixed(2),
          fmt(session.openSeconds * 1000),
          fmt(session.firstBatchSeconds * 1000),
        ],
        w,
      );
    console.log(
      `setup: ${t.datapoints} files written in ${t.setup.writeSeconds.toFixed(1)} s, put in ${t.setup.putSeconds.toFixed(1)} s; batch index built (first open) in ${(t.setup.indexBuildSeconds * 1000).toFixed(0)} ms`,
    );
    const b = t.breakdown.perBatchMs;
    console.log(
      `\nper batch on one thread (ms, ${t.breakdown.batches} batches): what the loop does, and what a session adds`,
    );
    const w2 = [52, 10];
    line(['read 8 datapoints + stack + encode (assembleBatch)', b.assemble.toFixed(2)], w2);
    line(['+ spool it (write + rename, memory-backed, no fsync)', b.put.toFixed(2)], w2);
    line(['+ read it back from the spool, decode', b.getDecode.toFixed(2)], w2);
    line(['+ remove the spool file', b.delete.toFixed(2)], w2);
    line(['+ one topic message produce + fetch + ack', b.topic.toFixed(2)], w2);
    console.log(
      `\nsimulated trainer, ${t.trainer.trainMs} ms per batch (ceiling ${fmt(t.trainer.ceilingBatchesPerSecond, 1)} batches/s)`,
    );
    const w3 = [52, 11, 14, 16];
    const beyond = (/** @type {number} */ rate) => fmt(1000 / rate - t.trainer.trainMs, 1);
    line(['path', 'batches/s', 'vs sequential', 'ms not hidden'], w3);
    line(
      [
        'plain loop, load then train',
        fmt(t.trainer.sequential.batchesPerSecond, 1),
        '1.00',
        beyond(t.trainer.sequential.batchesPerSecond),
      ],
      w3,
    );
    for (const session of t.trainer.sessions)
      line(
        [
          `session, ${session.backend} topics, ${session.loaders} loaders (prefetching)`,
          fmt(session.batchesPerSecond, 1),
          session.ratioToSequential.toFixed(2),
          beyond(session.batchesPerSecond),
        ],
        w3,
      );
    console.log(
      "ms not hidden: each batch's wall time beyond the training, i.e. loading the trainer still waits for",
    );
  }
  const m = figures.memory;
  if (m) {
    console.log(
      `\nbatch index of ${m.slices.toLocaleString('en-US')} datapoints${m.stoppedEarly ? ` (of ${m.wanted.toLocaleString('en-US')} wanted: put budget reached)` : ''}; ${m.batches} batches of ${BATCH}; fresh process each`,
    );
    console.log(
      `setup: files written in ${m.setup.writeSeconds.toFixed(1)} s, put in ${m.setup.putSeconds.toFixed(1)} s (${fmt(m.setup.putFilesPerSecond)} files/s; per commit of 10k: ${m.setup.putChunkSeconds.map((/** @type {number} */ x) => x.toFixed(1)).join(', ')} s)`,
    );
    const w = [52, 12, 12, 11, 11];
    line(['process', 'maxRSS MB', 'growth MB', 'open s', 'iterate s'], w);
    line(
      [
        `open the workspace only (median of ${m.openOnly.runsMaxRssMB.map((/** @type {number} */ x) => fmt(x)).join(', ')})`,
        fmt(m.openOnly.maxRssMB),
        '0',
        '-',
        '-',
      ],
      w,
    );
    line(
      [
        'first session open: builds the index',
        fmt(m.indexBuild.maxRssMB),
        fmt(m.indexBuild.growthMB),
        m.indexBuild.seconds.toFixed(2),
        '-',
      ],
      w,
    );
    line(
      [
        `session: open + ${m.session.batches} batches, 1 loader`,
        fmt(m.session.maxRssMB),
        fmt(m.session.growthMB),
        m.session.openSeconds.toFixed(2),
        m.session.iterateSeconds.toFixed(2),
      ],
      w,
    );
    line(['  its loader process', fmt(m.session.loaderMaxRssMB), '-', '-', '-'], w);
    line(
      [
        `naive: list all files, shuffle, ${m.naive.batches} batches`,
        fmt(m.naive.maxRssMB),
        fmt(m.naive.growthMB),
        m.naive.listSeconds.toFixed(2),
        m.naive.iterateSeconds.toFixed(2),
      ],
      w,
    );
    console.log('growth: maxRSS above the open-only process; naive "open s" is the listing + shuffle');
  }
  const e = figures.e2e;
  if (e) {
    console.log('\ncardiac-mri pipeline end to end (sluice run examples/cardiac-mri/pipeline.yaml)');
    if (e.skipped || e.failed) console.log(`  ${e.skipped ?? e.failed}`);
    else {
      const w = [52, 10, 12, 10, 14, 10];
      line(['data', 'slices', 'datapoints', 'run s', 'datapoints/s', 'slices/s'], w);
      line(
        [
          `${e.patients} patients × ${e.slicesPerPatient} slices, ${SIZE}², compressed mix`,
          String(e.slices),
          String(e.datapoints),
          e.runSeconds.toFixed(2),
          fmt(e.datapointsPerSecond, 1),
          fmt(e.slicesPerSecond, 1),
        ],
        w,
      );
      console.log(
        `run s: wall time of \`sluice run\` (process start included); the run's own (started → finished): ${fmt(e.engineSeconds, 2)} s, ${fmt(e.engineDatapointsPerSecond, 1)} datapoints/s, ${fmt(e.engineSlicesPerSecond, 1)} slices/s`,
      );
      console.log(
        `baseline: the same step code in a plain loop, no engine: ${fmt(e.plain.datapointsPerSecond, 1)} datapoints/s (${e.plain.seconds.toFixed(2)} s); the run's own time is ${fmt(e.engineDatapointsPerSecond / e.plain.datapointsPerSecond, 2)}x that rate`,
      );
      console.log(
        `${e.contoured} of ${e.slices} slices have an i-contour (a datapoint each); status ${e.status}; summary ${JSON.stringify(e.summary)}`,
      );
    }
  }
}

async function main() {
  const childAt = argv.indexOf('--child');
  if (childAt >= 0) {
    await child(argv[childAt + 1] ?? '', argv[argv.indexOf('--dir') + 1] ?? '');
    return;
  }
  /** @type {Record<string, unknown>} */
  const figures = {};
  if (ONLY.includes('throughput')) figures.throughput = await throughput();
  if (ONLY.includes('memory')) figures.memory = await memory();
  if (ONLY.includes('e2e')) figures.e2e = await endToEnd();
  if (asJson) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  else print(figures);
}

await main();
