/** The frame image a threat is about, read from the `image` file output of `validate`. */
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { singleDatumFile } from './datum-files.js';

/** An image to attach or post. */
export interface FrameImage {
  filename: string;
  contentType: 'image/jpeg' | 'image/png';
  bytes: Buffer;
}

const CONTENT_TYPES: Record<string, FrameImage['contentType']> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
};

/** Reads the one image in the datum folder `dir`. */
export async function readFrameImage(dir: string): Promise<FrameImage> {
  const path = await singleDatumFile(dir, 'image');
  const contentType = CONTENT_TYPES[extname(path).toLowerCase()];
  if (!contentType) throw new Error(`image ${path}: not a .jpg, .jpeg or .png file`);
  return { filename: basename(path), contentType, bytes: await readFile(join(dir, path)) };
}
