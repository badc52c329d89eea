/**
 * `cardiac-mri` per patient: one datum is a patient folder `dicoms/<patient_id>/`, crossed
 * with `link.csv` and the contour folders. Every DICOM is decoded; every i-contour of the
 * linked contour folder is parsed, paired with its slice (`IM-0001-<nnnn>-…` outlines
 * `<n>.dcm`) and rasterised to a mask of the slice's size. Each pair becomes a datapoint file
 * `<patient_id>/<nnnn>.arrays` (`image` float32 [H,W] in modality units, `mask` uint8 [H,W]).
 *
 * A defect — a DICOM that does not decode, a contour that does not parse, a contour whose
 * slice is missing, a patient without a link row or a link naming a missing contour folder —
 * skips what it affects and is reported with its file and reason; the patient's other
 * datapoints are still made.
 */
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepContext } from 'sluice';
import { encodeArrays } from 'sluice/arrays';
import { contourSlice, InputDefect, parseContour, parseLinks, type LinkRow } from '../lib/contours.js';
import { decodeDicom, DicomError, type DicomSlice } from '../lib/dicom.js';
import { rasterise } from '../lib/mask.js';

/** A skipped input and why. */
export interface Skipped {
  file: string;
  reason: string;
}

/** What one patient datum made and skipped. */
export interface PatientReport {
  patient_id: string;
  original_id: string | null;
  slices: number;
  contours: number;
  datapoints: number;
  skipped: Skipped[];
  /** The link file's good rows (the summary checks each names a patient folder that exists). */
  links: LinkRow[];
  /** Defects of the link file itself (the same in every datum; the summary reports them once). */
  link_defects: Skipped[];
}

async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

const skippedOf = (error: unknown, file: string): Skipped =>
  error instanceof InputDefect || error instanceof DicomError
    ? { file: error.file, reason: error.reason }
    : { file, reason: error instanceof Error ? error.message : String(error) };

export default async function loadPatient(ctx: StepContext<{ patients: string }>) {
  const root = ctx.inputs.patients;
  const [patientId] = await entries(join(root, 'dicoms', 'dicoms'));
  if (!patientId) throw new Error(`datum ${ctx.datum} holds no patient folder under dicoms/`);
  const skipped: Skipped[] = [];
  const skip = (item: Skipped): void => {
    skipped.push(item);
    ctx.log.warn(`skipped ${item.file}: ${item.reason}`);
  };

  const linkText = await readFile(join(root, 'link', 'link.csv'), 'utf8');
  let links: LinkRow[] = [];
  let linkDefects: Skipped[] = [];
  try {
    const parsed = parseLinks(linkText, 'link.csv');
    links = parsed.rows;
    linkDefects = parsed.defects.map((defect) => ({ file: defect.file, reason: defect.reason }));
  } catch (error) {
    linkDefects = [skippedOf(error, 'link.csv')];
  }
  const link = links.find((row) => row.patientId === patientId);

  // Every slice is decoded, paired or not: a broken file is reported either way.
  const patientDir = join(root, 'dicoms', 'dicoms', patientId);
  const slices = new Map<number, DicomSlice>();
  const dicomNames = (await entries(patientDir)).filter((name) => /^\d+\.dcm$/.test(name));
  for (const name of dicomNames) {
    const file = `dicoms/${patientId}/${name}`;
    try {
      slices.set(Number(name.slice(0, -4)), await decodeDicom(await readFile(join(patientDir, name)), file));
    } catch (error) {
      skip(skippedOf(error, file));
    }
  }
  for (const name of await entries(patientDir))
    if (!/^\d+\.dcm$/.test(name))
      skip({ file: `dicoms/${patientId}/${name}`, reason: "not a slice file '<n>.dcm'" });

  const report = (contours: number, datapoints: number): { report: PatientReport } => ({
    report: {
      patient_id: patientId,
      original_id: link?.originalId ?? null,
      slices: dicomNames.length,
      contours,
      datapoints,
      skipped,
      links,
      link_defects: linkDefects,
    },
  });
  const out = ctx.outputDir('datapoints');
  if (!link) {
    skip({
      file: `dicoms/${patientId}`,
      reason: 'link.csv has no row for this patient folder: no contours to pair',
    });
    return report(0, 0);
  }
  const contourDir = join(root, 'contours', 'contourfiles', link.originalId, 'i-contours');
  const contourNames = (await entries(contourDir)).filter((name) => contourSlice(name) !== null);
  if (
    contourNames.length === 0 &&
    (await entries(join(root, 'contours', 'contourfiles', link.originalId))).length === 0
  ) {
    skip({
      file: `link.csv:${link.line}`,
      reason: `names contour folder contourfiles/${link.originalId}, which does not exist`,
    });
    return report(0, 0);
  }

  let datapoints = 0;
  for (const name of contourNames) {
    const file = `contourfiles/${link.originalId}/i-contours/${name}`;
    const number = contourSlice(name)!;
    try {
      const points = parseContour(await readFile(join(contourDir, name), 'utf8'), file);
      const slice = slices.get(number);
      if (!slice) {
        const dicom = `dicoms/${patientId}/${number}.dcm`;
        skip({
          file,
          reason: dicomNames.includes(`${number}.dcm`)
            ? `its slice ${dicom} could not be decoded (reported above)`
            : `outlines slice ${number}, but ${dicom} does not exist`,
        });
        continue;
      }
      const mask = rasterise(points, slice.width, slice.height);
      const bundle = encodeArrays({
        meta: {
          patient_id: patientId,
          original_id: link.originalId,
          slice: number,
          dicom: `dicoms/${patientId}/${number}.dcm`,
          contour: file,
        },
        arrays: {
          image: { dtype: 'float32', shape: [slice.height, slice.width], data: slice.pixels },
          mask: { dtype: 'uint8', shape: [slice.height, slice.width], data: mask },
        },
      });
      await mkdir(join(out, patientId), { recursive: true });
      await writeFile(join(out, patientId, `${String(number).padStart(4, '0')}.arrays`), bundle);
      datapoints += 1;
    } catch (error) {
      skip(skippedOf(error, file));
    }
  }
  ctx.metric('datapoints', datapoints);
  ctx.metric('skipped', skipped.length);
  return report(contourNames.length, datapoints);
}
