/**
 * `retrain_model`, per sensor: the raw (not yet standardised) features of the sensor's
 * latest `window_days` days, for `train` to fit the feature model and k-means on.
 * Malformed lines are reported exactly as `feature_creation` reports them.
 */
import type { BeehiveContext } from './tracking.js';
import { readSensor } from './read-sensor.js';

/** One sensor's raw features. */
export interface RawFeatures {
  sensor_id: string;
  last_day: string;
  /** In `FEATURE_NAMES` order; `null` where a measure had no reading. */
  vector: (number | null)[];
}

export default async function rawFeatures(
  ctx: BeehiveContext<{ sensors: string; window_days: number }>,
): Promise<{ raw: RawFeatures }> {
  const { features } = await readSensor(ctx, ctx.inputs.sensors, ctx.inputs.window_days);
  return { raw: { sensor_id: features.sensor_id, last_day: features.last_day, vector: features.vector } };
}
