/**
 * Training batches: random batches of datapoints, loaded by separate worker processes.
 *
 * A session samples the datapoint files (`*.arrays`) of one repo commit under a path. The
 * commit's files are numbered once in the store (a batch index); each epoch is a seeded
 * pseudorandom permutation of those numbers, cut into batches, so sampling is uniform
 * without replacement within an epoch, reproducible from the seed, and never holds the
 * file list in memory. The session produces a request per batch to `<name>.requests`;
 * loader processes (forked here, or `sluice batches loader` elsewhere) stack the batch and
 * announce it on `<name>.ready`; the session yields batches in order. At most `prefetch`
 * batches are requested beyond the one the caller holds: loaders never run further ahead.
 *
 * @example
 * for await (const batch of batches(workspace, { repo: 'cardiac-mri', path: '/datapoints', size: 8 })) {
 *   const { image, mask } = batch.arrays; // float32 [8,H,W], uint8 [8,H,W]
 * }
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { accessSync, constants, readFileSync, unlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../core/index.js';
import type { ObjectStore, Repos } from '../data/index.js';
import type { SqlClient } from '../store/sql-client.js';
import { batchIndexEntries, ensureBatchIndex, type BatchIndexRecord } from '../store/sql/batch-indexes.js';
import { messageValue } from '../streams/codec.js';
import { serveTopicsTo } from '../streams/ipc.js';
import { TOPIC_NAME, type Consumer, type Delivery, type Topics } from '../streams/topics.js';
import { decodeArrays, type NdArray } from './arrays.js';
import {
  batchId,
  LOADER_GROUP,
  readyTopic,
  requestsTopic,
  SPOOL_NAME,
  type BatchReady,
  type BatchRequest,
} from './loader.js';
import { Permutation } from './permutation.js';

/** What a session needs: a workspace has all of it. */
export interface BatchSource {
  store: { sql: SqlClient };
  repos: Repos;
  objects: ObjectStore;
  topics: Topics;
  /** The local object store's folder, which forked loaders open (required when `loaders` > 0). */
  objectsDir?: string;
  /**
   * Where forked loaders hand batches over as files (a session folder is made inside and
   * removed at the end); default: the system's temporary folder. Memory-backed (`/dev/shm`)
   * is best.
   */
  spoolDir?: string;
}

export interface BatchesOptions {
  /** The repo holding the datapoints (e.g. a pipeline's output repo). */
  repo: string;
  /** A branch or commit (default `main`). */
  ref?: string;
  /** Only files under this path (default `/`). */
  path?: string;
  /** Only files ending so (default `.arrays`). */
  suffix?: string;
  /** Datapoints per batch (default 8). */
  size?: number;
  /** Passes over the datapoints (default 1). */
  epochs?: number;
  /** Fixes the order; default: random (see {@link BatchSession.seed}). */
  seed?: number;
  /** Leave out each epoch's last batch when it is short (default false). */
  dropLast?: boolean;
  /** Batches requested ahead of the one being used (default 4). */
  prefetch?: number;
  /** Loader processes forked by the session (default 2); 0: only loaders started elsewhere. */
  loaders?: number;
  /** Session name, naming its topics (default `batches-<random>`). */
  name?: string;
  /** How long a request waits for its loader before another loader gets it (default 10 s). */
  ackWaitMs?: number;
  /** Give up when no batch came for this long (default 120 s). */
  timeoutMs?: number;
  /** Loader lifecycle lines (a forked loader died and was replaced). */
  onLog?: (line: string) => void;
}

/** What a session samples and how: sent to readers in other processes, and printed. */
export interface SessionSummary {
  name: string;
  seed: number;
  size: number;
  epochs: number;
  perEpoch: number;
  /** Datapoints in the index. */
  count: number;
  repo: string;
  commit: string;
  prefix: string;
}

/** One batch: every datapoint array stacked, `[n, ...shape]`. */
export interface Batch {
  epoch: number;
  /** The batch's number within its epoch. */
  index: number;
  /** The datapoints' paths, in batch order. */
  paths: string[];
  /** The datapoints' numbers in the batch index. */
  ordinals: number[];
  /** The datapoints' own metadata, in batch order. */
  meta: Record<string, unknown>[];
  arrays: Record<string, NdArray>;
}

// NOTE: running from sources (tests), Node cannot run a .ts entry: fork the build's.
const LOADER_ENTRY = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts') ? '../../dist/batches/loader-process.js' : './loader-process.js',
    import.meta.url,
  ),
);
/** A forked loader that keeps dying is not restarted forever. */
const MAX_RESTARTS = 10;

function positiveInteger(value: number | undefined, fallback: number, what: string, min = 1): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < min)
    throw new SluiceError('USAGE', `batches: ${what} must be an integer ≥ ${min}, got ${String(value)}`);
  return result;
}

/** Memory-backed when the machine has it: a spooled batch is written once and read once. */
function defaultSpool(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Opens a batch session; iterate it with `for await`, and close it (iteration's end closes it too). */
export async function openBatches(source: BatchSource, options: BatchesOptions): Promise<BatchSession> {
  const session = new BatchSession(source, options);
  await session.start();
  return session;
}

/** Batches as an async iterable: opens the session on first use and closes it at the end. */
export function batches(source: BatchSource, options: BatchesOptions): AsyncIterable<Batch> {
  return {
    async *[Symbol.asyncIterator]() {
      const session = await openBatches(source, options);
      try {
        yield* session;
      } finally {
        await session.close();
      }
    },
  };
}

export class BatchSession implements AsyncIterable<Batch> {
  readonly name: string;
  readonly seed: number;
  readonly size: number;
  readonly epochs: number;
  /** Set by `start`: the sampled index (its commit and datapoint count). */
  index!: BatchIndexRecord;
  /** Batches per epoch. */
  perEpoch = 0;
  readonly stats = { requested: 0, delivered: 0, duplicates: 0, loaderRestarts: 0 };

  readonly #source: BatchSource;
  readonly #options: BatchesOptions;
  readonly #prefetch: number;
  readonly #loaderCount: number;
  readonly #timeoutMs: number;
  readonly #permutations = new Map<number, Permutation>();
  readonly #loaders = new Set<ChildProcess>();
  readonly #stopServing = new Map<ChildProcess, () => Promise<void>>();
  #ready: Consumer | undefined;
  #spool: string | undefined;
  #closed = false;
  #restarts = 0;
  #loaderError: string | undefined;

  constructor(source: BatchSource, options: BatchesOptions) {
    this.#source = source;
    this.#options = options;
    this.size = positiveInteger(options.size, 8, 'size');
    this.epochs = positiveInteger(options.epochs, 1, 'epochs');
    this.#prefetch = positiveInteger(options.prefetch, 4, 'prefetch');
    this.#loaderCount = positiveInteger(options.loaders, 2, 'loaders', 0);
    this.#timeoutMs = positiveInteger(options.timeoutMs, 120_000, 'timeoutMs');
    this.seed = options.seed ?? randomInt(0, 2 ** 31);
    if (!Number.isSafeInteger(this.seed))
      throw new SluiceError('USAGE', `batches: seed must be an integer, got ${this.seed}`);
    this.name = options.name ?? `batches-${randomBytes(4).toString('hex')}`;
    if (!TOPIC_NAME.test(`${this.name}.requests`))
      throw new SluiceError(
        'USAGE',
        `batches: name '${this.name}' must be lowercase letters, digits, '.', '_' or '-'`,
      );
    if (this.#loaderCount > 0 && !source.objectsDir)
      throw new SluiceError('USAGE', 'batches: forked loaders need the object store folder (objectsDir)');
  }

  /** Numbers the datapoints (once per commit), creates the session's topics and forks the loaders. */
  async start(): Promise<void> {
    const { repos, store, topics } = this.#source;
    const commit = await repos.resolveCommit(this.#options.repo, this.#options.ref);
    const prefix = this.#options.path ?? '/';
    const suffix = this.#options.suffix ?? '.arrays';
    this.index = await ensureBatchIndex(store.sql, commit, prefix, suffix);
    if (this.index.count === 0)
      throw new SluiceError(
        'BATCHES_FAILED',
        `commit ${commit.id} of repo '${commit.repo}' has no '*${suffix}' files under ${prefix}`,
      );
    this.perEpoch = this.#options.dropLast
      ? Math.floor(this.index.count / this.size)
      : Math.ceil(this.index.count / this.size);
    if (this.perEpoch === 0)
      throw new SluiceError(
        'BATCHES_FAILED',
        `${this.index.count} datapoints make no full batch of ${this.size} (dropLast is set)`,
      );
    // A session name reused after a crash starts clean: stale requests would be loaded twice.
    for (const topic of [requestsTopic(this.name), readyTopic(this.name)])
      await topics.delete(topic).catch(() => undefined);
    await topics.create(requestsTopic(this.name), {
      ackWaitMs: this.#options.ackWaitMs ?? 10_000,
      maxDeliveries: 100,
      deadLetter: null,
    });
    await topics.create(readyTopic(this.name), { deadLetter: null });
    this.#ready = await topics.consumer(readyTopic(this.name), 'session');
    if (this.#loaderCount > 0) {
      const base = this.#source.spoolDir ?? defaultSpool();
      await mkdir(base, { recursive: true });
      this.#spool = await mkdtemp(join(base, `${this.name}-`));
    }
    // Loaders started elsewhere join the same group; make it exist from the first request.
    await (await topics.consumer(requestsTopic(this.name), LOADER_GROUP)).close();
    for (let slot = 0; slot < this.#loaderCount; slot++) this.#fork();
  }

  summary(): SessionSummary {
    return {
      name: this.name,
      seed: this.seed,
      size: this.size,
      epochs: this.epochs,
      perEpoch: this.perEpoch,
      count: this.index.count,
      repo: this.index.repo,
      commit: this.index.commitId,
      prefix: this.index.prefix,
    };
  }

  /** The forked loader processes' pids (tests kill one). */
  loaderPids(): number[] {
    return [...this.#loaders].map((child) => child.pid!).filter((pid) => pid !== undefined);
  }

  #fork(): void {
    const child = fork(LOADER_ENTRY, [this.name, this.#source.objectsDir!, this.#spool!], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    // A loader that cannot be started or signalled says so here; its exit (if any) restarts it.
    child.on('error', (error) => {
      stderr = `${stderr}\n${error.message}`.slice(-2000);
    });
    this.#loaders.add(child);
    this.#stopServing.set(child, serveTopicsTo(child, this.#source.topics));
    child.once('exit', (code, signal) => {
      this.#loaders.delete(child);
      this.#stopServing.delete(child);
      if (this.#closed) return;
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      if (this.#restarts >= MAX_RESTARTS) {
        this.#loaderError = `loader ${child.pid} ${how}; loaders died ${this.#restarts} times, not restarting${stderr ? `: ${stderr.trim()}` : ''}`;
        return;
      }
      this.#restarts += 1;
      this.stats.loaderRestarts += 1;
      this.#options.onLog?.(`loader ${child.pid} ${how}; its requests go to other loaders, starting another`);
      this.#fork();
    });
  }

  #permutation(epoch: number): Permutation {
    let permutation = this.#permutations.get(epoch);
    if (!permutation) {
      permutation = new Permutation(this.index.count, this.seed, epoch);
      this.#permutations.clear();
      this.#permutations.set(epoch, permutation);
    }
    return permutation;
  }

  /** Produces requests for batches `from..to-1` (global numbers across epochs). */
  async #request(from: number, to: number): Promise<void> {
    if (from >= to) return;
    const requests: BatchRequest[] = [];
    const ordinals: number[] = [];
    for (let number = from; number < to; number++) {
      const epoch = Math.floor(number / this.perEpoch);
      const index = number % this.perEpoch;
      const permutation = this.#permutation(epoch);
      const start = index * this.size;
      const end = Math.min(start + this.size, this.index.count);
      const batchOrdinals = Array.from({ length: end - start }, (_, offset) =>
        permutation.at(start + offset),
      );
      ordinals.push(...batchOrdinals);
      requests.push({
        epoch,
        index,
        items: batchOrdinals.map((ordinal) => ({ ordinal, path: '', hash: '' })),
      });
    }
    const entries = await batchIndexEntries(this.#source.store.sql, this.index.id, ordinals);
    let next = 0;
    for (const request of requests)
      request.items = request.items.map(() => {
        const entry = entries[next++]!;
        return { ordinal: entry.ordinal, path: entry.path, hash: entry.hash };
      });
    await this.#source.topics.produce(
      requestsTopic(this.name),
      requests.map((request) => ({
        id: batchId(this.name, request.epoch, request.index),
        key: `${request.epoch}/${request.index}`,
        value: request,
      })),
    );
    this.stats.requested += requests.length;
  }

  /** A batch's bytes, from the spool or the object store, removed from there once read. */
  async #take(ready: BatchReady, label: string): Promise<Uint8Array> {
    if (ready.file !== undefined && this.#spool && SPOOL_NAME.test(ready.file)) {
      const path = join(this.#spool, ready.file);
      // NOTE: synchronous on purpose: a whole-file read of a few MB from the (memory-backed)
      // spool takes ~0.5 ms this way and ~2 ms through the thread pool's chunked reads.
      const bytes = readFileSync(path);
      unlinkSync(path);
      return bytes;
    }
    if (ready.hash !== undefined) {
      const bytes = await this.#source.objects.get(ready.hash);
      await this.#source.objects.delete(ready.hash);
      return bytes;
    }
    throw new SluiceError('BATCHES_FAILED', `${label} could not be loaded: ${ready.error ?? 'no data'}`);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    const ready = this.#ready;
    if (!ready) throw new SluiceError('USAGE', 'batches: start the session before iterating it');
    const total = this.epochs * this.perEpoch;
    const arrived = new Map<number, { delivery: Delivery; ready: BatchReady }>();
    let requested = 0;
    // Acks wait for the next fetch: one round trip acks every batch taken since.
    let toAck: Delivery[] = [];
    const flushAcks = async (): Promise<void> => {
      if (toAck.length === 0) return;
      const acking = toAck;
      toAck = [];
      await ready.ack(acking);
    };
    // Requests go out in chunks, refilled to `prefetch` ahead once half of them are taken, in
    // the background: the caller never waits for a produce.
    let requesting: Promise<void> = Promise.resolve();
    let requestFailure: unknown;
    const topUp = (taken: number): void => {
      if (requested - taken > Math.floor(this.#prefetch / 2)) return;
      const from = requested;
      const want = Math.min(total, taken + 1 + this.#prefetch);
      if (want <= from) return;
      requested = want;
      requesting = requesting
        .then(() => this.#request(from, want))
        .catch((error: unknown) => {
          requestFailure ??= error;
        });
    };
    try {
      for (let taken = 0; taken < total; taken++) {
        topUp(taken);
        let waitingSince = Date.now();
        while (!arrived.has(taken)) {
          if (requestFailure !== undefined) throw requestFailure;
          if (this.#loaderError) throw new SluiceError('BATCHES_FAILED', this.#loaderError);
          if (Date.now() - waitingSince > this.#timeoutMs)
            throw new SluiceError(
              'BATCHES_FAILED',
              `no batch came for ${Math.round(this.#timeoutMs / 1000)} s while waiting for batch ${Math.floor(taken / this.perEpoch)}/${taken % this.perEpoch}; ${this.#loaders.size} forked loaders running (session '${this.name}')`,
            );
          await flushAcks();
          for (const delivery of await ready.fetch({ max: this.#prefetch + 1, expiresMs: 500 })) {
            const value = messageValue(delivery) as BatchReady;
            const number = value.epoch * this.perEpoch + value.index;
            if (number < taken || arrived.has(number)) {
              this.stats.duplicates += 1;
              toAck.push(delivery);
              continue;
            }
            arrived.set(number, { delivery, ready: value });
            waitingSince = Date.now();
          }
        }
        const { delivery, ready: value } = arrived.get(taken)!;
        arrived.delete(taken);
        const label = `batch ${value.epoch}/${value.index}`;
        const bundle = decodeArrays(await this.#take(value, label), label);
        toAck.push(delivery);
        const items = (bundle.meta.items ?? []) as {
          ordinal: number;
          path: string;
          meta?: Record<string, unknown>;
        }[];
        this.stats.delivered += 1;
        topUp(taken + 1);
        yield {
          epoch: value.epoch,
          index: value.index,
          paths: items.map((item) => item.path),
          ordinals: items.map((item) => item.ordinal),
          meta: items.map((item) => item.meta ?? {}),
          arrays: bundle.arrays,
        };
      }
    } finally {
      await requesting;
      await flushAcks().catch(() => undefined);
    }
  }

  /** Stops the loaders and deletes the session's topics. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const exits = [...this.#loaders].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
    await Promise.all([...this.#stopServing.values()].map((stop) => stop()));
    await this.#ready?.close().catch(() => undefined);
    // Batches loaded but never taken (the caller stopped early) are removed with the session.
    const announced = await this.#source.topics
      .read(readyTopic(this.name), { limit: 100_000 })
      .catch(() => []);
    for (const message of announced) {
      const { hash } = messageValue(message) as BatchReady;
      if (hash) await this.#source.objects.delete(hash);
    }
    for (const topic of [requestsTopic(this.name), readyTopic(this.name)])
      await this.#source.topics.delete(topic).catch(() => undefined);
    if (this.#spool) await rm(this.#spool, { recursive: true, force: true });
  }
}
