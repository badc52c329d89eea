/**
 * The object store on an S3-compatible bucket: `<prefix>objects/<first 2 hex>/<hash>`.
 * Each object is written by one PutObject, which S3 shows whole or not at all, and carries
 * its SHA-256 so that AWS S3 refuses bytes that changed on the way. Reads hash what arrives,
 * so a corrupted object is reported, never served; `getToFile` writes beside its destination
 * and renames only verified content into place.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as S3Sdk from '@aws-sdk/client-s3';
import { SluiceError } from '../../core/index.js';
import type { ObjectHash, ObjectStore } from '../object-store.js';
import { describeBucketFailure, describeFailure, isMissingObject } from './s3-errors.js';
import { compileS3Options, type CompiledS3Options, type S3ObjectStoreOptions } from './s3-options.js';

export { parseObjectStoreUrl } from './s3-options.js';
export type { S3ObjectStoreOptions } from './s3-options.js';

type Sdk = typeof S3Sdk;
type S3Client = S3Sdk.S3Client;

const HASH = /^[0-9a-f]{64}$/;
/** Files `putFiles` uploads at once. */
const UPLOAD_CONCURRENCY = 16;
/** How long connecting to the server may take before a request fails (the SDK waits forever). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens the object store in an S3 bucket once a HeadBucket request shows the bucket is there.
 * Throws `USAGE` for bad options, and `IO` naming the bucket and endpoint when the bucket
 * cannot be reached, does not exist or refuses the credentials.
 *
 * @example
 * const objects = await openS3ObjectStore(parseObjectStoreUrl('s3://data/sluice?endpoint=http://127.0.0.1:9000'));
 */
export async function openS3ObjectStore(options: S3ObjectStoreOptions): Promise<ObjectStore> {
  const compiled = compileS3Options(options);
  // NOTE: loaded on first use: importing the SDK takes ~0.4 s, which local-only runs should not pay.
  const sdk = await import('@aws-sdk/client-s3');
  const client = createClient(sdk, compiled);
  try {
    await client.send(new sdk.HeadBucketCommand({ Bucket: compiled.bucket }));
  } catch (error) {
    client.destroy();
    throw new SluiceError(
      'IO',
      `object store ${compiled.where}: bucket '${compiled.bucket}' ${describeBucketFailure(error)}`,
      { cause: error, details: { bucket: compiled.bucket, endpoint: compiled.endpoint ?? null } },
    );
  }
  return createStore(sdk, client, compiled);
}

function createClient(sdk: Sdk, options: CompiledS3Options): S3Client {
  // NOTE: on Node < 22 the SDK prints a NodeVersionSupportWarning when its first client is built.
  // Its one documented opt-out is the environment variable
  // AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true (aws/aws-sdk-js-v3#7983), read when a
  // client is built. Only cli/ and server/ touch the environment: they set it, not this module.
  return new sdk.S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    // We send and check every object's SHA-256 ourselves; the SDK's default CRC checksums
    // would only add work, and S3-compatible servers that predate them store them as content.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS },
  });
}

function createStore(sdk: Sdk, client: S3Client, options: CompiledS3Options): ObjectStore {
  const { bucket, where } = options;

  const keyOf = (hash: ObjectHash): string => {
    if (!HASH.test(hash)) throw new SluiceError('USAGE', `'${hash}' is not an object hash (64 hex digits)`);
    return `${options.prefix}objects/${hash.slice(0, 2)}/${hash}`;
  };
  const failed = (what: string, error: unknown): SluiceError =>
    error instanceof SluiceError
      ? error
      : new SluiceError('IO', `object store ${where}: ${what} failed: ${describeFailure(error)}`, {
          cause: error,
        });
  const missing = (hash: ObjectHash, error?: unknown): SluiceError =>
    new SluiceError('IO', `object ${hash} is missing from ${where}`, { cause: error, details: { hash } });

  function verify(hash: ObjectHash, actual: string): void {
    if (actual === hash) return;
    throw new SluiceError(
      'OBJECT_CORRUPT',
      `object ${hash} in ${where} is corrupt: its content hashes to ${actual}`,
      {
        details: { hash, key: keyOf(hash), actual },
      },
    );
  }

  /** The size of a stored object, or undefined when there is none. */
  async function head(hash: ObjectHash): Promise<number | undefined> {
    const key = keyOf(hash);
    try {
      return (await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength ?? 0;
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw failed(`checking object ${hash}`, error);
    }
  }

  async function upload(hash: ObjectHash, body: Uint8Array | Readable, length: number): Promise<void> {
    const key = keyOf(hash);
    const checksum = Buffer.from(hash, 'hex').toString('base64');
    // NOTE: the SDK pipes a stream body without listening for its errors, so one would crash the
    // process as an unhandled 'error' event; we listen, and abort the request instead.
    const abort = new AbortController();
    let bodyError: unknown;
    if (body instanceof Readable) {
      body.on('error', (error) => {
        bodyError = error;
        abort.abort();
      });
    }
    try {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: length,
          ChecksumSHA256: checksum,
        }),
        { abortSignal: abort.signal },
      );
    } catch (error) {
      throw failed(`storing object ${hash}`, bodyError ?? error);
    }
  }

  async function download(hash: ObjectHash): Promise<Readable> {
    const key = keyOf(hash);
    let body: unknown;
    try {
      body = (await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }))).Body;
    } catch (error) {
      throw isMissingObject(error) ? missing(hash, error) : failed(`reading object ${hash}`, error);
    }
    if (!(body instanceof Readable)) {
      throw new SluiceError('INTERNAL', `object store ${where}: object ${hash} came without a stream body`);
    }
    return body;
  }

  async function put(data: Uint8Array): Promise<ObjectHash> {
    const hash = createHash('sha256').update(data).digest('hex');
    if ((await head(hash)) === undefined) await upload(hash, data, data.byteLength);
    return hash;
  }

  async function putFile(path: string): Promise<ObjectHash> {
    const { hash, size } = await hashFile(path);
    if ((await head(hash)) !== undefined) return hash;
    const sent = createHash('sha256');
    await upload(hash, Readable.from(readCounted(path, size, sent), { objectMode: false }), size);
    // NOTE: AWS S3 refuses content that does not match ChecksumSHA256; other servers may not.
    if (sent.digest('hex') !== hash) {
      await remove(hash);
      throw changedError(path);
    }
    return hash;
  }

  async function putFiles(
    paths: string[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<ObjectHash[]> {
    const hashes = new Array<ObjectHash>(paths.length);
    let next = 0;
    let done = 0;
    let stopped = false;
    const worker = async (): Promise<void> => {
      while (next < paths.length && !stopped) {
        const index = next++;
        try {
          hashes[index] = await putFile(paths[index] as string);
        } catch (error) {
          stopped = true;
          throw error;
        }
        done += 1;
        onProgress?.(done, paths.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, paths.length) }, worker));
    return hashes;
  }

  async function get(hash: ObjectHash): Promise<Uint8Array> {
    const body = await download(hash);
    const hasher = createHash('sha256');
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of hashing(body, hasher)) chunks.push(chunk);
    } catch (error) {
      throw failed(`reading object ${hash}`, error);
    }
    verify(hash, hasher.digest('hex'));
    return Buffer.concat(chunks);
  }

  async function getToFile(hash: ObjectHash, dest: string): Promise<void> {
    await mkdir(dirname(dest), { recursive: true });
    const body = await download(hash);
    const temp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString('hex')}.part`);
    const hasher = createHash('sha256');
    try {
      try {
        await pipeline(hashing(body, hasher), createWriteStream(temp));
      } catch (error) {
        throw failed(`copying object ${hash} to ${dest}`, error);
      }
      verify(hash, hasher.digest('hex'));
      await rename(temp, dest);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async function size(hash: ObjectHash): Promise<number> {
    const length = await head(hash);
    if (length === undefined) throw missing(hash);
    return length;
  }

  async function remove(hash: ObjectHash): Promise<void> {
    const key = keyOf(hash);
    try {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (!isMissingObject(error)) throw failed(`deleting object ${hash}`, error);
    }
  }

  return {
    put,
    putFile,
    putFiles,
    get,
    getToFile,
    has: async (hash) => (await head(hash)) !== undefined,
    size,
    delete: remove,
  };
}

/** Hashes a file by streaming it; resolves to its hash and its length in bytes. */
async function hashFile(path: string): Promise<{ hash: ObjectHash; size: number }> {
  const hasher = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hasher.update(chunk);
    size += chunk.length;
  }
  return { hash: hasher.digest('hex'), size };
}

/** Yields a file's chunks, feeding them to `hasher`; `IO` once it is not `size` bytes long any more. */
async function* readCounted(path: string, size: number, hasher: Hash): AsyncGenerator<Buffer> {
  let length = 0;
  for await (const chunk of hashing(createReadStream(path), hasher)) {
    length += chunk.length;
    if (length > size) throw changedError(path);
    yield chunk;
  }
  if (length !== size) throw changedError(path);
}

/** Passes chunks through, feeding them to `hasher` on the way. */
async function* hashing(source: AsyncIterable<unknown>, hasher: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hasher.update(chunk as Buffer);
    yield chunk as Buffer;
  }
}

function changedError(path: string): SluiceError {
  return new SluiceError('IO', `file ${path} changed while it was being stored`);
}
