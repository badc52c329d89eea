/**
 * `sluice batches ...`: random training batches of a repo's datapoints, loaded by worker
 * processes over topics.
 * - `read`: prints each batch (shapes, datapoints) — to look at a session, or script one;
 * - `exec -- PROGRAM...`: runs a program (a Python trainer) that reads the batches from the
 *   socket named by `SLUICE_BATCHES_SOCKET` (`python/sluice_batches.py` reads it);
 * - `loader`: a loader process; forked by a session, or started on another machine with
 *   topics in NATS (`SLUICE_NATS_URL`) to add loaders to a session by its `--name`.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { openBatches, type Batch, type BatchesOptions, type SessionSummary } from '../../batches/client.js';
import { runLoader } from '../../batches/loader.js';
import { writeBatchFrames } from '../../batches/frames.js';
import { openRemoteBatches } from '../../batches/remote.js';
import { LockHeldError } from '../../store/index.js';
import { SluiceError } from '../../core/index.js';
import { openLocalObjectStore } from '../../data/index.js';
import { openNatsTopics } from '../../streams/index.js';
import type { CliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { integerFlag } from '../flags.js';
import type { Io } from '../io.js';
import { openLocalWorkspace } from '../workspace.js';

/** The folder holding `sluice_batches.py`, put on a program's PYTHONPATH. */
const PYTHON_DIR = fileURLToPath(new URL('../../../python', import.meta.url));

export interface BatchFlags {
  repo: string;
  ref?: string;
  path?: string;
  suffix?: string;
  size?: string;
  epochs?: string;
  seed?: string;
  prefetch?: string;
  loaders?: string;
  dropLast?: boolean;
  name?: string;
  ackWait?: string;
}

function sessionOptions(flags: BatchFlags, io: Io): BatchesOptions {
  const options: BatchesOptions = { repo: flags.repo, onLog: (line) => io.err(`${line}\n`) };
  if (flags.ref !== undefined) options.ref = flags.ref;
  if (flags.path !== undefined) options.path = flags.path;
  if (flags.suffix !== undefined) options.suffix = flags.suffix;
  if (flags.name !== undefined) options.name = flags.name;
  if (flags.dropLast) options.dropLast = true;
  const numbers: [keyof BatchesOptions, string, string | undefined, number][] = [
    ['size', 'size', flags.size, 1],
    ['epochs', 'epochs', flags.epochs, 1],
    ['seed', 'seed', flags.seed, 0],
    ['prefetch', 'prefetch', flags.prefetch, 1],
    ['loaders', 'loaders', flags.loaders, 0],
    ['ackWaitMs', 'ack-wait-ms', flags.ackWait, 1],
  ];
  for (const [key, flag, value, minimum] of numbers) {
    const number = integerFlag(`--${flag}`, value, minimum);
    if (number !== undefined) (options as unknown as Record<string, number>)[key] = number;
  }
  return options;
}

function describe(session: SessionSummary): string {
  return `${session.count} datapoints of ${session.repo}@${session.commit} under ${session.prefix}: ${session.perEpoch} batches of ${session.size} per epoch, ${session.epochs} epoch(s), seed ${session.seed}, session ${session.name}`;
}

function shapes(batch: Batch): string {
  return Object.entries(batch.arrays)
    .map(([name, array]) => `${name} ${array.dtype} [${array.shape.join(',')}]`)
    .join(', ');
}

/** A session as a command sees it: local (this process owns the data directory) or the owner's. */
interface SessionView {
  description: string;
  batches: AsyncIterable<Batch>;
  restarts(): number;
}

/**
 * Runs `fn` with a session on the data directory: opened here when the directory is free, or
 * by its owner (a run, a server) over the owner's control socket when one holds it.
 */
async function withSession<T>(
  flags: BatchFlags,
  config: CliConfig,
  io: Io,
  command: string,
  fn: (session: SessionView) => Promise<T>,
): Promise<T> {
  const options = sessionOptions(flags, io);
  let workspace;
  try {
    workspace = await openLocalWorkspace(config, command);
  } catch (error) {
    const socket = error instanceof LockHeldError ? (error.info as { socket?: unknown }).socket : undefined;
    if (typeof socket !== 'string') throw error;
    const { onLog: _onLog, ...remoteOptions } = options;
    const remote = await openRemoteBatches(socket, remoteOptions);
    try {
      const { session } = remote;
      return await fn({
        description: `${describe(session)} (in process ${String(error instanceof LockHeldError ? error.info.pid : '?')})`,
        batches: remote.batches,
        restarts: () => 0,
      });
    } finally {
      remote.close();
    }
  }
  try {
    const session = await openBatches(
      { ...workspace, objectsDir: join(config.home, 'objects'), spoolDir: config.scratchDir },
      options,
    );
    try {
      return await fn({
        description: describe(session.summary()),
        batches: session,
        restarts: () => session.stats.loaderRestarts,
      });
    } finally {
      await session.close();
    }
  } finally {
    await workspace.close();
  }
}

/** `sluice batches read`: prints every batch of a session (or the first `--limit`). */
export async function batchesRead(
  flags: BatchFlags & { limit?: string; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const limit = integerFlag('--limit', flags.limit, 1);
  return withSession(flags, config, io, 'sluice batches read', async (session) => {
    io.err(`${session.description}\n`);
    const started = performance.now();
    let count = 0;
    for await (const batch of session.batches) {
      count += 1;
      if (flags.json)
        io.out(
          `${JSON.stringify({
            epoch: batch.epoch,
            index: batch.index,
            paths: batch.paths,
            ordinals: batch.ordinals,
            arrays: Object.fromEntries(
              Object.entries(batch.arrays).map(([name, array]) => [
                name,
                { dtype: array.dtype, shape: array.shape },
              ]),
            ),
          })}\n`,
        );
      else io.out(`epoch ${batch.epoch} batch ${batch.index}: ${shapes(batch)}  ${batch.paths.join(' ')}\n`);
      if (!flags.json && count % 100 === 0) io.err(`${count} batches\n`);
      if (limit !== undefined && count >= limit) break;
    }
    const seconds = (performance.now() - started) / 1000;
    io.err(
      `${count} batches in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(1)}/s); ${session.restarts()} loader restarts\n`,
    );
    return EXIT.ok;
  });
}

/** `sluice batches exec -- PROGRAM...`: serves a session's batches to a program over a Unix socket. */
export async function batchesExec(
  program: string[],
  flags: BatchFlags,
  config: CliConfig,
  io: Io,
): Promise<number> {
  if (program.length === 0) throw new SluiceError('USAGE', 'name the program to run after --');
  return withSession(flags, config, io, 'sluice batches exec', async (session) => {
    io.err(`${session.description}\n`);
    const socketPath = join(tmpdir(), `sluice-batches-${randomBytes(6).toString('hex')}.sock`);
    let served = 0;
    let serving: Promise<void> = Promise.resolve();
    const server = createServer((socket) => {
      // One reader gets the session; a second connection is told so and closed.
      if (served++ > 0) {
        socket.end();
        return;
      }
      serving = (async () => {
        try {
          await writeBatchFrames(session.batches, socket);
          socket.end();
        } catch (error) {
          if (!socket.destroyed) io.err(`batches: ${(error as Error).message}\n`);
          socket.destroy();
        }
      })();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, resolve);
    });
    try {
      const env = {
        ...io.env,
        SLUICE_BATCHES_SOCKET: socketPath,
        PYTHONPATH: [PYTHON_DIR, io.env.PYTHONPATH].filter(Boolean).join(delimiter),
      };
      const child = spawn(program[0]!, program.slice(1), { cwd: io.cwd, env, stdio: 'inherit' });
      const code = await new Promise<number>((resolve, reject) => {
        child.once('error', (error) =>
          reject(new SluiceError('USAGE', `cannot run ${program[0]}: ${error.message}`, { cause: error })),
        );
        child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
      });
      await serving;
      return code;
    } finally {
      server.close();
      await rm(socketPath, { force: true });
    }
  });
}

/**
 * `sluice batches loader --name N`: loads a session's batch requests until stopped, on any
 * machine that reaches the session's topics in NATS and its object store. (Loaders a session
 * forks itself run `batches/loader-process.js`.)
 */
export async function batchesLoader(
  flags: { name: string; objects?: string; concurrency?: string },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const concurrency = integerFlag('--concurrency', flags.concurrency, 1) ?? 2;
  const objects = openLocalObjectStore(flags.objects ?? join(config.home, 'objects'));
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    if (!config.natsUrl)
      throw new SluiceError(
        'USAGE',
        'a loader outside the session process reaches its topics in NATS: set SLUICE_NATS_URL (embedded topics are reachable only by loaders the session forks)',
      );
    const topics = await openNatsTopics({ url: config.natsUrl });
    try {
      io.err(`loading batches of session ${flags.name}; stop with Ctrl-C\n`);
      // A session may not have started yet, or ends and starts again under the same name.
      while (!stop.signal.aborted) {
        const exists = await topics.get(`${flags.name}.requests`).then(
          () => true,
          () => false,
        );
        if (exists) {
          const loaded = await runLoader({
            topics,
            objects,
            name: flags.name,
            concurrency,
            signal: stop.signal,
          });
          io.err(`${loaded} batches loaded\n`);
        } else await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      return EXIT.ok;
    } finally {
      await topics.close();
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
