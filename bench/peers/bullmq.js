// The peers benchmark on BullMQ (Redis): a Worker in its own Node process (bullmq-worker.js)
// with one slot per core; this process adds the jobs and waits on QueueEvents.
//   1. 2,000 `noop` jobs added in bulk; done when all 2,000 completed.
//   2. `root`, whose processor adds a flow: a `gather` job with 200 `noop` children (BullMQ
//      runs the parent once every child completed); done when `gather` completed.
//   3. A flow 40 levels deep of `sleep` jobs (a child runs before its parent); done when the
//      top one completed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';
import { clearTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  PEERS_DIR,
  REDIS,
  REPO_ROOT,
  SLOTS,
  WORKLOADS,
  measurement,
  redisProblem,
  skipped,
  tail,
} from './lib.js';

const SYSTEM = 'bullmq';
const REDIS_DB = 14;
const QUEUE = 'peers';
const DEADLINE_MS = 60_000;

/** @returns {Promise<import('./lib.js').SystemResult>} */
export async function measureBullmq() {
  /** @type {typeof import('bullmq')} */
  let bullmq;
  /** @type {typeof import('ioredis').Redis} */
  let Redis;
  try {
    bullmq = await import('bullmq');
    ({ Redis } = await import('ioredis'));
  } catch (error) {
    return skipped(SYSTEM, `npm packages 'bullmq' and 'ioredis' not installed (${errorMessage(error)})`);
  }
  const problem = await redisProblem();
  if (problem) return skipped(SYSTEM, problem);

  const connection = { ...REDIS, db: REDIS_DB, maxRetriesPerRequest: null };
  const admin = new Redis(connection);
  await admin.flushdb();
  await admin.quit();

  const queue = new bullmq.Queue(QUEUE, { connection, streams: { events: { maxLen: 100_000 } } });
  const events = new bullmq.QueueEvents(QUEUE, { connection });
  const flows = new bullmq.FlowProducer({ connection });
  const tracker = completionTracker(events);
  await events.waitUntilReady();

  const started = performance.now();
  const worker = spawn(
    process.execPath,
    [join(PEERS_DIR, 'bullmq-worker.js'), QUEUE, String(SLOTS), String(REDIS_DB)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let workerErr = '';
  worker.stderr.on('data', (chunk) => (workerErr += chunk));
  try {
    await Promise.race([
      once(createInterface({ input: worker.stdout }), 'line'),
      sleep(20_000, undefined, { ref: false }).then(() =>
        Promise.reject(new Error('no "ready" within 20 s')),
      ),
      once(worker, 'exit').then(([code]) => Promise.reject(new Error(`exited with code ${code}`))),
    ]);
    const warm = await queue.add('noop', { value: -1 });
    await tracker.wait([warm.id]);
    const startupMs = performance.now() - started;

    const noop = await timed(async () => {
      const jobs = await queue.addBulk(
        Array.from({ length: WORKLOADS.noop.tasks }, (_, value) => ({ name: 'noop', data: { value } })),
      );
      await tracker.wait(jobs.map((job) => job.id));
    });
    const fan = await timed(async () => {
      const gatherId = 'fan-gather';
      await queue.add('root', { width: WORKLOADS.fan.tasks - 2, gatherId });
      await tracker.wait([gatherId]);
    });
    const chain = await timed(async () => {
      /** @type {import('bullmq').FlowJob} */
      let flow = { name: 'sleep', queueName: QUEUE };
      for (let i = 1; i < WORKLOADS.chain.tasks; i++)
        flow = { name: 'sleep', queueName: QUEUE, children: [flow] };
      const tree = await flows.add(flow);
      await tracker.wait([tree.job.id]);
    });
    const { version } = JSON.parse(
      await readFile(join(REPO_ROOT, 'node_modules/bullmq/package.json'), 'utf8'),
    );
    return {
      system: SYSTEM,
      workloads: {
        noop: measurement('noop', noop),
        fan: measurement('fan', fan),
        chain: measurement('chain', chain),
      },
      notes: [
        `bullmq ${version}: one Worker process, concurrency ${SLOTS}, Redis db ${REDIS_DB}; worker start + warm-up job (${startupMs.toFixed(0)} ms) not timed`,
      ],
      extra: { startupMs },
    };
  } catch (error) {
    return skipped(SYSTEM, `${errorMessage(error)}${workerErr ? `; worker stderr: ${tail(workerErr)}` : ''}`);
  } finally {
    worker.kill('SIGTERM');
    await Promise.race([
      once(worker, 'exit'),
      sleep(5000, undefined, { ref: false }).then(() => worker.kill('SIGKILL')),
    ]);
    await Promise.all([queue.close(), events.close(), flows.close()]);
  }
}

/**
 * Collects the ids of completed jobs from QueueEvents (whether or not someone waits yet), so
 * waiting can start after the jobs were added without missing an early completion.
 * @param {import('bullmq').QueueEvents} events
 */
function completionTracker(events) {
  /** @type {Set<string>} */
  const completed = new Set();
  /** @type {Map<string, string>} */
  const failed = new Map();
  /** @type {Set<(jobId: string) => void>} */
  const listeners = new Set();
  events.on('completed', ({ jobId }) => {
    completed.add(jobId);
    for (const listener of listeners) listener(jobId);
  });
  events.on('failed', ({ jobId, failedReason }) => {
    failed.set(jobId, failedReason);
    for (const listener of listeners) listener(jobId);
  });
  return {
    /**
     * Resolves once every job in `ids` completed; rejects on a failed one or after the deadline.
     * @param {(string | undefined)[]} ids
     */
    wait(ids) {
      const pending = new Set(ids.map(String));
      return new Promise((resolve, reject) => {
        const settle = (/** @type {string} */ id) => {
          const reason = failed.get(id);
          if (reason !== undefined && pending.has(id))
            return finish(new Error(`job ${id} failed: ${reason}`));
          if (completed.has(id)) pending.delete(id);
          if (pending.size === 0) finish();
        };
        const timer = setTimeout(
          () => finish(new Error(`${pending.size} jobs not completed within ${DEADLINE_MS} ms`)),
          DEADLINE_MS,
        );
        /** @param {Error} [error] */
        const finish = (error) => {
          listeners.delete(settle);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(undefined);
        };
        listeners.add(settle);
        for (const id of [...pending]) settle(id);
        if (pending.size === 0) finish();
      });
    },
  };
}

/** @param {() => Promise<void>} fn */
async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** @param {unknown} error */
function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
}
