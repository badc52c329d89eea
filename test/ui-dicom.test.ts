/** The UI's DICOM decoding, on bytes made by the test DICOM writer. */
import { describe, expect, it } from 'vitest';
import { DicomPreviewError, decodeDicom, toGreyscale } from '../ui/src/pages/repos/preview/dicom.js';
import { IMPLICIT_LE, JPEG_BASELINE, writeDicom } from './ui/dicom-writer.js';

function buffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

describe('decodeDicom', () => {
  it('decodes explicit VR 16-bit signed pixels with rescale and the file window', () => {
    const pixels = [-1000, 0, 500, 1000, 2000, 3000];
    const image = decodeDicom(
      buffer(
        writeDicom({
          rows: 2,
          columns: 3,
          pixels,
          signed: true,
          slope: 2,
          intercept: -10,
          windowCenter: 40,
          windowWidth: 400,
          patientId: 'P-42',
          modality: 'MR',
        }),
      ),
    );
    expect(image.width).toBe(3);
    expect(image.height).toBe(2);
    expect(Array.from(image.pixels)).toEqual(pixels.map((value) => value * 2 - 10));
    expect(image.window).toEqual({ center: 40, width: 400, fromFile: true });
    expect(image.tags).toMatchObject({
      patientId: 'P-42',
      modality: 'MR',
      rows: 2,
      columns: 3,
      bitsAllocated: 16,
      signed: true,
      transferSyntaxName: 'Explicit VR Little Endian',
    });
  });

  it('decodes implicit VR 8-bit unsigned pixels with an automatic window', () => {
    const image = decodeDicom(
      buffer(
        writeDicom({
          rows: 2,
          columns: 2,
          pixels: [10, 20, 30, 250],
          bitsAllocated: 8,
          transferSyntax: IMPLICIT_LE,
        }),
      ),
    );
    expect(Array.from(image.pixels)).toEqual([10, 20, 30, 250]);
    expect(image.window).toEqual({ center: 130, width: 240, fromFile: false });
    expect(image.tags.transferSyntaxName).toBe('Implicit VR Little Endian');
    const grey = toGreyscale(image);
    expect(grey[0]).toBe(0);
    expect(grey[12]).toBe(255);
    expect(grey[3]).toBe(255);
  });

  it('refuses compressed transfer syntaxes with a clear message', () => {
    const bytes = writeDicom({ rows: 1, columns: 2, pixels: [1, 2], transferSyntax: JPEG_BASELINE });
    expect(() => decodeDicom(buffer(bytes))).toThrow(DicomPreviewError);
    expect(() => decodeDicom(buffer(bytes))).toThrow(/JPEG Baseline .* not supported yet/);
  });

  it('refuses bytes that are not DICOM', () => {
    expect(() => decodeDicom(buffer(new TextEncoder().encode('hello')))).toThrow(/not a DICOM/);
  });
});
