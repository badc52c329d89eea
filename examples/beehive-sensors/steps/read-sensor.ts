/**
 * Reading a sensor's datum inside a step: every skipped line is logged with its file and
 * line, and counted in the `malformed_rows` metric, so bad rows are neither fatal nor silent.
 */
import { sensorFeatures, type SensorFeatures } from '../lib/features.js';
import { formatProblem, type CsvProblem } from '../lib/sensor-csv.js';
import { readSensorDatum } from '../lib/sensor-datum.js';
import type { StepContext } from 'sluice';

/** Lines logged one by one per datum; the rest are summed up in one line. */
export const MAX_LOGGED_PROBLEMS = 100;

/** What a step needs of its context here. */
interface Reporter {
  log: StepContext['log'];
  metric(key: string, value: number): void;
}

/** A sensor's features and what reading it found. */
export interface ReadSensor {
  features: SensorFeatures;
  problems: CsvProblem[];
  /** Milliseconds spent reading, parsing and computing. */
  ms: number;
}

/**
 * Reads the sensor in `dir` (its latest `windowDays` days), logs and counts the problems,
 * and computes its features.
 *
 * @throws when a daily file is unusable as a whole (the datum fails with that message).
 */
export async function readSensor(ctx: Reporter, dir: string, windowDays: number): Promise<ReadSensor> {
  const started = performance.now();
  const data = await readSensorDatum(dir, windowDays);
  for (const problem of data.problems.slice(0, MAX_LOGGED_PROBLEMS)) {
    ctx.log.warn(`skipped ${formatProblem(problem)}`);
  }
  if (data.problems.length > MAX_LOGGED_PROBLEMS) {
    ctx.log.warn(`… and ${data.problems.length - MAX_LOGGED_PROBLEMS} more problems not shown`);
  }
  const features = sensorFeatures(data.sensor_id, data.days, windowDays);
  const ms = performance.now() - started;
  ctx.metric('malformed_rows', data.problems.length);
  ctx.metric('missing_values', features.missing);
  ctx.metric('readings', features.readings);
  ctx.metric('feature_ms', ms);
  ctx.log.info(
    `${data.sensor_id}: ${features.readings} readings over ${features.days} days ` +
      `(${features.first_day} to ${features.last_day}), ${features.missing} missing values, ` +
      `${data.problems.length} malformed ${data.problems.length === 1 ? 'line' : 'lines'} skipped`,
  );
  return { features, problems: data.problems, ms };
}
