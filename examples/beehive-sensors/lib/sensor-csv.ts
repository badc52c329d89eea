/**
 * The daily sensor file: `<sensor_id>/<YYYY-MM-DD>.csv`, a header line naming the columns
 * `timestamp,temperature,humidity,weight,sound_level` (in any order) and one reading per
 * line. No quoting: a field is the text between two commas.
 *
 * - `timestamp`: ISO 8601 with a time zone (`2026-06-01T00:10:00Z`, `...+02:00`), on the
 *   file's date in UTC.
 * - measures: decimal numbers within {@link MEASURE_RANGES}; an empty cell is a missing
 *   value (counted, not an error).
 *
 * A line that breaks a rule (wrong number of fields, a field that is not a number, a bad or
 * duplicate timestamp, a value out of range, a blank line) is skipped and reported as a
 * {@link CsvProblem} naming the file, the line and what was expected. A file that cannot be
 * used at all (empty, binary, a wrong header, no usable line) throws a
 * {@link SensorFileError}.
 */

/** The measures of a reading, in the order of {@link Reading.values}. */
export const MEASURES = ['temperature', 'humidity', 'weight', 'sound_level'] as const;
export type Measure = (typeof MEASURES)[number];

/** The columns a sensor file must have. */
export const CSV_COLUMNS = ['timestamp', ...MEASURES] as const;

/** Plausible values of each measure (°C, %RH, kg, dB); anything outside is a sensor fault. */
export const MEASURE_RANGES: Record<Measure, readonly [number, number]> = {
  temperature: [-40, 70],
  humidity: [0, 100],
  weight: [0, 500],
  sound_level: [0, 140],
};

/** One reading: its time (ms since the epoch) and the measures, `null` where missing. */
export interface Reading {
  time: number;
  values: (number | null)[];
}

/** A skipped line (or an ignored file, `line` 0): where, what was found, what was expected. */
export interface CsvProblem {
  /** The file's repo path inside the sensor folder, `hive-03/2026-06-02.csv`. */
  file: string;
  /** 1-based; the header is line 1; 0 for a problem with the whole file. */
  line: number;
  found: string;
  expected: string;
}

/** The readings of one file and what had to be skipped. */
export interface ParsedSensorFile {
  /** Sorted by time. */
  readings: Reading[];
  problems: CsvProblem[];
  /** Empty cells among the kept readings. */
  missing: number;
}

/** A sensor file that cannot be used at all. */
export class SensorFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${line > 0 ? `${file}:${line}` : file}: ${reason}`);
    this.name = 'SensorFileError';
  }
}

/** Renders a problem as `file:line: found; expected ...`. */
export function formatProblem(problem: CsvProblem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}` : problem.file;
  return `${where}: ${problem.found}; expected ${problem.expected}`;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const TIMESTAMP_EXPECTED = 'an ISO 8601 date-time with a time zone, e.g. 2026-06-01T00:10:00Z';

/** Milliseconds since the epoch for a valid timestamp, or `null`. */
export function parseTimestamp(text: string): number | null {
  const match = TIMESTAMP.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '0'] = match.map((part) => part ?? '');
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  // Date.UTC rolls 2026-02-30 over to March: a date that does not round-trip does not exist.
  if (calendar.getUTCMonth() !== Number(month) - 1 || calendar.getUTCDate() !== Number(day)) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  const time = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(time) ? time : null;
}

/**
 * Parses one daily file. `day` (`YYYY-MM-DD`, from the file name) makes readings on
 * another UTC date problems.
 *
 * @throws SensorFileError when nothing in the file can be used.
 */
export function parseSensorCsv(text: string, file: string, day?: string): ParsedSensorFile {
  if (text.includes('\0')) throw new SensorFileError(file, 0, 'a binary file; expected CSV text');
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  if (lines.length === 0) {
    throw new SensorFileError(file, 0, `the file is empty; expected a header line ${CSV_COLUMNS.join(',')}`);
  }
  const columns = headerColumns(lines[0] ?? '', file);
  const problems: CsvProblem[] = [];
  const seen = new Set<number>();
  const readings: Reading[] = [];
  let missing = 0;
  for (let index = 1; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const skip = (found: string, expected: string): void => {
      problems.push({ file, line: index + 1, found, expected });
    };
    if (line.trim() === '') {
      skip('a blank line', `a reading: ${CSV_COLUMNS.join(',')}`);
      continue;
    }
    const fields = line.split(',');
    if (fields.length !== CSV_COLUMNS.length) {
      skip(`${fields.length} fields`, `${CSV_COLUMNS.length} (${columns.join(',')})`);
      continue;
    }
    const stamp = (fields[columns.indexOf('timestamp')] ?? '').trim();
    const time = parseTimestamp(stamp);
    if (time === null) {
      skip(`timestamp '${stamp}'`, TIMESTAMP_EXPECTED);
      continue;
    }
    if (day !== undefined && new Date(time).toISOString().slice(0, 10) !== day) {
      skip(
        `timestamp '${stamp}' (UTC date ${new Date(time).toISOString().slice(0, 10)})`,
        `a time on ${day}`,
      );
      continue;
    }
    if (seen.has(time)) {
      skip(`timestamp '${stamp}' a second time`, 'one reading per timestamp');
      continue;
    }
    const values: (number | null)[] = [];
    let bad: [string, string] | null = null;
    for (const measure of MEASURES) {
      const cell = (fields[columns.indexOf(measure)] ?? '').trim();
      if (cell === '') {
        values.push(null);
        continue;
      }
      const [low, high] = MEASURE_RANGES[measure];
      const value = NUMBER.test(cell) ? Number(cell) : Number.NaN;
      if (Number.isNaN(value)) {
        bad = [`${measure} '${cell}'`, 'a decimal number or an empty cell (missing)'];
        break;
      }
      if (value < low || value > high) {
        bad = [`${measure} ${cell}`, `a value from ${low} to ${high}`];
        break;
      }
      values.push(value);
    }
    if (bad) {
      skip(bad[0], bad[1]);
      continue;
    }
    seen.add(time);
    missing += values.filter((value) => value === null).length;
    readings.push({ time, values });
  }
  if (readings.length === 0) {
    const why = lines.length === 1 ? 'it has no readings' : `none of its ${lines.length - 1} lines is usable`;
    throw new SensorFileError(file, 0, `${why}; expected readings after the header`);
  }
  readings.sort((a, b) => a.time - b.time);
  return { readings, problems, missing };
}

/** The header's column names, checked: exactly {@link CSV_COLUMNS}, in any order. */
function headerColumns(header: string, file: string): string[] {
  const columns = header.split(',').map((name) => name.trim().toLowerCase());
  const absent = CSV_COLUMNS.filter((name) => !columns.includes(name));
  const unknown = columns.filter((name) => !(CSV_COLUMNS as readonly string[]).includes(name));
  const repeated = columns.filter((name, index) => columns.indexOf(name) !== index);
  if (absent.length === 0 && unknown.length === 0 && repeated.length === 0) return columns;
  const found = [
    absent.length > 0 ? `missing ${absent.join(', ')}` : '',
    unknown.length > 0 ? `unknown ${unknown.map((name) => `'${name}'`).join(', ')}` : '',
    repeated.length > 0 ? `repeated ${repeated.join(', ')}` : '',
  ].filter(Boolean);
  throw new SensorFileError(
    file,
    1,
    `header '${header.slice(0, 120)}' (${found.join('; ')}); expected the columns ${CSV_COLUMNS.join(', ')} in any order`,
  );
}
