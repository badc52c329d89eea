/**
 * The per-sensor features file `feature_creation` writes (`features/<sensor_id>.json` in
 * the `feature-creation` repo) and `clustering_inference` reads back, checked field by
 * field so that a damaged or foreign file is named, not clustered.
 */
import type { DailySummary, SensorFeatures } from './features.js';

/** A model version, as the registry names it. */
export interface ModelRef {
  name: string;
  version: number;
}

/** One sensor's features file. */
export interface FeatureFile {
  sensor_id: string;
  /** The feature model version that standardised `standardised`. */
  feature_model: ModelRef;
  first_day: string;
  last_day: string;
  days: number;
  readings: number;
  /** Empty cells among the readings, and lines or files skipped as malformed. */
  missing: number;
  malformed: number;
  feature_names: string[];
  /** Raw features, `null` where a measure had no reading. */
  raw: (number | null)[];
  /** What k-means sees: `(raw − mean) / std` with the feature model. */
  standardised: number[];
  /** Features that were missing and imputed (z = 0). */
  imputed: string[];
  daily: DailySummary[];
}

/** Builds the file's content from the computed features. */
export function featureFile(
  features: SensorFeatures,
  featureNames: readonly string[],
  model: ModelRef,
  standardised: { values: number[]; imputed: string[] },
  malformed: number,
): FeatureFile {
  return {
    sensor_id: features.sensor_id,
    feature_model: { name: model.name, version: model.version },
    first_day: features.first_day,
    last_day: features.last_day,
    days: features.days,
    readings: features.readings,
    missing: features.missing,
    malformed,
    feature_names: [...featureNames],
    raw: features.vector,
    standardised: standardised.values,
    imputed: standardised.imputed,
    daily: features.daily,
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks a parsed features file (`file` names it in messages).
 *
 * @throws Error naming the file and the field that is wrong.
 */
export function parseFeatureFile(json: unknown, file: string): FeatureFile {
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('expected a JSON object');
  const value = json as Partial<FeatureFile>;
  if (typeof value.sensor_id !== 'string' || value.sensor_id === '') fail('sensor_id: expected a string');
  const model = value.feature_model;
  if (typeof model?.name !== 'string' || !Number.isInteger(model.version)) {
    fail('feature_model: expected { name, version }');
  }
  for (const field of ['first_day', 'last_day'] as const) {
    if (typeof value[field] !== 'string' || !DAY.test(value[field])) fail(`${field}: expected YYYY-MM-DD`);
  }
  const names = value.feature_names;
  if (!Array.isArray(names) || names.length === 0 || !names.every((name) => typeof name === 'string')) {
    fail('feature_names: expected an array of strings');
  }
  const count = (names as string[]).length;
  const standardised = value.standardised;
  if (!Array.isArray(standardised) || standardised.length !== count || !standardised.every(Number.isFinite)) {
    fail(`standardised: expected ${count} finite numbers`);
  }
  return value as FeatureFile;
}
