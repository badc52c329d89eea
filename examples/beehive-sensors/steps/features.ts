/**
 * `feature_creation`, per sensor: reads the sensor's latest days (the feature model's
 * window), reports malformed lines, computes its features and standardises them with the
 * feature model version the run resolved (`feature_model`, the latest by default). Writes
 * `features/<sensor_id>.json` and returns the datum's data quality.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { featureFile } from '../lib/feature-file.js';
import { FEATURE_MODEL_FILE, parseFeatureModel, standardise } from '../lib/feature-model.js';
import { FEATURE_NAMES } from '../lib/features.js';
import { formatProblem } from '../lib/sensor-csv.js';
import { readSensor } from './read-sensor.js';
import { readModelJson, type BeehiveContext, type ModelVersion } from './tracking.js';

/** A sensor's data quality, committed as `quality.json` keyed by datum. */
export interface Quality {
  sensor_id: string;
  last_day: string;
  readings: number;
  missing_values: number;
  malformed_rows: number;
  /** The first 100 problems, `file:line: found; expected ...`. */
  problems: string[];
}

export default async function features(
  ctx: BeehiveContext<{ sensors: string; feature_model: ModelVersion }>,
): Promise<{ quality: Quality }> {
  const version = ctx.inputs.feature_model;
  const model = parseFeatureModel(
    await readModelJson(version, FEATURE_MODEL_FILE),
    `model ${version.name}:${version.version} ${FEATURE_MODEL_FILE}`,
  );
  if (model.feature_names.join() !== FEATURE_NAMES.join()) {
    throw new Error(
      `feature model ${version.name}:${version.version} has features ${model.feature_names.join(', ')}; ` +
        `this step makes ${FEATURE_NAMES.join(', ')}: retrain (sluice run retrain_model.yaml)`,
    );
  }
  const { features, problems } = await readSensor(ctx, ctx.inputs.sensors, model.window_days);
  const standardised = standardise(model, features.vector);
  if (standardised.imputed.length > 0) {
    ctx.log.warn(
      `${features.sensor_id}: no readings for ${standardised.imputed.join(', ')}: imputed with the mean`,
    );
  }
  const file = featureFile(features, FEATURE_NAMES, version, standardised, problems.length);
  await writeFile(
    join(ctx.outputDir('features'), `${features.sensor_id}.json`),
    `${JSON.stringify(file, null, 2)}\n`,
  );
  return {
    quality: {
      sensor_id: features.sensor_id,
      last_day: features.last_day,
      readings: features.readings,
      missing_values: features.missing,
      malformed_rows: problems.length,
      problems: problems.slice(0, 100).map(formatProblem),
    },
  };
}
