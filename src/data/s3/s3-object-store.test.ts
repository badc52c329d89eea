import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeObjectStoreConformance } from '../object-store.case.js';
import type { ObjectStore } from '../object-store.js';
import { openS3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store.js';

/** The part of s3rver (an untyped CommonJS package) these tests use. */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
}) => S3rverServer;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

const BUCKET = 'sluice-test';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let server: S3rverServer | undefined;
let serverDir = '';
let endpoint = '';
let admin: S3Client | undefined;
let prefixes = 0;

beforeAll(async () => {
  // NOTE: the SDK's documented opt-out of its Node 20 support warning, as the CLI should set it.
  vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
  serverDir = await mkdtemp(join(tmpdir(), 'sluice-s3rver-'));
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: serverDir });
  endpoint = `http://127.0.0.1:${(await server.run()).port}`;
  admin = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS });
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  admin?.destroy();
  await server?.close();
  await rm(serverDir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

/** Opens a store on the test bucket under a fresh prefix. */
async function openStore(
  options: Partial<S3ObjectStoreOptions> = {},
): Promise<{ objects: ObjectStore; prefix: string; keyOf(hash: string): string }> {
  const prefix = `case-${++prefixes}/`;
  const objects = await openS3ObjectStore({
    bucket: BUCKET,
    prefix,
    endpoint,
    forcePathStyle: true,
    credentials: CREDENTIALS,
    ...options,
  });
  return { objects, prefix, keyOf: (hash) => `${prefix}objects/${hash.slice(0, 2)}/${hash}` };
}

async function readObject(key: string): Promise<Uint8Array> {
  const { Body } = await admin!.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Body!.transformToByteArray();
}

async function writeObject(key: string, data: Uint8Array): Promise<void> {
  await admin!.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data }));
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What a promise rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

/** A message with the parts that change from run to run replaced. */
function normalize(message: string): string {
  return message.replaceAll(endpoint, '<endpoint>').replace(/case-\d+\//g, 'case-N/');
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describeObjectStoreConformance('s3', async () => {
  const { objects, keyOf } = await openStore();
  return {
    objects,
    async corrupt(hash) {
      const data = await readObject(keyOf(hash));
      data[0] = (data[0] ?? 0) ^ 0xff;
      await writeObject(keyOf(hash), data);
    },
  };
});

describe('S3 object store', () => {
  it('keeps an object at <prefix>objects/<first 2 hex>/<hash>', async () => {
    const { objects, keyOf } = await openStore();
    const hash = await objects.put(new TextEncoder().encode('laid out'));
    expect(keyOf(hash)).toMatch(/^case-\d+\/objects\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
    const head = await admin!.send(new HeadObjectCommand({ Bucket: BUCKET, Key: keyOf(hash) }));
    expect(head.ContentLength).toBe(8);
  });

  it('streams files up and down and reports their sizes, empty files included', async () => {
    const { objects } = await openStore();
    const dir = await mkdtemp(join(tmpdir(), 'sluice-s3-files-'));
    const big = randomBytes(5 * 1024 * 1024 + 17);
    await writeFile(join(dir, 'big.bin'), big);
    await writeFile(join(dir, 'empty.bin'), '');
    const bigHash = await objects.putFile(join(dir, 'big.bin'));
    const emptyHash = await objects.putFile(join(dir, 'empty.bin'));
    expect([bigHash, emptyHash]).toEqual([sha256(big), sha256(new Uint8Array())]);
    expect(await objects.size(bigHash)).toBe(big.length);
    expect(await objects.size(emptyHash)).toBe(0);
    await objects.getToFile(bigHash, join(dir, 'out', 'big.bin'));
    await objects.getToFile(emptyHash, join(dir, 'out', 'empty.bin'));
    expect((await readFile(join(dir, 'out', 'big.bin'))).equals(big)).toBe(true);
    expect(await readFile(join(dir, 'out', 'empty.bin'))).toHaveLength(0);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['big.bin', 'empty.bin']);
  });

  it('stores many files in order and reports progress', async () => {
    const { objects } = await openStore();
    const dir = await mkdtemp(join(tmpdir(), 'sluice-s3-batch-'));
    const contents = Array.from({ length: 40 }, (_, index) => randomBytes(100 + index * 1000));
    const paths = contents.map((_, index) => join(dir, `file-${index}.bin`));
    await Promise.all(paths.map((path, index) => writeFile(path, contents[index]!)));
    const progress: number[] = [];
    const hashes = await objects.putFiles(paths, (done, total) => {
      expect(total).toBe(40);
      progress.push(done);
    });
    expect(hashes).toEqual(contents.map(sha256));
    expect(progress).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    expect(Buffer.from(await objects.get(hashes[39]!)).equals(contents[39]!)).toBe(true);
  });

  // Every read of this file gives another UUID: the content changes between hashing and upload.
  it.runIf(existsSync('/proc/sys/kernel/random/uuid'))(
    'refuses to keep a file that changed while it was being stored',
    async () => {
      const { objects, prefix } = await openStore();
      const error = await rejection(objects.putFile('/proc/sys/kernel/random/uuid'));
      expect(error).toMatchObject({ code: 'IO' });
      expect(error.message).toMatchInlineSnapshot(
        `"file /proc/sys/kernel/random/uuid changed while it was being stored"`,
      );
      const listing = await admin!.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
      expect(listing.KeyCount).toBe(0);
    },
  );

  it('says a missing object is missing, and writes no file for it', async () => {
    const { objects } = await openStore();
    const dir = await mkdtemp(join(tmpdir(), 'sluice-s3-missing-'));
    const hash = 'a'.repeat(64);
    const error = await rejection(objects.size(hash));
    expect(error.code).toBe('IO');
    expect(normalize(error.message)).toMatchInlineSnapshot(
      `"object aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa is missing from s3://sluice-test/case-N/ at <endpoint>"`,
    );
    await expect(objects.getToFile(hash, join(dir, 'out.bin'))).rejects.toMatchObject({ code: 'IO' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('detects every flipped byte, on get and on getToFile, and leaves no file behind', async () => {
    const { objects, keyOf } = await openStore();
    const dir = await mkdtemp(join(tmpdir(), 'sluice-s3-flips-'));
    let detected = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 20_000 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (data, at, mask) => {
          const hash = await objects.put(data);
          const flipped = Uint8Array.from(data);
          const position = at % flipped.length;
          flipped[position] = (flipped[position] ?? 0) ^ mask;
          await writeObject(keyOf(hash), flipped);

          const error = await rejection(objects.get(hash));
          expect(error).toMatchObject({ code: 'OBJECT_CORRUPT' });
          expect(error.message).toContain(`object ${hash}`);
          const folder = join(dir, `run-${detected}`);
          await mkdir(folder);
          await expect(objects.getToFile(hash, join(folder, 'out.bin'))).rejects.toMatchObject({
            code: 'OBJECT_CORRUPT',
          });
          expect(await readdir(folder)).toEqual([]);
          detected += 1;
        },
      ),
      { seed: 301, numRuns: 200 },
    );
    expect(detected).toBe(200);
  });

  it('names the corrupt object and what its content hashes to', async () => {
    const { objects, keyOf } = await openStore();
    const hash = await objects.put(new TextEncoder().encode('precious'));
    await writeObject(keyOf(hash), new TextEncoder().encode('Precious'));
    const error = await rejection(objects.get(hash));
    expect(normalize(error.message)).toMatchInlineSnapshot(
      `"object 157fc55121ab2c59852c35d78aca98d840047e5d9668c423e4d3b146e1577901 in s3://sluice-test/case-N/ at <endpoint> is corrupt: its content hashes to 41703be808847a06f66fcca3868633bf482f1aca51653bb705395ba049d8398b"`,
    );
  });
});

describe('opening an S3 object store', () => {
  it('names the bucket and endpoint when the server cannot be reached', async () => {
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    const error = await rejection(openStore({ endpoint: unreachable }));
    expect(error.code).toBe('IO');
    expect(
      normalize(error.message).replaceAll(unreachable, '<endpoint>').replace(/:\d+$/, ':<port>'),
    ).toMatchInlineSnapshot(
      `"object store s3://sluice-test/case-N/ at <endpoint>: bucket 'sluice-test' cannot be reached: connect ECONNREFUSED 127.0.0.1:<port>"`,
    );
  });

  it('says when the bucket does not exist', async () => {
    const error = await rejection(openStore({ bucket: 'no-such-bucket' }));
    expect(error.code).toBe('IO');
    expect(normalize(error.message)).toMatchInlineSnapshot(
      `"object store s3://no-such-bucket/case-N/ at <endpoint>: bucket 'no-such-bucket' does not exist"`,
    );
  });

  it('says when the server refuses the credentials', async () => {
    const error = await rejection(
      openStore({ credentials: { accessKeyId: 'WRONG', secretAccessKey: 'WRONG' } }),
    );
    expect(error.code).toBe('IO');
    expect(error.message).toContain('refuses access (HTTP 403)');
  });

  it('rejects bad options before it connects', async () => {
    const error = await rejection(openStore({ bucket: 'Not_A_Bucket' }));
    expect(error).toMatchObject({ code: 'USAGE' });
    expect(error.message).toMatchInlineSnapshot(
      `"object store: 'Not_A_Bucket' is not a bucket name; expected 3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit"`,
    );
    await expect(openStore({ prefix: 'a//b' })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(openStore({ endpoint: 'ftp://x' })).rejects.toMatchObject({ code: 'USAGE' });
  });
});
