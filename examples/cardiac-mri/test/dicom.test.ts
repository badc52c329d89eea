/**
 * decodeDicom on a generated Sunnybrook-like dataset (scripts/generate.py --compressed
 * --defects): every slice decodes to the values pydicom reads (compressed ones after dcmtk
 * decompresses them), in all four transfer syntaxes; broken files are DicomErrors that say
 * which file and what is wrong; the bright blood pool is where the generator drew it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomError, decodeDicom } from '../lib/dicom.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPTS = fileURLToPath(new URL('../scripts/', import.meta.url));

interface TruthSlice {
  file: string;
  n: number;
  transferSyntax: string;
  rows: number;
  columns: number;
  pool: { x: number; y: number; rx: number; ry: number };
  contour: boolean;
}
interface Truth {
  patients: { patient_id: string; original_id: string; slices: TruthSlice[] }[];
  defects: { file: string; kind: string }[];
}
interface Reference {
  file: string;
  rows: number;
  columns: number;
  offset: number;
}

const SYNTAXES = [
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
];

let root = '';
let truth: Truth;
/** The slices without planted defects, with the patient they belong to. */
let valid: (TruthSlice & { patientId: string })[] = [];
/** pydicom's modality values for `valid`, in order. */
let reference: { index: Reference[]; values: Float32Array };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cardiac-mri-dicom-'));
  await run(PYTHON, [join(SCRIPTS, 'generate.py'), root, '--compressed', '--defects']);
  truth = JSON.parse(await readFile(join(root, 'truth.json'), 'utf8')) as Truth;
  const broken = new Set(truth.defects.map((defect) => defect.file));
  valid = truth.patients.flatMap((patient) =>
    patient.slices
      .filter((slice) => !broken.has(slice.file))
      .map((slice) => ({ ...slice, patientId: patient.patient_id })),
  );
  const out = join(root, 'reference.f32');
  const { stdout } = await run(
    PYTHON,
    [join(SCRIPTS, 'pixels.py'), out, ...valid.map((slice) => join(root, slice.file))],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const bytes = await readFile(out);
  reference = {
    index: JSON.parse(stdout) as Reference[],
    values: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4),
  };
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function decodeFile(file: string) {
  return decodeDicom(await readFile(join(root, file)), file);
}

/** What decoding `bytes` threw, as a DicomError's message. */
async function failure(bytes: Uint8Array, file: string): Promise<string> {
  const error: unknown = await decodeDicom(bytes, file).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DicomError);
  expect((error as DicomError).file).toBe(file);
  return (error as DicomError).message;
}

/** `bytes` with the 2-byte little-endian value of the first explicit-VR US element `tag` replaced. */
function withUs(bytes: Uint8Array, group: number, element: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const needle = [group & 0xff, group >> 8, element & 0xff, element >> 8, 0x55, 0x53, 2, 0];
  const at = Buffer.from(copy).indexOf(Buffer.from(needle));
  if (at < 0) throw new Error(`no US element (${group.toString(16)},${element.toString(16)})`);
  copy[at + 8] = value & 0xff;
  copy[at + 9] = value >> 8;
  return copy;
}

function explicitSlice(): TruthSlice {
  const slice = valid.find((candidate) => candidate.transferSyntax === '1.2.840.10008.1.2.1');
  if (!slice) throw new Error('no explicit VR slice');
  return slice;
}

describe('decodeDicom', () => {
  it('decodes every valid slice to the modality values pydicom reads', async () => {
    expect(valid.length).toBeGreaterThan(30);
    for (const [position, slice] of valid.entries()) {
      const decoded = await decodeFile(slice.file);
      const ref = reference.index[position]!;
      expect({ width: decoded.width, height: decoded.height }).toEqual({
        width: ref.columns,
        height: ref.rows,
      });
      expect(decoded.patientId).toBe(slice.patientId);
      expect(decoded.instanceNumber).toBe(slice.n);
      const expected = reference.values.subarray(ref.offset, ref.offset + ref.rows * ref.columns);
      let mismatches = 0;
      for (let index = 0; index < expected.length; index += 1) {
        if (decoded.pixels[index] !== expected[index]) mismatches += 1;
      }
      expect(mismatches, `${slice.file} (${slice.transferSyntax})`).toBe(0);
    }
  });

  it('reads all four transfer syntaxes the dataset holds', async () => {
    const seen = new Set<string>();
    for (const slice of valid) {
      const decoded = await decodeFile(slice.file);
      expect(decoded.transferSyntax).toBe(slice.transferSyntax);
      seen.add(decoded.transferSyntax);
    }
    expect([...seen].sort()).toEqual(SYNTAXES);
  });

  it('finds the blood pool brighter than the rest of the slice', async () => {
    for (const slice of valid) {
      const { pixels, width, height } = await decodeFile(slice.file);
      const { x, y, rx, ry } = slice.pool;
      let inside = 0;
      let insideCount = 0;
      let outside = 0;
      for (let row = 0; row < height; row += 1) {
        for (let column = 0; column < width; column += 1) {
          const value = pixels[row * width + column]!;
          if (((column - x) / rx) ** 2 + ((row - y) / ry) ** 2 <= 1) {
            inside += value;
            insideCount += 1;
          } else outside += value;
        }
      }
      const insideMean = inside / insideCount;
      const outsideMean = outside / (width * height - insideCount);
      expect(insideMean, slice.file).toBeGreaterThan(2 * outsideMean);
    }
  });

  it('reports a truncated file and one without a preamble, naming the file', async () => {
    const messages: string[] = [];
    for (const defect of truth.defects.filter((candidate) => candidate.file.endsWith('.dcm'))) {
      messages.push(await failure(await readFile(join(root, defect.file)), defect.file));
    }
    expect(messages).toMatchInlineSnapshot(`
      [
        "dicoms/SCD0000101/2.dcm: truncated: pixel data needs 131072 bytes, file has 65536",
        "dicoms/SCD0000102/11.dcm: not a DICOM file: no 'DICM' at byte 128",
      ]
    `);
  });

  it('names what is missing or unsupported in an otherwise readable file', async () => {
    const slice = explicitSlice();
    const bytes = await readFile(join(root, slice.file));
    const file = 'edited.dcm';
    // (0028,0010) Rows → (0028,0012), a retired tag of the same VR.
    const noRows = Uint8Array.from(bytes);
    const rowsAt = Buffer.from(noRows).indexOf(Buffer.from([0x28, 0, 0x10, 0, 0x55, 0x53]));
    noRows[rowsAt + 2] = 0x12;
    // (7FE0,0010) PixelData → (7FE0,0008), Float Pixel Data.
    const noPixels = Uint8Array.from(bytes);
    const pixelsAt = Buffer.from(noPixels).lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0, 0x4f, 0x57]));
    noPixels[pixelsAt + 2] = 0x08;
    const jpegLs = valid.find((candidate) => candidate.transferSyntax === '1.2.840.10008.1.2.4.80')!;
    const jpeg2000 = Buffer.from(await readFile(join(root, jpegLs.file)));
    const uidAt = jpeg2000.indexOf('1.2.840.10008.1.2.4.80');
    jpeg2000.write('1.2.840.10008.1.2.4.90', uidAt);
    expect([
      await failure(noRows, file),
      await failure(noPixels, file),
      await failure(withUs(bytes, 0x0028, 0x0002, 3), file),
      await failure(jpeg2000, file),
      await failure(Buffer.concat([bytes.subarray(0, 132), Buffer.from('not a data set at all')]), file),
      await failure(new Uint8Array(20), file),
    ]).toMatchInlineSnapshot(`
      [
        "edited.dcm: missing Rows (0028,0010)",
        "edited.dcm: missing PixelData (7FE0,0010)",
        "edited.dcm: colour images are not supported: SamplesPerPixel 3, PhotometricInterpretation MONOCHROME2; allowed: 1 sample, MONOCHROME1 or MONOCHROME2",
        "edited.dcm: unsupported transfer syntax 1.2.840.10008.1.2.4.90 (JPEG 2000 lossless); supported: 1.2.840.10008.1.2, 1.2.840.10008.1.2.1, 1.2.840.10008.1.2.4.57, 1.2.840.10008.1.2.4.70, 1.2.840.10008.1.2.4.80, 1.2.840.10008.1.2.4.81",
        "edited.dcm: unreadable DICOM: dicomParser.parseDicom: missing required meta header attribute 0002,0010",
        "edited.dcm: not a DICOM file: no 'DICM' at byte 128 (file has 20 bytes)",
      ]
    `);
  });

  it('turns corrupt compressed pixel data into a DicomError instead of a crash or hang', async () => {
    const outcomes: unknown[] = [];
    for (const syntax of ['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.70']) {
      const slice = valid.find((candidate) => candidate.transferSyntax === syntax)!;
      const bytes = await readFile(join(root, slice.file));
      const cut = bytes.subarray(0, bytes.length - Math.floor(bytes.length / 3));
      expect(await failure(cut, slice.file)).toMatch(/^dicoms\/.+\.dcm: truncated: encapsulated pixel data/);
      const scrambled = Uint8Array.from(bytes);
      // Zero the middle of the compressed stream, keeping the DICOM structure intact.
      scrambled.fill(0, bytes.length - 20_000, bytes.length - 10_000);
      const outcome = await decodeDicom(scrambled, slice.file).then(
        (decoded) => `decoded ${decoded.pixels.length} pixels`,
        (error: unknown) => (error instanceof DicomError ? error.message : error),
      );
      outcomes.push(outcome);
    }
    // The JPEG lossless decoder has no checks: it turns a damaged stream into wrong pixels.
    expect(outcomes).toMatchInlineSnapshot(`
      [
        "dicoms/SCD0000101/3.dcm: JPEG-LS: CharLS could not decode the frame (corrupt or unsupported bitstream)",
        "decoded 65536 pixels",
      ]
    `);
  });
});
