/**
 * The feature model: how raw feature vectors become the standardised vectors k-means sees.
 * It holds each feature's mean and standard deviation over the sensors it was fitted on
 * (`retrain_model` fits it; `feature_creation` applies the latest version):
 *
 *   z = (x − mean) / std
 *
 * A feature whose std is 0 (or that fewer than two sensors had) keeps std 1, so it is only
 * centred. A missing raw feature (`null`: the measure had no reading) is imputed with the
 * mean, i.e. z = 0, and named in `imputed`.
 */

/** The file a feature model version holds. */
export const FEATURE_MODEL_FILE = 'feature-model.json';

/** A fitted feature model, as stored in `feature-model.json`. */
export interface FeatureModel {
  kind: 'beehive-feature-model';
  feature_names: string[];
  means: number[];
  stds: number[];
  /** The window the features were made over (days). */
  window_days: number;
  /** How many sensors it was fitted on. */
  sensors: number;
}

/** A standardised vector and the features that had to be imputed. */
export interface Standardised {
  values: number[];
  imputed: string[];
}

/**
 * Fits means and standard deviations (population, ddof 0) of each feature over `vectors`,
 * leaving out missing values.
 *
 * @throws Error when there is no vector or a vector's length differs from `names`.
 */
export function fitFeatureModel(
  vectors: (number | null)[][],
  names: readonly string[],
  windowDays: number,
): FeatureModel {
  if (vectors.length === 0) throw new Error('cannot fit a feature model on no sensor');
  vectors.forEach((vector, index) => {
    if (vector.length !== names.length) {
      throw new Error(`feature vector ${index} has ${vector.length} values; expected ${names.length}`);
    }
  });
  const means: number[] = [];
  const stds: number[] = [];
  names.forEach((_, feature) => {
    const values = vectors.map((vector) => vector[feature]).filter((value) => typeof value === 'number');
    const mean = values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;
    const variance =
      values.length > 0 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length : 0;
    const std = Math.sqrt(variance);
    means.push(mean);
    stds.push(values.length >= 2 && std > 0 ? std : 1);
  });
  return {
    kind: 'beehive-feature-model',
    feature_names: [...names],
    means,
    stds,
    window_days: windowDays,
    sensors: vectors.length,
  };
}

/** Standardises one raw vector with `model`; missing features become 0 (the mean). */
export function standardise(model: FeatureModel, vector: (number | null)[]): Standardised {
  if (vector.length !== model.feature_names.length) {
    throw new Error(
      `the feature vector has ${vector.length} values; the feature model expects ${model.feature_names.length}`,
    );
  }
  const imputed: string[] = [];
  const values = vector.map((value, feature) => {
    if (value === null) {
      imputed.push(model.feature_names[feature] ?? String(feature));
      return 0;
    }
    return (value - (model.means[feature] as number)) / (model.stds[feature] as number);
  });
  return { values, imputed };
}

/**
 * Checks a parsed `feature-model.json` (from `file`, for messages).
 *
 * @throws Error naming the file and the field that is wrong.
 */
export function parseFeatureModel(json: unknown, file: string): FeatureModel {
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (typeof json !== 'object' || json === null) return fail('expected a JSON object');
  const model = json as Partial<FeatureModel>;
  if (model.kind !== 'beehive-feature-model')
    fail(`kind is ${JSON.stringify(model.kind)}; expected "beehive-feature-model"`);
  const names = model.feature_names;
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) {
    fail('feature_names: expected an array of strings');
  }
  const count = (names as string[]).length;
  for (const field of ['means', 'stds'] as const) {
    const values = model[field];
    if (!Array.isArray(values) || values.length !== count || !values.every(Number.isFinite)) {
      fail(`${field}: expected ${count} finite numbers`);
    }
  }
  if (!(model.stds as number[]).every((std) => std > 0)) fail('stds: expected numbers > 0');
  if (!Number.isInteger(model.window_days) || (model.window_days as number) < 1) {
    fail('window_days: expected an integer >= 1');
  }
  return model as FeatureModel;
}
