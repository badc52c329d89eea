/**
 * `clustering_inference`, first step: reads every sensor's features file from the
 * `feature-creation` repo and concatenates the sensors that have finished the newest day.
 *
 * Partial results: a sensor whose features end before the newest day has not reported it
 * yet; it is left out (and named), so clustering runs on whatever sensors have finished so
 * far and refines as the others arrive.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFeatureFile, type FeatureFile } from '../lib/feature-file.js';
import type { BeehiveContext } from './tracking.js';

/** The matrix to cluster and what was left out. */
export interface Dataset {
  /** The newest day among the sensors' features. */
  day: string;
  feature_names: string[];
  /** The sensors with features up to `day`, by id. */
  sensors: { sensor_id: string; feature_model: { name: string; version: number }; standardised: number[] }[];
  /** Sensors known but not finished for `day`. */
  waiting: { sensor_id: string; last_day: string }[];
}

export default async function gatherFeatures(
  ctx: BeehiveContext<{ features: string }>,
): Promise<{ dataset: Dataset }> {
  const started = performance.now();
  const dir = join(ctx.inputs.features, 'features');
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((name) => name.endsWith('.json'))
    .sort();
  if (names.length === 0) throw new Error(`no features file in ${dir}; expected features/<sensor_id>.json`);
  const files: FeatureFile[] = [];
  for (const name of names) {
    const path = `features/${name}`;
    let json: unknown;
    try {
      json = JSON.parse(await readFile(join(dir, name), 'utf8'));
    } catch (error) {
      throw new Error(`${path}: not JSON (${(error as Error).message})`, { cause: error });
    }
    files.push(parseFeatureFile(json, path));
  }
  const featureNames = (files[0] as FeatureFile).feature_names;
  for (const file of files) {
    if (file.feature_names.join() !== featureNames.join()) {
      throw new Error(
        `features/${file.sensor_id}.json has features ${file.feature_names.join(', ')}; ` +
          `features/${(files[0] as FeatureFile).sensor_id}.json has ${featureNames.join(', ')}`,
      );
    }
  }
  const day = files
    .map((file) => file.last_day)
    .sort()
    .at(-1) as string;
  const done = files.filter((file) => file.last_day === day);
  const waiting = files
    .filter((file) => file.last_day !== day)
    .map((file) => ({ sensor_id: file.sensor_id, last_day: file.last_day }));
  // NOTE: the duration is a metric, not part of the dataset: the same features must give the
  // same dataset (and so reuse the prediction made from it).
  ctx.metric('gather_ms', performance.now() - started);
  ctx.log.info(
    `${done.length} of ${files.length} sensors have features for ${day}` +
      (waiting.length > 0
        ? `; not yet: ${waiting.map((entry) => `${entry.sensor_id} (${entry.last_day})`).join(', ')}`
        : ''),
  );
  return {
    dataset: {
      day,
      feature_names: featureNames,
      sensors: done.map((file) => ({
        sensor_id: file.sensor_id,
        feature_model: file.feature_model,
        standardised: file.standardised,
      })),
      waiting,
    },
  };
}
