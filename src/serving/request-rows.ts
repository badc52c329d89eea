/**
 * Request rows -> the model's input tensor, checked against the version's declared columns.
 * Every problem names the row and column (`rows[3].temp: expected a finite number, found
 * "hot"`), so a client can fix its request; nothing reaches the model until all rows pass.
 *
 * Images arrive as base64 (optionally a `data:` URL) in JSON, or as multipart file parts;
 * they are decoded by sharp (off the event loop, in libvips' threads), converted to grey or
 * RGB, resized to the declared size and scaled to 0..1.
 */
import sharp from 'sharp';
import { SluiceError } from '../core/index.js';
import type { ImageInput, ModelManifest } from './manifest.js';
import type { Values } from './runner.js';

/** A checked request: `n` rows in one buffer, in the model's layout. */
export interface PreparedRows {
  input: Values;
  n: number;
}

/** An image as it came in: bytes, and where it came from for messages. */
export interface ImageBytes {
  bytes: Uint8Array;
  where: string;
}

const invalid = (message: string, field: string) =>
  new SluiceError('INVALID_REQUEST', `invalid request: ${field}: ${message}`, { details: { field } });

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

/** The `rows` of a JSON body, or an error naming what the body should be. */
export function bodyRows(body: unknown, maxRows: number): Record<string, unknown>[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('rows' in body)) {
    throw invalid('expected a JSON object {"rows": [{...}, ...]}', 'body');
  }
  const rows = (body as { rows: unknown }).rows;
  if (!Array.isArray(rows))
    throw invalid(`expected an array of row objects, found ${describe(rows)}`, 'rows');
  if (rows.length === 0) throw invalid('expected at least one row', 'rows');
  if (rows.length > maxRows) {
    throw new SluiceError(
      'PAYLOAD_TOO_LARGE',
      `rows: ${rows.length} rows exceed the limit of ${maxRows} per request`,
      {
        details: { field: 'rows', limit: maxRows },
      },
    );
  }
  rows.forEach((row, index) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw invalid(`expected an object with the model's columns, found ${describe(row)}`, `rows[${index}]`);
    }
  });
  return rows as Record<string, unknown>[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of a base64 image value (plain or a `data:` URL). */
function imageBytes(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(`expected a base64 PNG or JPEG string, found ${describe(value)}`, field);
  }
  const text = value.startsWith('data:') ? value.slice(value.indexOf(',') + 1) : value;
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 === 1 || !BASE64.test(compact)) {
    throw invalid(
      `expected base64 (A-Z a-z 0-9 + /, '=' padding) or a data: URL of a PNG or JPEG, found ${describe(value)}`,
      field,
    );
  }
  return Buffer.from(compact, 'base64');
}

/** Decodes one image into `into` at row `row` (values 0..1, the manifest's layout). */
async function decodeInto(
  image: ImageBytes,
  spec: ImageInput,
  layout: ModelManifest['layout'],
  into: Float32Array,
  row: number,
): Promise<void> {
  let data: Buffer;
  try {
    let pipeline = sharp(image.bytes, { failOn: 'error', limitInputPixels: 50_000_000 });
    pipeline =
      spec.channels === 1 ? pipeline.toColourspace('b-w') : pipeline.removeAlpha().toColourspace('srgb');
    const result = await pipeline
      .resize(spec.width, spec.height, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    data = result.data;
    const got = result.info.channels;
    const pixels = spec.width * spec.height;
    const base = row * pixels * spec.channels;
    for (let pixel = 0; pixel < pixels; pixel += 1) {
      for (let channel = 0; channel < spec.channels; channel += 1) {
        const value = (data[pixel * got + Math.min(channel, got - 1)] ?? 0) / 255;
        const at = layout === 'NHWC' ? pixel * spec.channels + channel : channel * pixels + pixel;
        into[base + at] = value;
      }
    }
  } catch (error) {
    throw invalid(
      `the image cannot be decoded as PNG, JPEG, WebP, GIF or TIFF (${(error as Error).message})`,
      image.where,
    );
  }
}

/** Image rows from JSON rows: each row's image column, base64. */
export function jsonImages(rows: Record<string, unknown>[], column: string): ImageBytes[] {
  return rows.map((row, index) => {
    const where = `rows[${index}].${column}`;
    if (!(column in row)) throw invalid(`missing; the model takes an image column '${column}'`, where);
    return { bytes: imageBytes(row[column], where), where };
  });
}

/** Decodes images into the model's input (all rows checked first, then decoded in parallel). */
export async function prepareImages(images: ImageBytes[], manifest: ModelManifest): Promise<PreparedRows> {
  const image = manifest.image;
  if (!image) throw new SluiceError('INTERNAL', 'prepareImages needs an image model');
  const input = new Float32Array(images.length * manifest.rowSize);
  const decoded = await Promise.allSettled(
    images.map((item, row) => decodeInto(item, image.spec, manifest.layout, input, row)),
  );
  // NOTE: the first bad row is named, whichever failed to decode first.
  const failed = decoded.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return { input, n: images.length };
}

/** Numeric rows into the model's input, in the manifest's column order. */
export function prepareNumbers(rows: Record<string, unknown>[], manifest: ModelManifest): PreparedRows {
  const columns = Object.entries(manifest.input);
  const known = new Set(columns.map(([name]) => name));
  const size = rows.length * manifest.rowSize;
  const tensor = manifest.flavor === 'tfjs' || manifest.flavor === 'onnx';
  const input = tensor ? new Float32Array(size) : new Float64Array(size);
  rows.forEach((row, index) => {
    const extra = Object.keys(row).find((key) => !known.has(key));
    if (extra !== undefined) {
      throw invalid(`unknown column; the model takes ${[...known].join(', ')}`, `rows[${index}].${extra}`);
    }
    let at = index * manifest.rowSize;
    for (const [name, spec] of columns) {
      const field = `rows[${index}].${name}`;
      const value = row[name];
      if (value === undefined)
        throw invalid(
          `missing; expected ${spec.type === 'vector' ? `${spec.length} numbers` : 'a number'}`,
          field,
        );
      if (spec.type === 'vector') {
        if (!Array.isArray(value) || value.length !== spec.length) {
          throw invalid(`expected an array of ${spec.length} numbers, found ${describe(value)}`, field);
        }
        value.forEach((item, position) => {
          if (typeof item !== 'number' || !Number.isFinite(item)) {
            throw invalid(`expected a finite number, found ${describe(item)}`, `${field}[${position}]`);
          }
          input[at++] = item;
        });
      } else if (spec.type === 'number') {
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw invalid(`expected a finite number, found ${describe(value)}`, field);
        }
        input[at++] = value;
      } else {
        throw new SluiceError('INTERNAL', `column '${name}' is an image in a numeric model`);
      }
    }
  });
  return { input, n: rows.length };
}
