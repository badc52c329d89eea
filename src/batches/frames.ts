/**
 * Batches as a byte stream, for readers in other processes (a Python trainer, a step of a
 * run that owns the data directory): each batch is an 8-byte little-endian length and an
 * array bundle (meta: epoch, index, paths, ordinals, items); a zero length ends the stream.
 * Writing waits while the reader is behind, so a slow reader holds the session back
 * (backpressure reaches the loaders through the session's prefetch limit).
 */
import type { Readable, Writable } from 'node:stream';
import { SluiceError } from '../core/index.js';
import { decodeArrays, encodeArrays } from './arrays.js';
import type { Batch } from './client.js';

/** Writes `bytes` as one frame, resolving once the stream can take more. */
async function writeFrame(out: Writable, bytes: Uint8Array): Promise<void> {
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.byteLength));
  out.write(length);
  if (out.write(bytes)) return;
  await new Promise<void>((resolve, reject) => {
    const onClose = (): void => reject(new SluiceError('BATCHES_FAILED', 'the batch reader went away'));
    out.once('drain', () => {
      out.off('close', onClose);
      resolve();
    });
    out.once('close', onClose);
  });
}

/** Writes every batch of `batches` to `out`, then the end frame. */
export async function writeBatchFrames(batches: AsyncIterable<Batch>, out: Writable): Promise<number> {
  let count = 0;
  for await (const batch of batches) {
    if (out.destroyed) throw new SluiceError('BATCHES_FAILED', 'the batch reader went away');
    await writeFrame(
      out,
      encodeArrays({
        meta: {
          epoch: batch.epoch,
          index: batch.index,
          paths: batch.paths,
          ordinals: batch.ordinals,
          items: batch.meta,
        },
        arrays: batch.arrays,
      }),
    );
    count += 1;
  }
  await writeFrame(out, new Uint8Array(0));
  return count;
}

/** The batches of a frame stream; throws when it ends before its end frame. */
export async function* readBatchFrames(input: Readable): AsyncGenerator<Batch> {
  let buffered: Buffer[] = [];
  let size = 0;
  const take = (count: number): Buffer => {
    const all = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered, size);
    const head = all.subarray(0, count);
    const rest = all.subarray(count);
    buffered = rest.length > 0 ? [rest] : [];
    size = rest.length;
    return head;
  };
  let need: number | null = null;
  for await (const chunk of input) {
    buffered.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    for (;;) {
      if (need === null) {
        if (size < 8) break;
        need = Number(take(8).readBigUInt64LE());
        if (need === 0) return;
      }
      if (size < need) break;
      // A copy: the bundle's arrays are views, and must not pin the whole read buffer.
      const bytes = new Uint8Array(take(need));
      need = null;
      const { meta, arrays } = decodeArrays(bytes, 'batch stream');
      yield {
        epoch: meta.epoch as number,
        index: meta.index as number,
        paths: meta.paths as string[],
        ordinals: meta.ordinals as number[],
        meta: (meta.items ?? []) as Record<string, unknown>[],
        arrays,
      };
    }
  }
  throw new SluiceError('BATCHES_FAILED', 'the batch stream ended before its last batch');
}
