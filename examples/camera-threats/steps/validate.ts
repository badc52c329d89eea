/**
 * Checks that a datum is one decodable camera frame (`<device>/<frame>.jpg|.jpeg|.png`) and
 * describes it. Rejects (fails the datum) files that are empty, not JPEG or PNG, corrupt or
 * truncated, or larger than 50 megapixels. The image's bytes are passed on unchanged as
 * the file output `image` (`<device>/<frame file>`).
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import type { StepContext } from 'sluice';
import { singleDatumFile } from './lib/datum-files.js';
import { takenAtFromFileName } from './lib/taken-at.js';

/** The largest frame accepted, in pixels (50 MP). */
export const MAX_PIXELS = 50_000_000;

const EXTENSIONS = new Map([
  ['.jpg', 'jpeg'],
  ['.jpeg', 'jpeg'],
  ['.png', 'png'],
]);

/** What the later steps know about a frame. */
export interface Frame {
  /** The frame's repo path, `cam3/2026-11-24T22-15-00.jpg`. */
  path: string;
  /** The folder the frame is in: the camera. */
  device: string;
  /** Pixels, after the EXIF orientation is applied (as a viewer shows it). */
  width: number;
  height: number;
  /** The camera's local date-time from the file name (see `lib/taken-at.ts`), or null. */
  taken_at: string | null;
}

export default async function validate(ctx: StepContext<{ frames: string }>): Promise<{ frame: Frame }> {
  const path = await singleDatumFile(ctx.inputs.frames, 'frames');
  const frame = await describeFrame(ctx.inputs.frames, path);
  const target = join(ctx.outputDir('image'), frame.device, basename(path));
  await mkdir(dirname(target), { recursive: true });
  await copyFile(join(ctx.inputs.frames, path), target);
  ctx.log.info(`${path}: ${frame.width}x${frame.height}, taken at ${frame.taken_at ?? 'unknown'}`);
  return { frame };
}

/**
 * Decodes the image at repo path `path` under `dir` in full and describes it.
 *
 * @throws an Error naming `path` and the reason when the file is not an acceptable frame.
 */
export async function describeFrame(dir: string, path: string): Promise<Frame> {
  const fail = (reason: string, cause?: unknown): never => {
    throw new Error(`frame ${path}: ${reason}`, cause === undefined ? undefined : { cause });
  };
  const segments = path.split('/');
  const fileName = segments.at(-1) ?? path;
  const device = segments.at(-2);
  if (device === undefined) fail('not in a device folder; expected <device>/<frame>.jpg');
  const extension = /\.[^.]*$/.exec(fileName)?.[0].toLowerCase() ?? '';
  const expectedFormat = EXTENSIONS.get(extension);
  if (expectedFormat === undefined)
    fail(
      `extension '${extension || '(none)'}' is not allowed; allowed: ${[...EXTENSIONS.keys()].join(', ')}`,
    );
  const file = join(dir, path);
  const { size } = await stat(file);
  if (size === 0) fail('the file is empty');

  let metadata: Metadata;
  try {
    metadata = await sharp(file).metadata();
  } catch (error) {
    return fail(`not an image (${(error as Error).message})`, error);
  }
  if (metadata.format !== 'jpeg' && metadata.format !== 'png')
    fail(`the file is ${metadata.format ?? 'of an unknown format'}; allowed: jpeg, png`);
  if (metadata.format !== expectedFormat)
    fail(`the file is ${metadata.format} but its extension '${extension}' says ${expectedFormat}`);
  const pixels = metadata.width * metadata.height;
  if (pixels > MAX_PIXELS)
    fail(
      `${metadata.width}x${metadata.height} is ${(pixels / 1e6).toFixed(1)} megapixels; ` +
        `at most ${MAX_PIXELS / 1e6} are allowed`,
    );
  try {
    // Headers can be intact while the data is not: only decoding every pixel proves the frame
    // is whole. NOTE: libjpeg reports corrupt entropy data ("premature end of data segment")
    // as a warning only, so anything short of failOn 'warning' lets damaged frames through.
    await sharp(file, { failOn: 'warning', limitInputPixels: MAX_PIXELS }).stats();
  } catch (error) {
    fail(`cannot be decoded: ${(error as Error).message.trim()}`, error);
  }
  return {
    path,
    device: device as string,
    width: metadata.autoOrient.width,
    height: metadata.autoOrient.height,
    taken_at: takenAtFromFileName(fileName),
  };
}
