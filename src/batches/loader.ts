/**
 * A batch loader: takes batch requests from `<name>.requests` (consumer group `loaders`),
 * reads the requested datapoints from the object store, stacks their arrays into one batch
 * bundle, stores it, announces it on `<name>.ready`, and only then acks the request. A
 * loader killed at any point leaves its request un-acked: it is redelivered to another
 * loader after the ack deadline. Announcements carry the request's id as their idempotent
 * id, so a request loaded twice is announced once.
 */
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
  /** The stored batch bundle; absent when `error` says why there is none. */
  hash?: string;
  error?: string;
}

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
  /** The session name: topics `<name>.requests` and `<name>.ready`. */
  name: string;
  /** Requests loaded at once (default 2). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called after each request is acked (tests, progress). */
  onLoaded?: (request: BatchRequest) => void;
}

/** Loads requests until `signal` aborts or the session's topics are deleted; resolves to the count loaded. */
export async function runLoader(options: LoaderOptions): Promise<number> {
  const { topics, objects, name } = options;
  const consumer = await topics.consumer(requestsTopic(name), LOADER_GROUP);
  let loaded = 0;
  const load = async (delivery: Delivery): Promise<void> => {
    const request = messageValue(delivery) as BatchRequest;
    const ready: BatchReady = { epoch: request.epoch, index: request.index };
    try {
      ready.hash = await objects.put(await assembleBatch(objects, request));
    } catch (error) {
      ready.error = error instanceof Error ? error.message : String(error);
    }
    await topics.produce(readyTopic(name), [
      {
        id: batchId(name, request.epoch, request.index),
        key: `${request.epoch}/${request.index}`,
        value: ready,
      },
    ]);
    await consumer.ack([delivery]);
    loaded += 1;
    options.onLoaded?.(request);
  };
  try {
    while (!options.signal?.aborted) {
      let deliveries: Delivery[];
      try {
        deliveries = await consumer.fetch({ max: options.concurrency ?? 2, expiresMs: 500 });
      } catch (error) {
        if (error instanceof SluiceError && error.code === 'TOPIC_NOT_FOUND') break;
        throw error;
      }
      await Promise.all(deliveries.map(load));
    }
  } finally {
    await consumer.close().catch(() => undefined);
  }
  return loaded;
}
