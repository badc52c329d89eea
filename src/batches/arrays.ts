/**
 * The array bundle: named n-dimensional arrays and a JSON header in one file. Datapoints
 * are stored this way (`.arrays` files: `image` float32 [H,W], `mask` uint8 [H,W]) and so
 * are the batches loaders assemble (the same names, stacked: [n,H,W]).
 *
 * Layout, little endian:
 * | bytes          | what                                                        |
 * |----------------|-------------------------------------------------------------|
 * | 8              | magic `SLUICEA1`                                             |
 * | 4              | header length h (uint32)                                     |
 * | h              | UTF-8 JSON `{ meta, arrays: [{ name, dtype, shape, offset }] }` |
 * | ...            | array data, each starting at its `offset` (from the file start, 8-aligned) |
 *
 * Offsets are 8-aligned so a reader can view the data in place (numpy's `frombuffer`,
 * a `Float32Array` over the same buffer) without copying.
 */
import { SluiceError } from '../core/index.js';

const MAGIC = 'SLUICEA1';

export const DTYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
} as const;

export type Dtype = keyof typeof DTYPES;
export type TypedArray =
  Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** An n-dimensional array, row-major. */
export interface NdArray<T extends TypedArray = TypedArray> {
  dtype: Dtype;
  shape: number[];
  data: T;
}

export interface ArrayBundle {
  meta: Record<string, unknown>;
  arrays: Record<string, NdArray>;
}

interface ArrayEntry {
  name: string;
  dtype: Dtype;
  shape: number[];
  offset: number;
}

const align8 = (value: number): number => Math.ceil(value / 8) * 8;

function elements(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** The dtype name of a typed array. */
export function dtypeOf(data: TypedArray): Dtype {
  for (const [name, type] of Object.entries(DTYPES)) if (data instanceof type) return name as Dtype;
  throw new SluiceError('USAGE', `unsupported array type ${(data as object).constructor.name}`);
}

/** Encodes a bundle; every array's data must hold exactly the elements its shape says. */
export function encodeArrays(bundle: ArrayBundle): Uint8Array {
  const names = Object.keys(bundle.arrays);
  const entries: ArrayEntry[] = [];
  // The header's length decides where data starts; offsets are relative, fixed up below.
  let relative = 0;
  for (const name of names) {
    const array = bundle.arrays[name]!;
    if (elements(array.shape) !== array.data.length)
      throw new SluiceError(
        'USAGE',
        `array '${name}' has shape [${array.shape.join(',')}] but ${array.data.length} elements`,
      );
    entries.push({ name, dtype: array.dtype, shape: array.shape, offset: relative });
    relative = align8(relative + array.data.byteLength);
  }
  const headerOf = (base: number): Uint8Array =>
    new TextEncoder().encode(
      JSON.stringify({
        meta: bundle.meta,
        arrays: entries.map((entry) => ({ ...entry, offset: entry.offset + base })),
      }),
    );
  // NOTE: the base depends on the header length, which depends on the base's digits: iterate.
  let base = align8(12 + headerOf(0).byteLength);
  let header = headerOf(base);
  while (align8(12 + header.byteLength) !== base) {
    base = align8(12 + header.byteLength);
    header = headerOf(base);
  }
  const out = new Uint8Array(base + relative);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.byteLength, true);
  out.set(header, 12);
  for (const entry of entries) {
    const data = bundle.arrays[entry.name]!.data;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), base + entry.offset);
  }
  return out;
}

/**
 * Decodes a bundle. Arrays are views into `bytes` when aligned (no copy), else copies.
 * `what` names the source in errors (a file path, an object hash).
 */
export function decodeArrays(bytes: Uint8Array, what: string): ArrayBundle {
  const bad = (reason: string): SluiceError => new SluiceError('BAD_ARRAYS', `${what}: ${reason}`);
  if (bytes.byteLength < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
    throw bad(`not an array bundle (expected the magic '${MAGIC}' at byte 0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  if (12 + length > bytes.byteLength) throw bad(`header of ${length} bytes runs past the end`);
  let header: { meta?: unknown; arrays?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as typeof header;
  } catch (error) {
    throw bad(`header is not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(header.arrays)) throw bad('header has no arrays list');
  const arrays: Record<string, NdArray> = {};
  for (const raw of header.arrays as ArrayEntry[]) {
    const type = DTYPES[raw.dtype];
    if (!type) throw bad(`array '${raw.name}' has unknown dtype '${raw.dtype}'`);
    if (!Array.isArray(raw.shape) || raw.shape.some((size) => !Number.isInteger(size) || size < 0))
      throw bad(`array '${raw.name}' has a bad shape`);
    const count = elements(raw.shape);
    const end = raw.offset + count * type.BYTES_PER_ELEMENT;
    if (!Number.isInteger(raw.offset) || raw.offset < 12 + length || end > bytes.byteLength)
      throw bad(`array '${raw.name}' needs bytes ${raw.offset}..${end}, the bundle has ${bytes.byteLength}`);
    const start = bytes.byteOffset + raw.offset;
    const data =
      start % type.BYTES_PER_ELEMENT === 0
        ? new type(bytes.buffer as ArrayBuffer, start, count)
        : new type(bytes.slice(raw.offset, end).buffer);
    arrays[raw.name] = { dtype: raw.dtype, shape: raw.shape, data };
  }
  const meta = (header.meta ?? {}) as Record<string, unknown>;
  return { meta, arrays };
}
