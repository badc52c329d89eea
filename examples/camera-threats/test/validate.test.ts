import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import validate from '../steps/validate.js';
import { noiseJpeg, photoPath, seededBytes } from '../scripts/sample-images.mjs';
import { fakeContext } from './fake-context.js';

/** A datum folder holding `files` (repo path -> bytes). */
async function datum(files: Record<string, Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'frames-'));
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
  return dir;
}

async function run(files: Record<string, Buffer>) {
  const ctx = fakeContext({ frames: await datum(files) });
  return { result: await validate(ctx), ctx };
}

async function failure(files: Record<string, Buffer>): Promise<string> {
  const error = await run(files).then(
    () => new Error('validate accepted the frame'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  return (error as Error).message;
}

describe('validate', () => {
  const photo = readFileSync(photoPath());

  it('describes a photograph and passes its bytes on as the image output', async () => {
    const { result, ctx } = await run({ 'cam3/2026-11-24T22-15-00.jpg': photo });
    expect(result).toEqual({
      frame: {
        path: 'cam3/2026-11-24T22-15-00.jpg',
        device: 'cam3',
        width: 512,
        height: 600,
        taken_at: '2026-11-24T22:15:00',
      },
    });
    const copied = readFileSync(join(ctx.recorded.outDir, 'image', 'cam3', '2026-11-24T22-15-00.jpg'));
    expect(copied.equals(photo)).toBe(true);
  });

  it('accepts a PNG and a frame whose name holds no timestamp', async () => {
    const png = await sharp(photo).png().toBuffer();
    const { result } = await run({ 'garage/snapshot.png': png });
    expect(result.frame).toMatchObject({ device: 'garage', taken_at: null, width: 512, height: 600 });
  });

  it('reports the size as displayed when EXIF says the camera was turned', async () => {
    const turned = await sharp(photo).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const { result } = await run({ 'cam1/2026-01-01T12-00-00.jpg': turned });
    expect(result.frame).toMatchObject({ width: 600, height: 512 });
  });

  it('rejects a truncated JPEG', async () => {
    expect(await failure({ 'cam1/cut.jpg': photo.subarray(0, photo.length / 2) })).toMatchInlineSnapshot(
      `"frame cam1/cut.jpg: cannot be decoded: VipsJpeg: premature end of JPEG image"`,
    );
  });

  it('rejects a JPEG whose headers are intact but whose data is damaged', async () => {
    const damaged = Buffer.concat([photo.subarray(0, 20_000), seededBytes(2_000, 3), photo.subarray(22_000)]);
    expect(await failure({ 'cam1/damaged.jpg': damaged })).toMatchInlineSnapshot(
      `"frame cam1/damaged.jpg: cannot be decoded: VipsJpeg: Corrupt JPEG data: premature end of data segment"`,
    );
    const noise = await noiseJpeg(64, 64, 7);
    const garbage = Buffer.concat([noise.subarray(0, 700), seededBytes(noise.length - 700, 11)]);
    expect(await failure({ 'cam1/garbage.jpg': garbage })).toMatch(
      /^frame cam1\/garbage\.jpg: cannot be decoded: /,
    );
  });

  it('rejects random bytes, an empty file and a file of another format', async () => {
    expect(await failure({ 'cam1/random.jpg': seededBytes(4096, 1) })).toMatchInlineSnapshot(
      `"frame cam1/random.jpg: not an image (Input file contains unsupported image format)"`,
    );
    expect(await failure({ 'cam1/empty.jpg': Buffer.alloc(0) })).toMatchInlineSnapshot(
      `"frame cam1/empty.jpg: the file is empty"`,
    );
    const gif = await sharp(photo).gif().toBuffer();
    expect(await failure({ 'cam1/animated.jpg': gif })).toMatchInlineSnapshot(
      `"frame cam1/animated.jpg: the file is gif; allowed: jpeg, png"`,
    );
    const png = await sharp(photo).png().toBuffer();
    expect(await failure({ 'cam1/mislabelled.jpg': png })).toMatchInlineSnapshot(
      `"frame cam1/mislabelled.jpg: the file is png but its extension '.jpg' says jpeg"`,
    );
  });

  it('rejects a frame of more than 50 megapixels before decoding it', async () => {
    const huge = await sharp({ create: { width: 10_000, height: 5_001, channels: 3, background: '#000' } })
      .png({ compressionLevel: 1 })
      .toBuffer();
    expect(await failure({ 'cam1/huge.png': huge })).toMatchInlineSnapshot(
      `"frame cam1/huge.png: 10000x5001 is 50.0 megapixels; at most 50 are allowed"`,
    );
  });

  it('rejects other extensions, files outside a device folder, and datums without exactly one file', async () => {
    expect(await failure({ 'cam1/notes.txt': Buffer.from('hello') })).toMatchInlineSnapshot(
      `"frame cam1/notes.txt: extension '.txt' is not allowed; allowed: .jpg, .jpeg, .png"`,
    );
    expect(await failure({ 'loose.jpg': photo })).toMatchInlineSnapshot(
      `"frame loose.jpg: not in a device folder; expected <device>/<frame>.jpg"`,
    );
    expect(await failure({ 'cam1/a.jpg': photo, 'cam1/b.jpg': photo })).toMatchInlineSnapshot(
      `"frames: the datum holds 2 files, expected exactly one: cam1/a.jpg, cam1/b.jpg"`,
    );
    expect(await failure({})).toMatch(/^frames: the datum holds no file \(folder .*\)$/);
  });
});
