/**
 * Contour files and the link file of the Sunnybrook layout.
 *
 * A contour file holds one `x y` pair per line: a closed polygon (the last point joins the
 * first) in the pixel coordinates of its slice, x along columns and y along rows. Its name,
 * `IM-0001-<nnnn>-icontour-manual.txt`, says which slice it outlines: `<n>.dcm` of the
 * linked patient folder.
 */

/** A defect in an input file: where it is and what was expected. */
export class InputDefect extends Error {
  readonly file: string;
  readonly reason: string;

  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.file = file;
    this.reason = reason;
  }
}

export interface Point {
  x: number;
  y: number;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Parses a contour file's text; throws an {@link InputDefect} naming the line that is wrong. */
export function parseContour(text: string, file: string): Point[] {
  const points: Point[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    const fields = trimmed.split(/\s+/);
    if (fields.length !== 2)
      throw new InputDefect(
        `${file}:${index + 1}`,
        `expected two numbers 'x y', found ${fields.length} field${fields.length === 1 ? '' : 's'} ('${trimmed.slice(0, 40)}')`,
      );
    const [x, y] = fields.map((field) => (NUMBER.test(field) ? Number(field) : Number.NaN)) as [
      number,
      number,
    ];
    if (!Number.isFinite(x) || !Number.isFinite(y))
      throw new InputDefect(
        `${file}:${index + 1}`,
        `expected two numbers 'x y', found '${trimmed.slice(0, 40)}'`,
      );
    points.push({ x, y });
  });
  if (points.length < 3)
    throw new InputDefect(
      file,
      `a contour needs at least 3 points to enclose an area, found ${points.length}`,
    );
  return points;
}

const CONTOUR_NAME = /^IM-0001-(\d{4})-icontour-manual\.txt$/;

/** The slice number an i-contour file outlines, or `null` when the name is not an i-contour's. */
export function contourSlice(name: string): number | null {
  const match = CONTOUR_NAME.exec(name);
  return match ? Number(match[1]) : null;
}

export interface LinkRow {
  patientId: string;
  originalId: string;
  /** 1-based line in the link file. */
  line: number;
}

/**
 * Parses `link.csv` (`patient_id,original_id` header, one row per patient). A malformed
 * row is an {@link InputDefect} in `defects`; the good rows are returned.
 */
export function parseLinks(text: string, file: string): { rows: LinkRow[]; defects: InputDefect[] } {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((field) => field.trim().replace(/^\uFEFF/, ''));
  const patient = header.indexOf('patient_id');
  const original = header.indexOf('original_id');
  if (patient < 0 || original < 0)
    throw new InputDefect(
      `${file}:1`,
      `expected a header with 'patient_id' and 'original_id', found '${lines[0] ?? ''}'`,
    );
  const rows: LinkRow[] = [];
  const defects: InputDefect[] = [];
  const seen = new Map<string, number>();
  lines.slice(1).forEach((line, index) => {
    const number = index + 2;
    if (line.trim() === '') return;
    const fields = line.split(',').map((field) => field.trim());
    const patientId = fields[patient] ?? '';
    const originalId = fields[original] ?? '';
    if (fields.length !== header.length || !patientId || !originalId) {
      defects.push(
        new InputDefect(
          `${file}:${number}`,
          `expected ${header.length} fields with a patient_id and an original_id, found '${line}'`,
        ),
      );
      return;
    }
    if (!/^[A-Za-z0-9._-]+$/.test(patientId) || !/^[A-Za-z0-9._-]+$/.test(originalId)) {
      defects.push(
        new InputDefect(
          `${file}:${number}`,
          `ids may hold letters, digits, '.', '_' and '-', found '${line}'`,
        ),
      );
      return;
    }
    const earlier = seen.get(patientId);
    if (earlier !== undefined) {
      defects.push(
        new InputDefect(`${file}:${number}`, `patient '${patientId}' is already linked on line ${earlier}`),
      );
      return;
    }
    seen.set(patientId, number);
    rows.push({ patientId, originalId, line: number });
  });
  return { rows, defects };
}
