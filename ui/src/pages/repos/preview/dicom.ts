/**
 * DICOM decoding for the preview: one greyscale frame of an uncompressed file (implicit or
 * explicit VR, little or big endian; 8, 16 or 32 bits allocated, signed or not), with the
 * modality rescale applied and the window from the file or from the pixels' range. Pure:
 * no DOM, so it runs in unit tests too.
 */
import dicomParser, { type DataSet } from 'dicom-parser';

/** Transfer syntaxes by UID, for messages and the tag list. */
const SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
};
const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);
const BIG_ENDIAN = '1.2.840.10008.1.2.2';

/** The tags the preview shows. */
export interface DicomTags {
  patientId: string;
  patientName: string;
  modality: string;
  studyDate: string;
  seriesDescription: string;
  rows: number;
  columns: number;
  frames: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  photometric: string;
  transferSyntax: string;
  transferSyntaxName: string;
  slope: number;
  intercept: number;
}

/** One decoded frame: rescaled values row by row, and the window to show them with. */
export interface DicomImage {
  width: number;
  height: number;
  pixels: Float32Array;
  window: { center: number; width: number; fromFile: boolean };
  /** Whether higher values are darker (MONOCHROME1). */
  inverted: boolean;
  tags: DicomTags;
}

/** A file the preview cannot decode, with the reason (e.g. a compressed transfer syntax). */
export class DicomPreviewError extends Error {
  override name = 'DicomPreviewError';
}

/** The name of a transfer syntax UID (or the UID itself). */
export function transferSyntaxName(uid: string): string {
  return SYNTAXES[uid] ?? uid;
}

function str(data: DataSet, tag: string): string {
  return (data.string(tag) ?? '').trim();
}

function readMeta(bytes: Uint8Array): string {
  try {
    return str(dicomParser.readPart10Header(bytes), 'x00020010');
  } catch (error) {
    throw new DicomPreviewError(`not a DICOM Part 10 file: ${(error as Error).message ?? String(error)}`);
  }
}

/** Decodes frame `frame` (0-based) of a DICOM file; throws {@link DicomPreviewError} when it cannot. */
export function decodeDicom(buffer: ArrayBuffer, frame = 0): DicomImage {
  const bytes = new Uint8Array(buffer);
  const syntax = readMeta(bytes);
  if (!UNCOMPRESSED.has(syntax))
    throw new DicomPreviewError(
      `preview of the transfer syntax ${transferSyntaxName(syntax)} (${syntax}) is not supported yet; download the file to view it`,
    );
  let data: DataSet;
  try {
    data = dicomParser.parseDicom(bytes);
  } catch (error) {
    throw new DicomPreviewError(`cannot parse the DICOM file: ${(error as Error).message ?? String(error)}`);
  }
  const rows = data.uint16('x00280010') ?? 0;
  const columns = data.uint16('x00280011') ?? 0;
  const bitsAllocated = data.uint16('x00280100') ?? 16;
  const bitsStored = data.uint16('x00280101') ?? bitsAllocated;
  const signed = (data.uint16('x00280103') ?? 0) === 1;
  const samples = data.uint16('x00280002') ?? 1;
  const photometric = str(data, 'x00280004') || 'MONOCHROME2';
  const slope = data.floatString('x00281053') ?? 1;
  const intercept = data.floatString('x00281052') ?? 0;
  const frames = Math.max(1, data.intString('x00280008') ?? 1);
  const tags: DicomTags = {
    patientId: str(data, 'x00100020'),
    patientName: str(data, 'x00100010').replace(/\^/g, ' ').trim(),
    modality: str(data, 'x00080060'),
    studyDate: str(data, 'x00080020'),
    seriesDescription: str(data, 'x0008103e'),
    rows,
    columns,
    frames,
    bitsAllocated,
    bitsStored,
    signed,
    photometric,
    transferSyntax: syntax,
    transferSyntaxName: transferSyntaxName(syntax),
    slope,
    intercept,
  };
  const pixelData = data.elements.x7fe00010;
  if (!pixelData) throw new DicomPreviewError('the file holds no image (no Pixel Data element)');
  if (rows === 0 || columns === 0) throw new DicomPreviewError('the image has no rows or columns');
  if (samples !== 1 || !photometric.startsWith('MONOCHROME'))
    throw new DicomPreviewError(
      `preview of ${photometric} images (${samples} samples per pixel) is not supported yet`,
    );
  if (![8, 16, 32].includes(bitsAllocated))
    throw new DicomPreviewError(`preview of ${bitsAllocated}-bit pixels is not supported yet`);
  const count = rows * columns;
  const step = bitsAllocated / 8;
  const index = Math.min(Math.max(0, frame), frames - 1);
  const start = pixelData.dataOffset + index * count * step;
  if (start + count * step > data.byteArray.byteLength)
    throw new DicomPreviewError('the pixel data is shorter than rows × columns says');
  const view = new DataView(data.byteArray.buffer, data.byteArray.byteOffset + start, count * step);
  const little = syntax !== BIG_ENDIAN;
  const unused = bitsAllocated - bitsStored;
  const read =
    bitsAllocated === 8
      ? (i: number) => (signed ? view.getInt8(i) : view.getUint8(i))
      : bitsAllocated === 16
        ? (i: number) => (signed ? view.getInt16(i * 2, little) : view.getUint16(i * 2, little))
        : (i: number) => (signed ? view.getInt32(i * 4, little) : view.getUint32(i * 4, little));
  // NOTE: bits above Bits Stored may hold overlays; mask them (sign-extending when signed).
  const mask = (value: number): number => {
    if (unused <= 0 || bitsAllocated === 32) return value;
    const shift = 32 - bitsStored;
    return signed ? (value << shift) >> shift : value & ((1 << bitsStored) - 1);
  };
  const pixels = new Float32Array(count);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i += 1) {
    const value = mask(read(i)) * slope + intercept;
    pixels[i] = value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const center = data.floatString('x00281050');
  const width = data.floatString('x00281051');
  const window =
    center !== undefined && width !== undefined && width > 0
      ? { center, width, fromFile: true }
      : { center: (min + max) / 2, width: Math.max(1, max - min), fromFile: false };
  return { width: columns, height: rows, pixels, window, inverted: photometric === 'MONOCHROME1', tags };
}

/** RGBA bytes of `image` under `window` (linear, clamped), for a canvas's ImageData. */
export function toGreyscale(
  image: DicomImage,
  window: { center: number; width: number } = image.window,
): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(new ArrayBuffer(image.pixels.length * 4));
  const low = window.center - window.width / 2;
  const scale = 255 / Math.max(1e-6, window.width);
  for (let i = 0; i < image.pixels.length; i += 1) {
    let grey = ((image.pixels[i] ?? 0) - low) * scale;
    if (image.inverted) grey = 255 - grey;
    out[i * 4] = grey;
    out[i * 4 + 1] = grey;
    out[i * 4 + 2] = grey;
    out[i * 4 + 3] = 255;
  }
  return out;
}
