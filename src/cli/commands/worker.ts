/**
 * `sluice worker`: executes attempts queued by cluster schedulers (`SLUICE_DATABASE_URL`)
 * until SIGTERM or SIGINT, then stops claiming and lets running attempts finish.
 * `sluice workers` lists the workers seen recently.
 */
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError, formatDuration } from '../../core/index.js';
import { parseDuration } from '../../spec/index.js';
import { createCommandRuntime, createTsRuntime } from '../../runtime/index.js';
import { ClusterWorker, FAULT_POINTS, type FaultPoint } from '../../cluster/index.js';
import { pc } from '../colors.js';
import type { CliConfig } from '../config.js';
import { openClusterParts } from '../cluster-workspace.js';
import { EXIT } from '../exit-codes.js';
import { json, stopSignal, type Io } from '../io.js';

/** Sluice's Python helpers, put on command steps' PYTHONPATH. */
const PYTHON_DIR = fileURLToPath(new URL('../../../python', import.meta.url));

export interface WorkerCommandOptions {
  concurrency?: string;
  grace?: string;
  json?: boolean;
}

/** Runs a worker until a signal; resolves with the exit code. */
export async function workerCommand(
  options: WorkerCommandOptions,
  config: CliConfig,
  io: Io,
): Promise<number> {
  if (!config.databaseUrl) {
    throw new SluiceError(
      'USAGE',
      'sluice worker executes attempts of a cluster: set SLUICE_DATABASE_URL=postgres://... (the scheduler`s database)',
    );
  }
  const concurrency =
    options.concurrency === undefined ? availableParallelism() * 2 : Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new SluiceError('USAGE', `--concurrency: expected an integer >= 1, found '${options.concurrency}'`);
  }
  const graceMs = parseDuration(options.grace ?? '30s');
  const fault = io.env.SLUICE_FAULT_POINT;
  if (fault !== undefined && !(FAULT_POINTS as readonly string[]).includes(fault)) {
    throw new SluiceError(
      'USAGE',
      `SLUICE_FAULT_POINT: expected one of ${FAULT_POINTS.join(', ')}, found '${fault}'`,
    );
  }
  const parts = await openClusterParts(config, `worker-${process.pid}.log`);
  const { objects, tracking, logger } = parts;
  const env = { PYTHONPATH: [PYTHON_DIR, io.env.PYTHONPATH].filter(Boolean).join(delimiter) };
  const worker = new ClusterWorker({
    queries: parts.dispatch,
    databaseUrl: config.databaseUrl,
    tracking,
    runtimes: {
      ts: createTsRuntime({ objects, maxWorkers: concurrency }),
      command: createCommandRuntime({ objects, env: { ...io.env, ...env } }),
    },
    concurrency,
    scratchDir: join(config.scratchDir, `worker-${process.pid}`),
    leaseMs: config.leaseMs,
    logger,
    ...(fault ? { faultPoint: fault as FaultPoint } : {}),
    onAttempt: (event) => {
      if (options.json) {
        const { id, runId, step, datum, attempt, fence } = event.lease;
        io.out(jsonLine({ event: event.type, lease: id, fence, runId, step, datum, attempt }));
      } else if (event.type === 'rejected' || event.type === 'lost') {
        io.err(
          `${pc.yellow('!')} lease ${event.lease.id} (${event.lease.step}${event.lease.datum ? `:${event.lease.datum}` : ''}) ${event.type === 'lost' ? 'lost during the attempt' : 'expired before the commit'}: its result was discarded; another worker owns the attempt\n`,
        );
      }
    },
  });
  try {
    await worker.start();
    if (options.json) io.out(jsonLine({ event: 'ready', worker: worker.id, pid: process.pid, concurrency }));
    else {
      io.err(
        `${pc.green('✓')} worker ${worker.id} executing up to ${concurrency} attempts at once (lease ${formatDuration(config.leaseMs)}); stop with Ctrl-C\n`,
      );
    }
    const status = options.json
      ? undefined
      : setInterval(() => {
          const { done, rejected, active } = worker.counts;
          io.err(
            `${new Date().toISOString().slice(11, 19)} ${active} running, ${done} done, ${rejected} refused\n`,
          );
        }, 10_000);
    status?.unref();
    const signal = await stopSignal();
    clearInterval(status);
    if (!options.json)
      io.err(`${signal}: stopping; running attempts get ${formatDuration(graceMs)} to finish\n`);
    await worker.stop(graceMs);
    const { done, rejected } = worker.counts;
    if (options.json) io.out(jsonLine({ event: 'stopped', done, rejected }));
    else io.err(`stopped after ${done} attempts (${rejected} refused)\n`);
    return EXIT.ok;
  } finally {
    await parts.close();
  }
}

/** `sluice workers`: the workers that heartbeat within the last minute. */
export async function workersCommand(
  options: { json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  if (!config.databaseUrl) {
    throw new SluiceError(
      'USAGE',
      'sluice workers lists a cluster`s workers: set SLUICE_DATABASE_URL=postgres://...',
    );
  }
  const parts = await openClusterParts(config, 'engine.log');
  try {
    const workers = await parts.dispatch.listWorkers(60_000);
    if (options.json) {
      io.out(json({ workers }));
      return EXIT.ok;
    }
    if (workers.length === 0) io.err('no worker heartbeat within the last minute\n');
    for (const worker of workers) {
      const state = worker.stoppedAt ? pc.dim('stopped') : pc.green('live');
      io.out(
        `${worker.id}  ${state}  ${worker.leases}/${worker.concurrency} leases  ${worker.done} done  ${worker.rejected} refused  last seen ${worker.heartbeatAt.toISOString()}\n`,
      );
    }
    return EXIT.ok;
  } finally {
    await parts.close();
  }
}

/** One JSON object per line: the worker's `--json` output is a stream of events. */
function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
