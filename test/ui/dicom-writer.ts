/**
 * A tiny DICOM Part 10 writer for tests: a 128-byte preamble, `DICM`, the file meta group
 * (always explicit VR little endian) and a greyscale image data set in explicit or implicit
 * VR little endian. Enough to feed the UI's DICOM preview real bytes without fixture files.
 */

/** Explicit VR little endian. */
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
/** Implicit VR little endian. */
export const IMPLICIT_LE = '1.2.840.10008.1.2';
/** JPEG baseline (the writer only labels the data; pixels stay raw). */
export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

/** What {@link writeDicom} encodes. */
export interface DicomSpec {
  rows: number;
  columns: number;
  /** One value per pixel, row by row. */
  pixels: ArrayLike<number>;
  bitsAllocated?: 8 | 16;
  signed?: boolean;
  transferSyntax?: string;
  slope?: number;
  intercept?: number;
  windowCenter?: number;
  windowWidth?: number;
  patientId?: string;
  modality?: string;
}

type Vr = 'UL' | 'OB' | 'OW' | 'UI' | 'CS' | 'LO' | 'PN' | 'US' | 'DS' | 'IS';
const LONG_VRS = new Set<Vr>(['OB', 'OW']);

function text(value: string, pad: number): Uint8Array {
  const bytes = Buffer.from(value, 'latin1');
  return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from([pad])]);
}

function u16(value: number): Uint8Array {
  const out = Buffer.alloc(2);
  out.writeUInt16LE(value);
  return out;
}

function element(group: number, item: number, vr: Vr, value: Uint8Array, explicit: boolean): Buffer {
  const head = Buffer.alloc(explicit && LONG_VRS.has(vr) ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(item, 2);
  if (!explicit) head.writeUInt32LE(value.length, 4);
  else if (LONG_VRS.has(vr)) {
    head.write(vr, 4, 'latin1');
    head.writeUInt32LE(value.length, 8);
  } else {
    head.write(vr, 4, 'latin1');
    head.writeUInt16LE(value.length, 6);
  }
  return Buffer.concat([head, value]);
}

/** The bytes of a DICOM file holding one greyscale frame as described by `spec`. */
export function writeDicom(spec: DicomSpec): Uint8Array {
  const syntax = spec.transferSyntax ?? EXPLICIT_LE;
  const explicit = syntax !== IMPLICIT_LE;
  const bits = spec.bitsAllocated ?? 16;
  const signed = spec.signed ?? false;
  const meta = Buffer.concat([
    element(0x0002, 0x0001, 'OB', Uint8Array.from([0, 1]), true),
    element(0x0002, 0x0002, 'UI', text('1.2.840.10008.5.1.4.1.1.7', 0), true),
    element(0x0002, 0x0003, 'UI', text('1.2.3.4.5.6.7.8', 0), true),
    element(0x0002, 0x0010, 'UI', text(syntax, 0), true),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(meta.length);
  const pixelBytes = Buffer.alloc(
    spec.rows * spec.columns * (bits / 8) + ((spec.rows * spec.columns) % 2) * (bits === 8 ? 1 : 0),
  );
  for (let index = 0; index < spec.rows * spec.columns; index += 1) {
    const value = Math.round(spec.pixels[index] ?? 0);
    if (bits === 8) {
      if (signed) pixelBytes.writeInt8(value, index);
      else pixelBytes.writeUInt8(value, index);
    } else if (signed) pixelBytes.writeInt16LE(value, index * 2);
    else pixelBytes.writeUInt16LE(value, index * 2);
  }
  const data: Buffer[] = [
    element(0x0008, 0x0060, 'CS', text(spec.modality ?? 'CT', 0x20), explicit),
    element(0x0010, 0x0020, 'LO', text(spec.patientId ?? 'PATIENT-1', 0x20), explicit),
    element(0x0028, 0x0002, 'US', u16(1), explicit),
    element(0x0028, 0x0004, 'CS', text('MONOCHROME2', 0x20), explicit),
    element(0x0028, 0x0010, 'US', u16(spec.rows), explicit),
    element(0x0028, 0x0011, 'US', u16(spec.columns), explicit),
    element(0x0028, 0x0100, 'US', u16(bits), explicit),
    element(0x0028, 0x0101, 'US', u16(bits), explicit),
    element(0x0028, 0x0102, 'US', u16(bits - 1), explicit),
    element(0x0028, 0x0103, 'US', u16(signed ? 1 : 0), explicit),
  ];
  if (spec.windowCenter !== undefined && spec.windowWidth !== undefined) {
    data.push(element(0x0028, 0x1050, 'DS', text(String(spec.windowCenter), 0x20), explicit));
    data.push(element(0x0028, 0x1051, 'DS', text(String(spec.windowWidth), 0x20), explicit));
  }
  if (spec.intercept !== undefined)
    data.push(element(0x0028, 0x1052, 'DS', text(String(spec.intercept), 0x20), explicit));
  if (spec.slope !== undefined)
    data.push(element(0x0028, 0x1053, 'DS', text(String(spec.slope), 0x20), explicit));
  data.push(element(0x7fe0, 0x0010, bits === 8 ? 'OB' : 'OW', pixelBytes, explicit));
  return new Uint8Array(
    Buffer.concat([
      Buffer.alloc(128),
      Buffer.from('DICM', 'latin1'),
      element(0x0002, 0x0000, 'UL', length, true),
      meta,
      ...data,
    ]),
  );
}
