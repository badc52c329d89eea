/**
 * A batch loader: takes batch requests from `<name>.requests` (consumer group `loaders`),
 * reads the requested datapoints from the object store, stacks their arrays into one batch
 * bundle, stores it, announces it on `<name>.ready`, and only then acks the request. A
 * loader killed at any point leaves its request un-acked: it is redelivered to another
 * loader after the ack deadline. Announcements carry the request's id as their idempotent
 * id, so a request loaded twice is announced once.
 */
import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from '../data/index.js';
import { SluiceError } from '../core/index.js';
import type { ChildTopics } from '../streams/ipc.js';
import { messageValue } from '../streams/codec.js';
import type { Delivery } from '../streams/topics.js';
import { decodeArrays, DTYPES, encodeArrays, type NdArray } from './arrays.js';

/** The consumer group loaders share. */
export const LOADER_GROUP = 'loaders';

export const requestsTopic = (name: string): string => `${name}.requests`;
export const readyTopic = (name: string): string => `${name}.ready`;

/** One datapoint of a request. */
export interface RequestItem {
  ordinal: number;
  path: string;
  hash: string;
}

/** A batch request, as produced by the client. */
export interface BatchRequest {
  epoch: number;
  index: number;
  items: RequestItem[];
}

/** A loaded batch (or why it could not be loaded), as announced by a loader. */
export interface BatchReady {
  epoch: number;
  index: number;
  /** The batch bundle's file in the session's spool folder (loaders the session forked). */
  file?: string;
  /** The batch bundle in the object store (loaders elsewhere). */
  hash?: string;
  /** Why there is no batch. */
  error?: string;
}

/** The spool file name of a batch: nothing else is read from the spool folder. */
export const spoolName = (epoch: number, index: number): string => `${epoch}-${index}.arrays`;
export const SPOOL_NAME = /^\d+-\d+\.arrays$/;

/** The idempotent id of batch `index` of `epoch`. */
export const batchId = (name: string, epoch: number, index: number): string => `${name}/${epoch}/${index}`;

/** Reads and stacks the datapoints of a request into one bundle: arrays [n, ...datapoint shape]. */
export async function assembleBatch(objects: ObjectStore, request: BatchRequest): Promise<Uint8Array> {
  const datapoints = await Promise.all(
    request.items.map(async (item) => decodeArrays(await objects.get(item.hash), item.path)),
  );
  const first = datapoints[0];
  if (!first) throw new SluiceError('BATCHES_FAILED', 'a batch request names no datapoints');
  const arrays: Record<string, NdArray> = {};
  for (const [name, array] of Object.entries(first.arrays)) {
    const per = array.data.length;
    const data = new DTYPES[array.dtype](per * datapoints.length);
    datapoints.forEach((datapoint, position) => {
      const other = datapoint.arrays[name];
      const path = request.items[position]!.path;
      if (!other)
        throw new SluiceError(
          'BATCHES_FAILED',
          `${path} has no array '${name}' (${request.items[0]!.path} has)`,
        );
      if (other.dtype !== array.dtype || other.shape.join(',') !== array.shape.join(','))
        throw new SluiceError(
          'BATCHES_FAILED',
          `${path}: array '${name}' is ${other.dtype} [${other.shape.join(',')}], but ${request.items[0]!.path} has ${array.dtype} [${array.shape.join(',')}]; a batch stacks arrays of one shape`,
        );
      data.set(other.data as never, position * per);
    });
    arrays[name] = { dtype: array.dtype, shape: [datapoints.length, ...array.shape], data };
  }
  return encodeArrays({
    meta: {
      epoch: request.epoch,
      index: request.index,
      items: request.items.map((item, position) => ({ ...item, meta: datapoints[position]!.meta })),
    },
    arrays,
  });
}

export interface LoaderOptions {
  topics: ChildTopics;
  objects: ObjectStore;
  /**
   * A folder the session reads (it forked this loader): batches are handed over as files
   * there, which is much cheaper than storing them durably. Without it, the object store.
   */
  spool?: string;
  /** The session name: topics `<name>.requests` and `<name>.ready`. */
  name: string;
  /** Requests loaded at once (default 2). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called after each request is acked (tests, progress). */
  onLoaded?: (request: BatchRequest) => void;
}

/** Writes a batch into the spool: complete under its final name, or not at all. */
async function spoolBatch(spool: string, request: BatchRequest, bytes: Uint8Array): Promise<string> {
  const name = spoolName(request.epoch, request.index);
  const temp = join(spool, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}`);
  // NOTE: no fsync: a spooled batch lives seconds, and a machine crash ends its session anyway.
  await writeFile(temp, bytes);
  await rename(temp, join(spool, name));
  return name;
}

/** Loads requests until `signal` aborts or the session's topics are deleted; resolves to the count loaded. */
export async function runLoader(options: LoaderOptions): Promise<number> {
  const { topics, objects, name } = options;
  const consumer = await topics.consumer(requestsTopic(name), LOADER_GROUP);
  const concurrency = options.concurrency ?? 2;
  let loaded = 0;
  const load = async (delivery: Delivery): Promise<BatchReady> => {
    const request = messageValue(delivery) as BatchRequest;
    const ready: BatchReady = { epoch: request.epoch, index: request.index };
    try {
      const bytes = await assembleBatch(objects, request);
      if (options.spool) ready.file = await spoolBatch(options.spool, request, bytes);
      else ready.hash = await objects.put(bytes);
    } catch (error) {
      ready.error = error instanceof Error ? error.message : String(error);
    }
    return ready;
  };
  try {
    while (!options.signal?.aborted) {
      let deliveries: Delivery[];
      try {
        // Several requests per round trip: one fetch, one produce and one ack for all of them.
        deliveries = await consumer.fetch({ max: concurrency * 2, expiresMs: 500 });
      } catch (error) {
        if (error instanceof SluiceError && error.code === 'TOPIC_NOT_FOUND') break;
        throw error;
      }
      if (deliveries.length === 0) continue;
      // Announced `concurrency` at a time, so the first batches do not wait for the last.
      for (let start = 0; start < deliveries.length; start += concurrency) {
        const readies = await Promise.all(deliveries.slice(start, start + concurrency).map(load));
        await topics.produce(
          readyTopic(name),
          readies.map((ready) => ({
            id: batchId(name, ready.epoch, ready.index),
            key: `${ready.epoch}/${ready.index}`,
            value: ready,
          })),
        );
      }
      await consumer.ack(deliveries);
      loaded += deliveries.length;
      for (const delivery of deliveries) options.onLoaded?.(messageValue(delivery) as BatchRequest);
    }
  } finally {
    await consumer.close().catch(() => undefined);
  }
  return loaded;
}
