/**
 * Reading one sensor's datum: the folder a `/*` glob over the `sensors` repo gives a step,
 * holding `<sensor_id>/<YYYY-MM-DD>.csv` files at their repo paths.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type SensorDay } from './features.js';
import { parseSensorCsv, SensorFileError, type CsvProblem } from './sensor-csv.js';

/** A sensor id: letters, digits, '-', '_' and '.', starting with a letter or digit. */
export const SENSOR_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.csv$/;
/** The largest daily file read (a day at 10-minute resolution is about 6 KB). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** A sensor's days, the lines and files skipped, and the empty cells among kept readings. */
export interface SensorData {
  sensor_id: string;
  days: SensorDay[];
  problems: CsvProblem[];
  missing: number;
  /** Lines read, header excluded. */
  lines: number;
}

/**
 * Reads and parses the latest `windowDays` daily files (all when not given) of the one
 * sensor in `dir`; older files are not read. Files that are not
 * `<sensor_id>/<YYYY-MM-DD>.csv` are reported as problems (line 0) and left out.
 *
 * @throws SensorFileError when a daily file is unusable as a whole, or Error when the
 *   folder does not hold exactly one sensor with at least one daily file.
 */
export async function readSensorDatum(dir: string, windowDays = Infinity): Promise<SensorData> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    throw new Error(`cannot read the datum folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
  const sensors = [...new Set(files.map((file) => file.split('/')[0] ?? ''))];
  if (sensors.length !== 1) {
    throw new Error(
      `the datum holds ${sensors.length === 0 ? 'no sensor' : `${sensors.length} sensors (${sensors.slice(0, 5).join(', ')})`}; expected one folder <sensor_id>/ (glob '/*' on the sensors repo)`,
    );
  }
  const sensorId = sensors[0] as string;
  if (!SENSOR_ID.test(sensorId)) {
    throw new Error(`sensor folder '${sensorId}': expected letters, digits, '-', '_' or '.', at most 64`);
  }
  const problems: CsvProblem[] = [];
  const days: SensorDay[] = [];
  let missing = 0;
  let lines = 0;
  const daily: { file: string; day: string }[] = [];
  for (const file of files) {
    const parts = file.split('/');
    const day = parts.length === 2 ? DAY_FILE.exec(parts[1] ?? '')?.[1] : undefined;
    if (day === undefined) {
      problems.push({
        file,
        line: 0,
        found: 'a file that is not a daily sensor file',
        expected: '<sensor_id>/<YYYY-MM-DD>.csv',
      });
    } else daily.push({ file, day });
  }
  // Files are sorted by path, so by day within the one sensor folder.
  for (const { file, day } of daily.slice(-windowDays)) {
    const data = await readFile(join(dir, file));
    if (data.byteLength > MAX_FILE_BYTES) {
      throw new SensorFileError(file, 0, `${data.byteLength} bytes; expected at most ${MAX_FILE_BYTES}`);
    }
    const parsed = parseSensorCsv(data.toString('utf8'), file, day);
    lines += parsed.readings.length + parsed.problems.length;
    problems.push(...parsed.problems);
    missing += parsed.missing;
    days.push({ day, readings: parsed.readings });
  }
  if (days.length === 0) {
    throw new Error(`sensor ${sensorId}: no daily file; expected ${sensorId}/<YYYY-MM-DD>.csv`);
  }
  return { sensor_id: sensorId, days, problems, missing, lines };
}
