/**
 * Features of one sensor (one hive) over its latest days, as one vector for clustering.
 *
 * For each measure (temperature, humidity, weight, sound_level), over the readings of the
 * window (the sensor's latest `windowDays` days that have a file):
 *
 * | feature          | what                                                              |
 * |------------------|-------------------------------------------------------------------|
 * | `<m>_mean`       | mean of the readings                                              |
 * | `<m>_std`        | population standard deviation (ddof 0) of the readings            |
 * | `<m>_min`/`_max` | extremes                                                          |
 * | `<m>_slope`      | least-squares slope against time, in units per day (the trend)    |
 * | `<m>_daily_range`| mean over days of (max − min) that day: the daily cycle's size    |
 *
 * Missing values (empty cells) are left out of every statistic; a feature with no readings
 * at all is `null` (the feature model imputes it, see `feature-model.ts`); a slope needs
 * readings at two different times. The per-day summaries (mean, std, min, max, slope per
 * measure) are kept beside the vector for people to read.
 */
import { MEASURES, type Measure, type Reading } from './sensor-csv.js';

/** The statistics taken of each measure, in vector order. */
export const FEATURE_STATS = ['mean', 'std', 'min', 'max', 'slope', 'daily_range'] as const;

/** The feature names in vector order: `temperature_mean`, `temperature_std`, ... */
export const FEATURE_NAMES: readonly string[] = MEASURES.flatMap((measure) =>
  FEATURE_STATS.map((stat) => `${measure}_${stat}`),
);

/** The default window: one week. */
export const DEFAULT_WINDOW_DAYS = 7;

const DAY_MS = 86_400_000;

/** One day's readings of a sensor. */
export interface SensorDay {
  /** `YYYY-MM-DD` */
  day: string;
  readings: Reading[];
}

/** Statistics of one measure over some readings; `null` where there were none. */
export interface MeasureStats {
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  slope: number | null;
  /** Readings that had the measure. */
  count: number;
}

/** A day as people read it: its statistics per measure. */
export interface DailySummary {
  day: string;
  readings: number;
  measures: Record<Measure, MeasureStats>;
}

/** What `sensorFeatures` computes. */
export interface SensorFeatures {
  sensor_id: string;
  /** The window's first and last day (`YYYY-MM-DD`) and its number of days with a file. */
  first_day: string;
  last_day: string;
  days: number;
  /** Readings in the window, and the empty cells among them. */
  readings: number;
  missing: number;
  /** In {@link FEATURE_NAMES} order; `null` where a measure had no reading. */
  vector: (number | null)[];
  daily: DailySummary[];
}

/** Mean, population std, extremes and least-squares slope (per day) of `(time, value)` pairs. */
export function measureStats(times: number[], values: number[]): MeasureStats {
  const count = values.length;
  if (count === 0) return { mean: null, std: null, min: null, max: null, slope: null, count };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let timeSum = 0;
  for (let i = 0; i < count; i += 1) {
    const value = values[i] as number;
    sum += value;
    timeSum += times[i] as number;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const mean = sum / count;
  const meanTime = timeSum / count;
  let squares = 0;
  let covariance = 0;
  let timeSquares = 0;
  for (let i = 0; i < count; i += 1) {
    const deviation = (values[i] as number) - mean;
    // NOTE: times are centred (and in days) before squaring: epoch milliseconds squared lose digits.
    const dt = ((times[i] as number) - meanTime) / DAY_MS;
    squares += deviation * deviation;
    covariance += dt * deviation;
    timeSquares += dt * dt;
  }
  return {
    mean,
    std: Math.sqrt(squares / count),
    min,
    max,
    slope: timeSquares > 0 ? covariance / timeSquares : null,
    count,
  };
}

/** Statistics of every measure over `readings`. */
function statsByMeasure(readings: Reading[]): Record<Measure, MeasureStats> {
  const result = {} as Record<Measure, MeasureStats>;
  MEASURES.forEach((measure, index) => {
    const times: number[] = [];
    const values: number[] = [];
    for (const reading of readings) {
      const value = reading.values[index];
      if (value === null || value === undefined) continue;
      times.push(reading.time);
      values.push(value);
    }
    result[measure] = measureStats(times, values);
  });
  return result;
}

/**
 * The features of `sensorId` over its latest `windowDays` days (of `days`, in any order).
 *
 * @throws Error when `days` is empty or `windowDays` is not a positive integer.
 */
export function sensorFeatures(
  sensorId: string,
  days: SensorDay[],
  windowDays = DEFAULT_WINDOW_DAYS,
): SensorFeatures {
  if (!Number.isInteger(windowDays) || windowDays < 1) {
    throw new Error(`window_days is ${windowDays}; expected an integer >= 1`);
  }
  const window = [...days].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)).slice(-windowDays);
  const first = window[0];
  const last = window.at(-1);
  if (!first || !last) throw new Error(`sensor ${sensorId}: no day of readings to make features of`);
  const daily = window.map((day) => ({
    day: day.day,
    readings: day.readings.length,
    measures: statsByMeasure(day.readings),
  }));
  const all = window.flatMap((day) => day.readings);
  const overall = statsByMeasure(all);
  const vector: (number | null)[] = [];
  for (const measure of MEASURES) {
    const stats = overall[measure];
    const ranges = daily
      .map((day) => day.measures[measure])
      .filter((stats) => stats.count > 0)
      .map((stats) => (stats.max as number) - (stats.min as number));
    const dailyRange =
      ranges.length > 0 ? ranges.reduce((sum, range) => sum + range, 0) / ranges.length : null;
    vector.push(stats.mean, stats.std, stats.min, stats.max, stats.slope, dailyRange);
  }
  return {
    sensor_id: sensorId,
    first_day: first.day,
    last_day: last.day,
    days: window.length,
    readings: all.length,
    missing: all.reduce((sum, reading) => sum + reading.values.filter((value) => value === null).length, 0),
    vector,
    daily,
  };
}
