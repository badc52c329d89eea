/* global fetch -- Node 20 has fetch built in */
// Service benchmarks, figures and ratios against a floor measured in the same run:
//   1. Trigger latency: a commit -> its triggered run started (floor: the same run started
//      directly on the engine), and a cron tick -> its run started (floor: how late a bare
//      timer armed for the same second fires).
//   2. HTTP API throughput, load generated from this process against `sluice dev` in a
//      child process on loopback: launching runs (POST) and reading run status (GET), at 16
//      concurrent clients with keep-alive (floor: a bare node:http server answering the same
//      JSON from memory, same client).
// Run with `npm run bench` (builds first), or `node bench/service.js [--json]`.
import { openEmbedded } from './embedded.js';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Service, registerPipeline } from '../dist/index.js';

const asJson = process.argv.includes('--json');
const BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));
const CLIENTS = 16;
const SECONDS = 4;

/** @param {string} text */
function say(text) {
  if (!asJson) process.stdout.write(`${text}\n`);
}

/** @param {number[]} values @param {number} q */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

const STEP = 'export default async (ctx) => ({ seen: String(ctx.inputs.notes ?? ctx.inputs.n ?? "") });\n';

/** @param {string} root */
async function triggerLatency(root) {
  const home = join(root, '.sluice');
  const embedded = await openEmbedded(home, 2);
  const { store, repos, engine } = embedded;
  const dir = join(root, 'trigger');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'step.ts'), STEP);
  await writeFile(
    join(dir, 'on-commit.yaml'),
    'name: on-commit\ninputs:\n  notes: { repo: notes, glob: "/" }\nsteps:\n  s:\n    run: ./step.ts\n    inputs: [notes]\n    outputs: [seen]\n',
  );
  await writeFile(
    join(dir, 'every-second.yaml'),
    'name: every-second\nparams:\n  n: { type: integer, default: 1 }\nsteps:\n  s:\n    run: ./step.ts\n    inputs: [n]\n    outputs: [seen]\ntriggers:\n  - cron: "* * * * * *"\n    catchup: none\n',
  );
  await repos.create('notes');
  const parts = { store, repos, engine };
  const onCommit = await registerPipeline(parts, 'create', join(dir, 'on-commit.yaml'));
  const service = new Service({ store, engine, schedule: false });
  await service.start();
  /** @type {Map<string, (time: number) => void>} */
  const waiting = new Map();
  service.events.on('event', (event) => {
    if (event.type === 'started') waiting.get(event.pipeline)?.(performance.now());
  });
  /** @param {string} pipeline @returns {Promise<number>} */
  const started = (pipeline) => new Promise((resolve) => waiting.set(pipeline, resolve));

  /** @type {number[]} */
  const commitMs = [];
  /** @type {number[]} */
  const directMs = [];
  for (let i = 0; i < 25; i += 1) {
    const commit = await repos.put(
      'notes',
      'main',
      { kind: 'bytes', data: Buffer.from(`note ${i}\n`) },
      { to: `/n${i}.txt` },
    );
    const begin = performance.now();
    const whenStarted = started('on-commit');
    if (!commit) throw new Error('the put made no commit');
    service.notifyCommits([commit]);
    commitMs.push((await whenStarted) - begin);
    await service.idle();
    const directBegin = performance.now();
    const handle = await engine.startRun(onCommit.pipeline, { params: {} });
    directMs.push(performance.now() - directBegin);
    await handle.result;
  }
  await service.stop();

  await registerPipeline(parts, 'create', join(dir, 'every-second.yaml'));
  const cron = new Service({ store, engine });
  /** @type {number[]} */
  const lateMs = [];
  cron.events.on('event', (event) => {
    if (event.type === 'queued' && event.run.trigger?.kind === 'cron') {
      const tick = Date.parse(event.run.trigger.tick);
      waiting.set('every-second', () => lateMs.push(Date.now() - tick));
    }
    if (event.type === 'started') waiting.get(event.pipeline)?.(performance.now());
  });
  await cron.start();
  await new Promise((resolve) => setTimeout(resolve, 6_500));
  await cron.stop();
  /** @type {number[]} */
  const timerLate = [];
  for (let i = 0; i < 5; i += 1) {
    const target = Math.ceil((Date.now() + 1) / 1000) * 1000;
    await new Promise((resolve) => setTimeout(resolve, target - Date.now()));
    timerLate.push(Date.now() - target);
  }
  await embedded.close();
  return {
    commitToStartedMs: { p50: quantile(commitMs, 0.5), p90: quantile(commitMs, 0.9) },
    directStartMs: { p50: quantile(directMs, 0.5), p90: quantile(directMs, 0.9) },
    cronTickToStartedMs: { p50: quantile(lateMs, 0.5), max: Math.max(...lateMs), ticks: lateMs.length },
    bareTimerLateMs: { p50: quantile(timerLate, 0.5), max: Math.max(...timerLate) },
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

/**
 * One request over the keep-alive agent; resolves with the status once the body is read.
 * @param {string} url @param {string} [body]
 * @returns {Promise<number>}
 */
function send(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: body === undefined ? 'GET' : 'POST',
        headers:
          body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends requests from CLIENTS loops for SECONDS; returns requests/s and latency quantiles.
 * @param {() => Promise<number>} makeRequest
 */
async function load(makeRequest) {
  /** @type {number[]} */
  const latencies = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const begin = performance.now();
        const status = await makeRequest();
        if (status >= 400) errors += 1;
        latencies.push(performance.now() - begin);
      }
    }),
  );
  return {
    perSecond: latencies.length / SECONDS,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    errors,
  };
}

/** @param {string} root */
async function apiThroughput(root) {
  const dir = join(root, 'api');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'step.ts'), STEP);
  await writeFile(
    join(dir, 'pipeline.yaml'),
    'name: tiny\nparams:\n  n: { type: integer, default: 1 }\nsteps:\n  s:\n    run: ./step.ts\n    inputs: [n]\n    outputs: [seen]\n',
  );
  const child = spawn(process.execPath, [BIN, 'dev', dir, '--port', '0', '--json', '--max-runs', '4'], {
    env: { ...process.env, SLUICE_HOME: join(dir, '.sluice') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  /** @type {string} */
  const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const { url } = JSON.parse(line);
  try {
    const first = /** @type {{ id: string }} */ (
      await (
        await fetch(`${url}/api/pipelines/tiny/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"params":{"n":2}}',
        })
      ).json()
    );
    const launches = await load(() => send(`${url}/api/pipelines/tiny/runs`, '{"params":{"n":2}}'));
    // Let the queue drain before measuring reads, so reads are not competing with runs.
    for (;;) {
      const queued = /** @type {unknown[]} */ (
        await (await fetch(`${url}/api/runs?status=queued&limit=1`)).json()
      );
      const running = /** @type {unknown[]} */ (
        await (await fetch(`${url}/api/runs?status=running&limit=1`)).json()
      );
      if (queued.length === 0 && running.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const reads = await load(() => send(`${url}/api/runs/${first.id}`));
    const done = /** @type {unknown[]} */ (
      await (await fetch(`${url}/api/runs?status=succeeded&limit=1000`)).json()
    );
    return { launches, reads, runsSucceeded: done.length };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function bareHttp() {
  const body = JSON.stringify({ run: { id: 'x', status: 'succeeded', params: { n: 2 } } });
  const server = createServer((request, response) => {
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  });
  // The floor runs in this process too, so it shares the client's core: a generous floor.
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  try {
    return await load(() => send(`http://127.0.0.1:${port}/`));
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

async function main() {
  const root = await mkdtemp(join(tmpdir(), 'sluice-bench-service-'));
  try {
    say(`service benchmarks (${availableParallelism()} cores)`);
    const trigger = await triggerLatency(root);
    say('trigger latency');
    say(
      `  commit -> run started:  p50 ${trigger.commitToStartedMs.p50.toFixed(1)} ms, p90 ${trigger.commitToStartedMs.p90.toFixed(1)} ms` +
        `  (floor, engine.startRun directly: p50 ${trigger.directStartMs.p50.toFixed(1)} ms; ratio ${(trigger.commitToStartedMs.p50 / trigger.directStartMs.p50).toFixed(2)}x)`,
    );
    say(
      `  cron tick -> run started: p50 ${trigger.cronTickToStartedMs.p50.toFixed(1)} ms, max ${trigger.cronTickToStartedMs.max.toFixed(1)} ms over ${trigger.cronTickToStartedMs.ticks} ticks` +
        `  (floor, a bare timer to the same second: p50 ${trigger.bareTimerLateMs.p50.toFixed(1)} ms)`,
    );
    const bare = await bareHttp();
    const api = await apiThroughput(root);
    say(
      `HTTP API, ${CLIENTS} concurrent keep-alive clients for ${SECONDS} s each, server in its own process`,
    );
    /** @param {string} name @param {{ perSecond: number; p50Ms: number; p99Ms: number; errors: number }} figures */
    const row = (name, figures) =>
      say(
        `  ${name.padEnd(34)} ${figures.perSecond.toFixed(0).padStart(6)} req/s  p50 ${figures.p50Ms.toFixed(1)} ms  p99 ${figures.p99Ms.toFixed(1)} ms${figures.errors ? `  (${figures.errors} errors)` : ''}`,
      );
    row('bare node:http, same JSON (floor)', bare);
    row('GET /api/runs/{id} (run status)', api.reads);
    row('POST /api/pipelines/tiny/runs (launch)', api.launches);
    say(
      `  ratios to the floor: status reads ${(api.reads.perSecond / bare.perSecond).toFixed(2)}x, launches ${(api.launches.perSecond / bare.perSecond).toFixed(2)}x; ${api.runsSucceeded} launched runs all ran`,
    );
    if (asJson) process.stdout.write(`${JSON.stringify({ trigger, api, bare }, null, 2)}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
