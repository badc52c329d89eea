/**
 * Decoding single-frame monochrome DICOM slices (8- or 16-bit, signed or unsigned) into
 * modality values: uncompressed little endian, JPEG-LS and JPEG lossless (process 14).
 * Every failure is a {@link DicomError} naming the file and what was wrong with it.
 */
import dicomParser from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';

/** A decoded slice. */
export interface DicomSlice {
  width: number;
  height: number;
  /** Modality values (stored value × RescaleSlope + RescaleIntercept), row-major. */
  pixels: Float32Array;
  instanceNumber: number | null;
  patientId: string | null;
  /** The transfer syntax UID the pixel data was encoded with. */
  transferSyntax: string;
}

/**
 * A file that is not a decodable slice; `reason` says what was found and what is allowed.
 * @example `dicoms/SCD0000101/2.dcm: truncated: pixel data needs 131072 bytes, file has 65536`
 */
export class DicomError extends Error {
  override readonly name = 'DicomError';
  readonly file: string;
  readonly reason: string;

  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`${file}: ${reason}`, options);
    this.file = file;
    this.reason = reason;
  }
}

/** Transfer syntaxes {@link decodeDicom} reads, by UID. */
export const SUPPORTED_TRANSFER_SYNTAXES = {
  '1.2.840.10008.1.2': 'implicit VR little endian',
  '1.2.840.10008.1.2.1': 'explicit VR little endian',
  '1.2.840.10008.1.2.4.57': 'JPEG lossless (process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG lossless (process 14, SV1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS near-lossless',
} as const;

type SupportedSyntax = keyof typeof SUPPORTED_TRANSFER_SYNTAXES;

/** Names for transfer syntaxes met in the wild but not supported, for error messages. */
const OTHER_SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.1.99': 'deflated explicit VR little endian',
  '1.2.840.10008.1.2.2': 'explicit VR big endian',
  '1.2.840.10008.1.2.4.50': 'JPEG baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG extended',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE lossless',
};

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Stored values before masking: what a codec or the file holds, `bitsAllocated` wide. */
export type RawPixels = Uint8Array | Int8Array | Uint16Array | Int16Array;

/** The facts of the image pixel module that decoding needs, read and checked once. */
export interface PixelModule {
  rows: number;
  columns: number;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  signed: boolean;
  slope: number;
  intercept: number;
}

/**
 * Decodes one DICOM file's first frame into modality values.
 * Throws a {@link DicomError} for anything it cannot read: no 'DICM' marker, truncation,
 * an unsupported transfer syntax, missing Rows/Columns/PixelData, colour images, a codec
 * package that is not installed, or bytes the parser or codec rejects.
 * @example const slice = await decodeDicom(await readFile(path), path);
 */
export async function decodeDicom(bytes: Uint8Array, file: string): Promise<DicomSlice> {
  const fail = (reason: string, cause?: unknown): DicomError => new DicomError(file, reason, { cause });
  if (bytes.length < 132 || !hasDicmMarker(bytes)) {
    const size = bytes.length < 132 ? ` (file has ${bytes.length} bytes)` : '';
    throw fail(`not a DICOM file: no 'DICM' at byte 128${size}`);
  }
  const dataSet = parse(bytes, fail);
  const transferSyntax = dataSet.string('x00020010') ?? '';
  if (!Object.hasOwn(SUPPORTED_TRANSFER_SYNTAXES, transferSyntax)) {
    const name = OTHER_SYNTAX_NAMES[transferSyntax];
    throw fail(
      `unsupported transfer syntax ${transferSyntax || '(none)'}${name ? ` (${name})` : ''}; supported: ${Object.keys(SUPPORTED_TRANSFER_SYNTAXES).join(', ')}`,
    );
  }
  const pixelModule = readPixelModule(dataSet, fail);
  const element = dataSet.elements.x7fe00010;
  if (element === undefined) throw fail('missing PixelData (7FE0,0010)');
  const pixels = new Float32Array(pixelModule.rows * pixelModule.columns);
  const syntax = transferSyntax as SupportedSyntax;
  if (syntax === '1.2.840.10008.1.2' || syntax === '1.2.840.10008.1.2.1') {
    toModality(nativePixels(bytes, element, pixelModule, fail), pixelModule, pixels);
  } else {
    const frame = encapsulatedFrame(dataSet, element, fail);
    try {
      if (syntax === '1.2.840.10008.1.2.4.80' || syntax === '1.2.840.10008.1.2.4.81') {
        await decodeJpegLs(frame, pixelModule, pixels, fail);
      } else {
        await decodeJpegLossless(frame, pixelModule, pixels, fail);
      }
    } catch (error) {
      if (error instanceof DicomError) throw error;
      throw fail(`${SUPPORTED_TRANSFER_SYNTAXES[syntax]}: ${describe(error)}`, error);
    }
  }
  const patientId = dataSet.string('x00100020');
  const instanceNumber = dataSet.intString('x00200013');
  return {
    width: pixelModule.columns,
    height: pixelModule.rows,
    pixels,
    instanceNumber: instanceNumber === undefined || Number.isNaN(instanceNumber) ? null : instanceNumber,
    patientId: patientId ? patientId : null,
    transferSyntax,
  };
}

/**
 * Writes `raw` as modality values into `out`: masked (unsigned) or sign-extended (signed)
 * to BitsStored, then × slope + intercept.
 */
export function toModality(raw: RawPixels, layout: PixelModule, out: Float32Array): void {
  const { bitsStored, signed, slope, intercept } = layout;
  const count = out.length;
  const exact =
    bitsStored === raw.BYTES_PER_ELEMENT * 8 &&
    signed === (raw instanceof Int16Array || raw instanceof Int8Array);
  if (exact) {
    out.set(raw.length === count ? raw : raw.subarray(0, count));
    if (slope !== 1 || intercept !== 0) {
      for (let index = 0; index < count; index += 1) out[index] = out[index]! * slope + intercept;
    }
  } else if (signed) {
    const shift = 32 - bitsStored;
    for (let index = 0; index < count; index += 1) {
      out[index] = ((raw[index]! << shift) >> shift) * slope + intercept;
    }
  } else {
    const mask = (1 << bitsStored) - 1;
    for (let index = 0; index < count; index += 1) out[index] = (raw[index]! & mask) * slope + intercept;
  }
}

/**
 * `count` little-endian 16-bit values at `offset` of `bytes`: a view when aligned on a
 * little-endian host, else a copy.
 */
export function uint16At(bytes: Uint8Array, offset: number, count: number, signed: boolean): RawPixels {
  const start = bytes.byteOffset + offset;
  if (LITTLE_ENDIAN_HOST) {
    if (start % 2 === 0) {
      return signed
        ? new Int16Array(bytes.buffer, start, count)
        : new Uint16Array(bytes.buffer, start, count);
    }
    const copy = bytes.slice(offset, offset + count * 2);
    return signed ? new Int16Array(copy.buffer, 0, count) : new Uint16Array(copy.buffer, 0, count);
  }
  const view = new DataView(bytes.buffer, start, count * 2);
  const out = signed ? new Int16Array(count) : new Uint16Array(count);
  for (let index = 0; index < count; index += 1) out[index] = view.getUint16(index * 2, true);
  return out;
}

function hasDicmMarker(bytes: Uint8Array): boolean {
  return bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

type Fail = (reason: string, cause?: unknown) => DicomError;

/** dicom-parser's data set; what it throws (strings, `{ exception, dataSet }`) as a DicomError. */
function parse(bytes: Uint8Array, fail: Fail): DataSet {
  try {
    return dicomParser.parseDicom(bytes);
  } catch (thrown) {
    const partial = (thrown as { dataSet?: DataSet } | null)?.dataSet;
    const exception = (thrown as { exception?: unknown } | null)?.exception ?? thrown;
    const pixelData = partial?.elements.x7fe00010;
    if (partial !== undefined && pixelData !== undefined && !pixelData.encapsulatedPixelData) {
      const rows = partial.uint16('x00280010') ?? 0;
      const columns = partial.uint16('x00280011') ?? 0;
      const bytesPerPixel = (partial.uint16('x00280100') ?? 16) > 8 ? 2 : 1;
      const needed = rows * columns * bytesPerPixel || pixelData.length;
      throw truncated(needed, bytes.length - pixelData.dataOffset, fail);
    }
    if (pixelData?.encapsulatedPixelData) {
      throw fail(
        `truncated: encapsulated pixel data at byte ${pixelData.dataOffset} runs past the end of the file (${bytes.length} bytes)`,
        exception,
      );
    }
    throw fail(`unreadable DICOM: ${describe(exception)}`, exception);
  }
}

function truncated(needed: number, present: number, fail: Fail): DicomError {
  return fail(`truncated: pixel data needs ${needed} bytes, file has ${Math.max(0, present)}`);
}

function readPixelModule(dataSet: DataSet, fail: Fail): PixelModule {
  const rows = dataSet.uint16('x00280010');
  const columns = dataSet.uint16('x00280011');
  if (rows === undefined) throw fail('missing Rows (0028,0010)');
  if (columns === undefined) throw fail('missing Columns (0028,0011)');
  if (rows === 0 || columns === 0) throw fail(`empty image: Rows ${rows}, Columns ${columns}`);
  const samples = dataSet.uint16('x00280002') ?? 1;
  const photometric = (dataSet.string('x00280004') ?? 'MONOCHROME2').toUpperCase();
  if (samples !== 1 || (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2')) {
    throw fail(
      `colour images are not supported: SamplesPerPixel ${samples}, PhotometricInterpretation ${photometric}; allowed: 1 sample, MONOCHROME1 or MONOCHROME2`,
    );
  }
  const bitsAllocated = dataSet.uint16('x00280100') ?? 16;
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    throw fail(`BitsAllocated ${bitsAllocated} is not supported; allowed: 8, 16`);
  }
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) {
    throw fail(`BitsStored ${bitsStored} does not fit BitsAllocated ${bitsAllocated}`);
  }
  return {
    rows,
    columns,
    bitsAllocated,
    bitsStored,
    signed: dataSet.uint16('x00280103') === 1,
    slope: decimal(dataSet, 'x00281053', 'RescaleSlope', 1, fail),
    intercept: decimal(dataSet, 'x00281052', 'RescaleIntercept', 0, fail),
  };
}

function decimal(dataSet: DataSet, tag: string, name: string, fallback: number, fail: Fail): number {
  const text = dataSet.string(tag);
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value)) throw fail(`${name} '${text}' is not a number`);
  return value;
}

function nativePixels(bytes: Uint8Array, element: Element, layout: PixelModule, fail: Fail): RawPixels {
  const count = layout.rows * layout.columns;
  const needed = count * (layout.bitsAllocated / 8);
  const present = Math.min(element.length, bytes.length - element.dataOffset);
  if (present < needed) {
    if (element.length >= needed) throw truncated(needed, present, fail);
    throw fail(
      `PixelData has ${element.length} bytes, Rows ${layout.rows} × Columns ${layout.columns} needs ${needed}`,
    );
  }
  if (layout.bitsAllocated === 16) return uint16At(bytes, element.dataOffset, count, layout.signed);
  const start = bytes.byteOffset + element.dataOffset;
  return layout.signed
    ? new Int8Array(bytes.buffer, start, count)
    : new Uint8Array(bytes.buffer, start, count);
}

/** The first frame's compressed bytes; a single-frame image may span several fragments. */
function encapsulatedFrame(dataSet: DataSet, element: Element, fail: Fail): Uint8Array {
  const fragments = element.fragments ?? [];
  if (!element.encapsulatedPixelData || fragments.length === 0) {
    throw fail('compressed transfer syntax but PixelData holds no encapsulated fragments');
  }
  const frames = dataSet.intString('x00280008') ?? 1;
  try {
    const frame =
      frames > 1
        ? dicomParser.readEncapsulatedImageFrame(
            dataSet,
            element,
            0,
            element.basicOffsetTable?.length
              ? undefined
              : dicomParser.createJPEGBasicOffsetTable(dataSet, element),
          )
        : dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length);
    return frame;
  } catch (error) {
    throw fail(`unreadable encapsulated pixel data: ${describe(error)}`, error);
  }
}

// NOTE: the codec packages ship no type declarations; these are the parts used. The
// specifiers are held in constants so TypeScript does not look for declarations.
const CHARLS_PACKAGE = '@cornerstonejs/codec-charls';
const CHARLS_MODULE = `${CHARLS_PACKAGE}/decodewasmjs`;
const JPEG_LOSSLESS_PACKAGE = 'jpeg-lossless-decoder-js';

interface CharlsDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number };
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}
interface Charls {
  JpegLSDecoder: new () => CharlsDecoder;
}
interface JpegLosslessDecoder {
  decode(
    buffer: ArrayBufferLike,
    offset: number,
    length: number,
    numBytes?: number,
  ): Uint8Array | Uint16Array;
}

let charls: Promise<Charls> | undefined;
let jpegLossless: Promise<new () => JpegLosslessDecoder> | undefined;

/** The CharLS wasm module, loaded and initialised on first use. */
function loadCharls(): Promise<Charls> {
  charls ??= (async () => {
    const factory = ((await import(CHARLS_MODULE)) as { default: () => Promise<Charls> }).default;
    return factory();
  })();
  charls.catch(() => (charls = undefined));
  return charls;
}

function loadJpegLossless(): Promise<new () => JpegLosslessDecoder> {
  jpegLossless ??= (async () =>
    ((await import(JPEG_LOSSLESS_PACKAGE)) as { Decoder: new () => JpegLosslessDecoder }).Decoder)();
  jpegLossless.catch(() => (jpegLossless = undefined));
  return jpegLossless;
}

async function withCodec<T>(load: () => Promise<T>, name: string, what: string, fail: Fail): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw fail(`${what} needs the npm package ${name} (npm install ${name}): ${describe(error)}`, error);
  }
}

function checkFrame(width: number, height: number, components: number, layout: PixelModule, fail: Fail) {
  if (width !== layout.columns || height !== layout.rows) {
    throw fail(
      `compressed frame is ${width}×${height}, but Columns × Rows is ${layout.columns}×${layout.rows}`,
    );
  }
  if (components !== 1) throw fail(`compressed frame has ${components} components; allowed: 1`);
}

async function decodeJpegLs(
  frame: Uint8Array,
  layout: PixelModule,
  out: Float32Array,
  fail: Fail,
): Promise<void> {
  const codec = await withCodec(loadCharls, CHARLS_PACKAGE, 'JPEG-LS', fail);
  const decoder = new codec.JpegLSDecoder();
  try {
    decoder.getEncodedBuffer(frame.length).set(frame);
    try {
      decoder.decode();
    } catch (error) {
      // NOTE: CharLS throws C++ exceptions, which reach JS as bare numbers without a message.
      if (typeof error !== 'number') throw error;
      throw fail(`JPEG-LS: CharLS could not decode the frame (corrupt or unsupported bitstream)`, error);
    }
    const info = decoder.getFrameInfo();
    checkFrame(info.width, info.height, info.componentCount, layout, fail);
    const decoded = decoder.getDecodedBuffer();
    const count = layout.rows * layout.columns;
    // NOTE: `decoded` is a view on wasm memory, freed by delete(): convert before that.
    toModality(info.bitsPerSample > 8 ? uint16At(decoded, 0, count, false) : decoded, layout, out);
  } finally {
    decoder.delete();
  }
}

async function decodeJpegLossless(
  frame: Uint8Array,
  layout: PixelModule,
  out: Float32Array,
  fail: Fail,
): Promise<void> {
  const Decoder = await withCodec(loadJpegLossless, JPEG_LOSSLESS_PACKAGE, 'JPEG lossless', fail);
  const decoded = new Decoder().decode(
    frame.buffer,
    frame.byteOffset,
    frame.byteLength,
    layout.bitsAllocated / 8,
  );
  if (decoded.length < out.length) {
    throw fail(`JPEG lossless frame decoded to ${decoded.length} pixels, Rows × Columns is ${out.length}`);
  }
  toModality(decoded, layout, out);
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return String(error);
}
