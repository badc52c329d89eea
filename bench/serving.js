/* global fetch -- Node 20 has fetch built in */
// Model serving: requests per second and p50/p99 latency of `sluice serve` for the mnist CNN
// (TF.js and ONNX) and a k-means model, at 1, 16 and 64 concurrent clients, with dynamic
// batching on (the defaults: --max-batch 32 --max-wait 2ms) and off (--max-batch 1), against
// the same model's predictions in a plain in-process loop measured in the same run.
//   1. models: the mnist CNN trained once with each example pipeline (mnist-train: TF.js,
//      mnist-train-torch: ONNX), and a k-means of beehive-style features (24 columns) fitted
//      with the beehive example's code; each saved as a servable version (sluice-model.json);
//   2. baseline: decode the PNG with sharp and predict in a loop on this thread, in batches of
//      1 and 32 (k-means: the example's nearest-centre search over the rows' numbers);
//   3. for each model and batching mode, `sluice serve MODEL:VERSION` in a child process;
//      autocannon (this process, loopback, keep-alive) POSTs one row per request (a real
//      MNIST PNG as base64, or one point), cycling over 32 rows, for WARMUP s unmeasured and
//      then DURATION s per client count. Every response must be a 200 naming the version;
//      other statuses, connection errors, timeouts and bodies without it are counted and
//      the cell is flagged. Rows per batch and model busy (batch compute time / wall time)
//      come from the server's /metrics; CPU from /proc (server: every thread of the child;
//      client: this process; other: the rest of the machine; 100% = one core). Other CPU
//      well above 0 means other processes competed for the cores: rerun on a quiet machine.
// Run with `npm run build && node bench/serving.js [--duration S] [--warmup S] [--json]`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { importExampleCode } from './example-code.js';
import { openWorkspace } from '../dist/index.js';

const MNIST = fileURLToPath(new URL('../examples/mnist-cnn/', import.meta.url));
const BEEHIVE = fileURLToPath(new URL('../examples/beehive-sensors/', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));
const args = process.argv.slice(2);
const flag = (/** @type {string} */ name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const asJson = args.includes('--json');
const DURATION = Number(flag('--duration') ?? 4);
const WARMUP = Number(flag('--warmup') ?? 1);
const CLIENTS = [1, 16, 64];
/** The two batching modes: the server's defaults, and batching off. */
const MODES = [
  { name: 'on (32, 2 ms)', flags: [] },
  { name: 'off (1)', flags: ['--max-batch', '1'] },
];
/** Distinct rows the clients cycle over. */
const ROWS = 32;
/** Seconds each in-process baseline loop runs (after a short warm-up). */
const BASELINE_SECONDS = 1.5;
const CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

// NOTE: autocannon ships no types; this is the part of its API the bench uses.
/**
 * @typedef {{ '2xx': number, non2xx: number, errors: number, timeouts: number, mismatches: number,
 *   duration: number, statusCodeStats: Record<string, { count: number }> }} CannonResult
 * @typedef {PromiseLike<CannonResult> & {
 *   on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void }} CannonInstance
 * @typedef {(options: object) => CannonInstance} Autocannon
 */
const autocannon = /** @type {Autocannon} */ (createRequire(import.meta.url)('autocannon'));

/** @param {string} text */
function say(text) {
  if (!asJson) process.stderr.write(`${text}\n`);
}

/** @param {number[]} sorted ascending @param {number} q */
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** `sluice ...args --json` in `cwd`; its parsed output. @param {string[]} cli @param {string} cwd @param {string} home */
function sluice(cli, cwd, home) {
  const result = spawnSync(process.execPath, [BIN, ...cli, '--json'], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', SLUICE_HOME: home },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`sluice ${cli.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout);
}

/**
 * A model the bench serves: how to ask it, the rows clients send, and its in-process loop.
 * @typedef {object} Served
 * @property {string} label
 * @property {string} about what the model is
 * @property {string} name registry model
 * @property {number} version
 * @property {string[]} bodies one JSON request body per row
 * @property {(body: { predictions: Record<string, unknown>[] }, row: number) => boolean} correct
 * @property {(n: number) => Promise<void>} predictRows the baseline: `n` rows, decoded and predicted
 */

/**
 * Trains the CNN with `pipeline`, and saves its files again with a sluice-model.json as a
 * new version of `name` (the trained version may or may not have one already).
 * @param {string} root @param {string} home @param {string} data
 * @param {'tfjs' | 'onnx'} flavor @param {string} pipeline @param {string} name
 */
async function trainCnn(root, home, data, flavor, pipeline, name) {
  const trained = sluice(
    ['run', pipeline, '-p', `data_dir=${data}`, '-p', 'epochs=2', '-p', `model=${name}`],
    MNIST,
    home,
  );
  const dir = join(root, name);
  const shown = sluice(['models', 'show', `${name}@latest`], MNIST, home);
  sluice(['models', 'download', `${name}:${shown.version}`, '-o', dir], MNIST, home);
  const manifest = {
    flavor,
    input: { image: { type: 'image', width: 28, height: 28, channels: 1 } },
    output: { classes: CLASSES },
  };
  await writeFile(join(dir, 'sluice-model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, accuracy: /** @type {number} */ (trained.outputs.test_accuracy) };
}

/**
 * A k-means of 24 beehive-style features: 4 hive states, 2,000 seeded points, scaled.
 * @param {string} root
 */
async function fitKMeans(root) {
  const lib = await importExampleCode(BEEHIVE, 'serving-kmeans', [
    "export { trainKMeans, predictClusters } from './lib/kmeans.ts';",
    "export { FEATURE_NAMES } from './lib/features.ts';",
    "export { seededRandom } from './lib/random.ts';",
  ]);
  /** @type {string[]} */
  const names = [...lib.FEATURE_NAMES];
  /** @type {() => number} */
  const random = lib.seededRandom(7);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const states = Array.from({ length: 4 }, () => names.map(() => random() * 40));
  const points = Array.from({ length: 2000 }, (_, index) =>
    (states[index % states.length] ?? []).map((mean) => mean + gauss() * 3),
  );
  const mean = names.map(
    (_, dim) => points.reduce((sum, point) => sum + (point[dim] ?? 0), 0) / points.length,
  );
  const std = names.map((_, dim) =>
    Math.sqrt(
      points.reduce((sum, point) => sum + ((point[dim] ?? 0) - (mean[dim] ?? 0)) ** 2, 0) / points.length,
    ),
  );
  /** @param {number[]} point */
  const scale = (point) => point.map((value, dim) => (value - (mean[dim] ?? 0)) / (std[dim] || 1));
  /** @type {{ centers: number[][], labels: number[] }} */
  const fit = lib.trainKMeans(points.map(scale), { k: 4, seed: 1, nInit: 3 });
  const counts = fit.centers.map((_, c) => fit.labels.filter((label) => label === c).length);
  const dir = join(root, 'kmeans');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'kmeans.json'),
    JSON.stringify({ centers: fit.centers, counts, scale: { mean, std } }),
  );
  const input = Object.fromEntries(names.map((column) => [column, { type: 'number' }]));
  await writeFile(join(dir, 'sluice-model.json'), JSON.stringify({ flavor: 'kmeans', input }, null, 2));
  // NOTE: every 63rd point, so the rows clients send cycle through the 4 states.
  const rows = Array.from({ length: ROWS }, (_, row) => points[(row * 63) % points.length] ?? []);
  const labels = rows.map((point) => lib.predictClusters(fit.centers, [scale(point)]).labels[0]);
  const objects = rows.map((point) => Object.fromEntries(names.map((column, dim) => [column, point[dim]])));
  return {
    dir,
    bodies: objects.map((row) => JSON.stringify({ rows: [row] })),
    labels,
    /** @param {number} n */
    async predictRows(n) {
      const start = Math.floor(Math.random() * ROWS);
      const batch = Array.from({ length: n }, (_, row) => {
        const object = objects[(start + row) % ROWS] ?? {};
        return scale(names.map((column) => Number(object[column])));
      });
      lib.predictClusters(fit.centers, batch);
    },
  };
}

/**
 * The first ROWS test PNGs of the prepared folder (`<label>/test-<n>.png`), with their labels.
 * @param {string} data
 */
async function samplePngs(data) {
  const files = [];
  for (const label of CLASSES) {
    for (const name of await readdir(join(data, label))) {
      if (name.startsWith('test-')) files.push({ label: Number(label), path: join(data, label, name), name });
    }
  }
  files.sort((a, b) => a.name.localeCompare(b.name));
  return Promise.all(
    files.slice(0, ROWS).map(async ({ label, path }) => ({ label, png: await readFile(path) })),
  );
}

/**
 * The in-process loop for an image model: decode `n` PNGs with sharp and classify them.
 * @param {'tfjs' | 'onnx'} flavor @param {string} dir @param {{ png: Buffer }[]} samples
 */
async function imageBaseline(flavor, dir, samples) {
  const lib = await importExampleCode(MNIST, `serving-${flavor}`, [
    "export { decodeImage } from './lib/images.ts';",
    flavor === 'tfjs'
      ? "export { loadTfjsModel, predictTfjs } from './lib/tfjs-model.ts';"
      : "export { loadOnnxModel, predictOnnx } from './lib/onnx-model.ts';",
  ]);
  const model = flavor === 'tfjs' ? await lib.loadTfjsModel(dir) : await lib.loadOnnxModel(dir);
  /** @param {number} n */
  return async (n) => {
    const images = new Float32Array(n * 28 * 28);
    const start = Math.floor(Math.random() * samples.length);
    for (let row = 0; row < n; row += 1) {
      const sample = samples[(start + row) % samples.length];
      if (sample) await lib.decodeImage(sample.png, 28, images, row * 28 * 28);
    }
    if (flavor === 'tfjs') lib.predictTfjs(model, images, n, 28);
    else await lib.predictOnnx(model, images, n, 28);
  };
}

/** Rows per second of `predictRows(batch)` in a loop. @param {Served} model @param {number} batch */
async function baseline(model, batch) {
  const until = performance.now() + 300;
  while (performance.now() < until) await model.predictRows(batch);
  const started = performance.now();
  let rows = 0;
  while (performance.now() - started < BASELINE_SECONDS * 1000) {
    await model.predictRows(batch);
    rows += batch;
  }
  return rows / ((performance.now() - started) / 1000);
}

/**
 * Starts `sluice serve`; resolves once it printed where it listens.
 * @param {Served} model @param {string[]} flags @param {string} home
 */
async function startServer(model, flags, home) {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', `${model.name}:${model.version}`, '--port', '0', '--json', ...flags],
    { env: { ...process.env, NO_COLOR: '1', SLUICE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((done) => child.once('exit', done));
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    new Promise((done) => lines.once('line', done)),
    exited.then((code) => {
      throw new Error(`sluice serve exited ${code} before listening: ${stderr}`);
    }),
  ]);
  /** @type {{ url: string, options: Record<string, number> }} */
  const info = JSON.parse(String(first));
  return {
    ...info,
    pid: /** @type {number} */ (child.pid),
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** CPU seconds of process `pid`, all its threads. @param {number} pid */
async function cpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds the whole machine spent busy (all cores, any process), from /proc/stat. */
async function machineCpuSeconds() {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal ...: all but idle and iowait are busy.
  const ticks = line.split(/\s+/).slice(1, 9).map(Number);
  const busy = ticks.reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
  return busy / TICKS_PER_SECOND;
}

/** Batches, their rows and compute seconds so far, from the server's /metrics. @param {string} url */
async function batchCounters(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  /** @param {string} metric */
  const total = (metric) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${metric}{`))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    rows: total('sluice_model_batch_rows_sum'),
    batches: total('sluice_model_batch_rows_count'),
    seconds: total('sluice_model_batch_duration_seconds_sum'),
  };
}

/**
 * One autocannon run against `endpoint`; latencies (ms) of the 200s when `latencies` is given.
 * @param {string} endpoint @param {Served} model @param {number} clients @param {number} seconds @param {number[]} [latencies]
 */
async function load(endpoint, model, clients, seconds, latencies) {
  const instance = autocannon({
    url: endpoint,
    connections: clients,
    duration: seconds,
    timeout: 10,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: model.bodies.map((body) => ({ body })),
    verifyBody: (/** @type {string} */ body) => body.includes(`"version":${model.version}`),
  });
  if (latencies)
    instance.on('response', (_client, status, _bytes, ms) => status === 200 && latencies.push(ms));
  return instance;
}

/**
 * Every row once, one request at a time: all 200s, and how many answers are right.
 * @param {string} endpoint @param {Served} model
 */
async function checkAnswers(endpoint, model) {
  let correct = 0;
  for (const [row, body] of model.bodies.entries()) {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`${model.label}: row ${row} answered ${response.status}: ${text}`);
    if (model.correct(JSON.parse(text), row)) correct += 1;
  }
  return correct;
}

/** @param {Served} model @param {{ name: string, flags: string[] }} mode @param {string} home */
async function measureServer(model, mode, home) {
  const server = await startServer(model, mode.flags, home);
  const endpoint = `${server.url}/api/models/${model.name}/predict`;
  const cells = [];
  try {
    const correct = await checkAnswers(endpoint, model);
    say(`${model.label}, batching ${mode.name}: ${correct}/${ROWS} rows answered as expected`);
    for (const clients of CLIENTS) {
      await load(endpoint, model, clients, WARMUP);
      /** @type {number[]} */
      const latencies = [];
      const counters = await batchCounters(server.url);
      const serverCpu = await cpuSeconds(server.pid);
      const clientCpu = process.cpuUsage();
      const machineCpu = await machineCpuSeconds();
      // NOTE: a health check every 50 ms during the load: the event loop must stay responsive.
      /** @type {number[]} */
      const health = [];
      let probing = true;
      const probe = (async () => {
        while (probing) {
          const at = performance.now();
          const response = await fetch(`${server.url}/health`);
          await response.arrayBuffer();
          if (response.status === 200) health.push(performance.now() - at);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      const result = await load(endpoint, model, clients, DURATION, latencies);
      probing = false;
      await probe;
      health.sort((a, b) => a - b);
      const clientSeconds = process.cpuUsage(clientCpu);
      const serverSeconds = (await cpuSeconds(server.pid)) - serverCpu;
      const machineSeconds = (await machineCpuSeconds()) - machineCpu;
      const clientTotal = (clientSeconds.user + clientSeconds.system) / 1e6;
      const after = await batchCounters(server.url);
      latencies.sort((a, b) => a - b);
      const failures = result.non2xx + result.errors + result.mismatches;
      const statuses = Object.entries(result.statusCodeStats)
        .filter(([code]) => code !== '200')
        .map(([code, { count }]) => `${count}x${code}`);
      const cell = {
        model: model.label,
        batching: mode.name,
        clients,
        requestsPerSecond: result['2xx'] / result.duration,
        p50Ms: quantile(latencies, 0.5),
        p99Ms: quantile(latencies, 0.99),
        healthP99Ms: quantile(health, 0.99),
        rowsPerBatch: (after.rows - counters.rows) / Math.max(1, after.batches - counters.batches),
        modelBusy: (after.seconds - counters.seconds) / result.duration,
        serverCpu: serverSeconds / result.duration,
        clientCpu: clientTotal / result.duration,
        otherCpu: Math.max(0, machineSeconds - serverSeconds - clientTotal) / result.duration,
        ok: result['2xx'],
        non2xx: result.non2xx,
        statuses,
        errors: result.errors,
        timeouts: result.timeouts,
        mismatches: result.mismatches,
        flagged: failures > 0,
      };
      cells.push(cell);
      say(
        `  ${String(clients).padStart(2)} clients: ${cell.requestsPerSecond.toFixed(0)} req/s, p50 ${cell.p50Ms.toFixed(2)} ms, p99 ${cell.p99Ms.toFixed(2)} ms, /health p99 ${cell.healthP99Ms.toFixed(2)} ms, ${cell.rowsPerBatch.toFixed(1)} rows/batch, model busy ${percent(cell.modelBusy)}, CPU: server ${percent(cell.serverCpu)}, client ${percent(cell.clientCpu)}, other processes ${percent(cell.otherCpu)}` +
          (cell.flagged
            ? ` — FLAGGED: ${result.non2xx} non-2xx (${statuses.join(', ')}), ${result.errors} errors (${result.timeouts} timeouts), ${result.mismatches} bodies without the version`
            : ''),
      );
    }
    return { correct, cells };
  } catch (error) {
    process.stderr.write(server.stderr());
    throw error;
  } finally {
    await server.stop();
  }
}

/**
 * Saves each prepared folder as a version; their numbers by registry name.
 * @param {string} home @param {{ name: string, dir: string }[]} folders
 */
async function saveVersions(home, folders) {
  const workspace = await openWorkspace({ home });
  try {
    /** @type {Record<string, number>} */
    const versions = {};
    for (const { name, dir } of folders) versions[name] = (await workspace.registry.save(name, dir)).version;
    return versions;
  } finally {
    await workspace.close();
  }
}

/** @param {number} value */
const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
/** A ratio to two decimals, or two significant digits below 0.1. @param {number} value */
const ratio = (value) =>
  !Number.isFinite(value) ? '-' : value >= 0.1 ? value.toFixed(2) : value.toPrecision(2);
/** @param {number} value */
const percent = (value) => `${(value * 100).toFixed(0)}%`;

async function main() {
  const started = performance.now();
  const root = await mkdtemp(join(tmpdir(), 'sluice-bench-serving-'));
  try {
    const data = join(root, 'images');
    const home = join(root, 'home');
    say('preparing 2,000 + 2,000 MNIST images…');
    execFileSync(
      process.execPath,
      [join(MNIST, 'scripts', 'prepare.mjs'), '--out', data, '--limit', '2000'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    say('training the CNN with TF.js (mnist-train) and with PyTorch (mnist-train-torch, ONNX export)…');
    const tfjs = await trainCnn(root, home, data, 'tfjs', 'train.yaml', 'bench-mnist-tfjs');
    const onnx = await trainCnn(root, home, data, 'onnx', 'train-torch.yaml', 'bench-mnist-onnx');
    say('fitting the k-means…');
    const kmeans = await fitKMeans(root);
    const versions = await saveVersions(home, [
      { name: 'bench-mnist-tfjs', dir: tfjs.dir },
      { name: 'bench-mnist-onnx', dir: onnx.dir },
      { name: 'bench-kmeans', dir: kmeans.dir },
    ]);

    const samples = await samplePngs(data);
    const imageBodies = samples.map(({ png }) =>
      JSON.stringify({ rows: [{ image: png.toString('base64') }] }),
    );
    /** @param {{ predictions: Record<string, unknown>[] }} body @param {number} row */
    const rightDigit = (body, row) => body.predictions[0]?.class === samples[row]?.label;
    /** @type {Served[]} */
    const models = [
      {
        label: 'mnist CNN, TF.js wasm',
        about: `test accuracy ${tfjs.accuracy.toFixed(3)}`,
        name: 'bench-mnist-tfjs',
        version: versions['bench-mnist-tfjs'] ?? 0,
        bodies: imageBodies,
        correct: rightDigit,
        predictRows: await imageBaseline('tfjs', tfjs.dir, samples),
      },
      {
        label: 'mnist CNN, ONNX',
        about: `test accuracy ${onnx.accuracy.toFixed(3)}`,
        name: 'bench-mnist-onnx',
        version: versions['bench-mnist-onnx'] ?? 0,
        bodies: imageBodies,
        correct: rightDigit,
        predictRows: await imageBaseline('onnx', onnx.dir, samples),
      },
      {
        label: 'k-means',
        about: '24 number columns, 4 centres',
        name: 'bench-kmeans',
        version: versions['bench-kmeans'] ?? 0,
        bodies: kmeans.bodies,
        correct: (body, row) => body.predictions[0]?.cluster === kmeans.labels[row],
        predictRows: kmeans.predictRows,
      },
    ];

    const results = [];
    for (const model of models) {
      const loop = { batch1: await baseline(model, 1), batch32: await baseline(model, 32) };
      say(
        `${model.label}: in-process loop ${loop.batch1.toFixed(0)} rows/s (batch 1), ${loop.batch32.toFixed(0)} rows/s (batch 32)`,
      );
      const modes = [];
      for (const mode of MODES) modes.push({ mode: mode.name, ...(await measureServer(model, mode, home)) });
      results.push({
        model: model.label,
        about: model.about,
        name: model.name,
        version: model.version,
        loop,
        modes,
      });
    }
    const figures = {
      durationSeconds: DURATION,
      warmupSeconds: WARMUP,
      rows: ROWS,
      results: results.map((result) => ({
        ...result,
        modes: result.modes.map((mode) => ({
          ...mode,
          cells: mode.cells.map((cell) => ({
            ...cell,
            ratioToLoopBatch1: cell.requestsPerSecond / result.loop.batch1,
            ratioToLoopBatch32: cell.requestsPerSecond / result.loop.batch32,
          })),
        })),
      })),
      wallSeconds: (performance.now() - started) / 1000,
    };
    const flagged = results
      .flatMap((result) => result.modes.flatMap((mode) => mode.cells))
      .filter((cell) => cell.flagged);
    // NOTE: a cell with failed requests did not measure serving; fail the run so a chained bench notices.
    if (flagged.length > 0) process.exitCode = 1;
    if (asJson) {
      process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
      return;
    }
    console.log(
      `\n\`sluice serve\`, one row per request, ${DURATION} s per cell after ${WARMUP} s of warm-up; autocannon in a second process on loopback`,
    );
    console.log(
      '\n| model | what | in-process loop, batch 1 (rows/s) | batch 32 (rows/s) |\n|---|---|---:|---:|',
    );
    for (const result of figures.results) {
      console.log(
        `| ${result.model} | ${result.about} | ${fixed(result.loop.batch1)} | ${fixed(result.loop.batch32)} |`,
      );
    }
    console.log(
      '\n| model | batching | clients | req/s | p50 ms | p99 ms | /health p99 ms | rows/batch | model busy | server CPU | client CPU | other CPU | vs loop b1 | vs loop b32 | failed |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const result of figures.results) {
      for (const mode of result.modes) {
        for (const cell of mode.cells) {
          const failed = cell.flagged
            ? `**${cell.non2xx} non-2xx, ${cell.errors} errors, ${cell.mismatches} mismatches**`
            : '0';
          console.log(
            `| ${result.model} | ${mode.mode} | ${cell.clients} | ${fixed(cell.requestsPerSecond)} | ${fixed(cell.p50Ms, 2)} | ${fixed(cell.p99Ms, 2)} | ${fixed(cell.healthP99Ms, 2)} | ${fixed(cell.rowsPerBatch, 1)} | ${percent(cell.modelBusy)} | ${percent(cell.serverCpu)} | ${percent(cell.clientCpu)} | ${percent(cell.otherCpu)} | ${ratio(cell.ratioToLoopBatch1)} | ${ratio(cell.ratioToLoopBatch32)} | ${failed} |`,
          );
        }
      }
    }
    if (flagged.length > 0) console.log(`\n**${flagged.length} cells had failed requests** (see 'failed').`);
    console.log(
      `\nrows/batch and model busy (batch compute time / wall time) from the server's /metrics; CPU: 100% = one core (${figures.wallSeconds.toFixed(0)} s in all)`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
