/**
 * `retrain_model`: fits a new feature model (means, stds) on every sensor's raw features,
 * trains k-means on the standardised vectors, computes the three metrics, and saves both
 * as new registry versions (`beehive-features`, `beehive-kmeans`) with their params and
 * metrics. One row per training goes to the `training_metrics` table.
 *
 * The k-means version is servable as it is (`sluice serve beehive-kmeans@production`): it
 * holds a `sluice-model.json` (one number column per raw feature, and the online-learning
 * rule), and its `kmeans.json` carries the feature model's `scale` and the clusters'
 * `counts` (see `lib/serving.ts`).
 *
 * A feature model equal to the latest version is not saved again: that version is reused,
 * so retraining k-means alone (another `k`) keeps every sensor's features valid and
 * `feature_creation` does not recompute them.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clusterMetrics } from '../lib/cluster-metrics.js';
import { FEATURE_MODEL_FILE, fitFeatureModel, standardise } from '../lib/feature-model.js';
import { FEATURE_NAMES } from '../lib/features.js';
import { KMEANS_MODEL_FILE, trainKMeans, type KMeansModel } from '../lib/kmeans.js';
import { clusterSizes, SERVING_MANIFEST_FILE, servingManifest, servingScale } from '../lib/serving.js';
import { FEATURE_MODEL_NAME, KMEANS_MODEL_NAME } from './names.js';
import type { RawFeatures } from './raw_features.js';
import type { BeehiveContext, ModelVersion } from './tracking.js';

interface Inputs extends Record<string, unknown> {
  raw: RawFeatures[];
  k: number;
  seed: number;
  n_init: number;
  max_iter: number;
  window_days: number;
}

/** What a training produced. */
export interface Trained {
  kmeans: { name: string; version: number };
  feature_model: { name: string; version: number };
  sensors: number;
  last_day: string;
  metrics: Record<string, number | null>;
  /** sensor id -> cluster, on the training data. */
  clusters: Record<string, number>;
}

export default async function train(ctx: BeehiveContext<Inputs>): Promise<{ model: Trained }> {
  const { raw, k, seed, n_init: nInit, max_iter: maxIter, window_days: windowDays } = ctx.inputs;
  if (raw.length < 2) throw new Error(`${raw.length} sensor(s) to train on; k-means needs at least 2`);
  if (k > raw.length)
    throw new Error(`k is ${k} but there are only ${raw.length} sensors; expected k <= ${raw.length}`);
  const sensors = raw.map((entry) => entry.sensor_id);
  const lastDay =
    raw
      .map((entry) => entry.last_day)
      .sort()
      .at(-1) ?? '';
  ctx.logParams({ k, seed, n_init: nInit, max_iter: maxIter, window_days: windowDays, sensors: raw.length });

  const started = performance.now();
  const featureModel = fitFeatureModel(
    raw.map((entry) => entry.vector),
    FEATURE_NAMES,
    windowDays,
  );
  const points = raw.map((entry) => standardise(featureModel, entry.vector).values);
  const fit = trainKMeans(points, { k, seed, nInit, maxIter });
  const trainMs = performance.now() - started;
  const metricsStarted = performance.now();
  const scored = clusterMetrics(points, fit.labels);
  const metricsMs = performance.now() - metricsStarted;
  if (scored.reason !== null) ctx.log.warn(`metrics not computed: ${scored.reason}`);

  const featureText = `${JSON.stringify(featureModel, null, 2)}\n`;
  const previous = await latestVersion(ctx, FEATURE_MODEL_NAME);
  let savedFeatures: { name: string; version: number };
  if (previous && (await readFile(join(previous.dir, FEATURE_MODEL_FILE), 'utf8')) === featureText) {
    savedFeatures = { name: previous.name, version: previous.version };
    ctx.log.info(`the feature model is unchanged: reusing ${previous.name}:${previous.version}`);
  } else {
    const featureDir = join(ctx.scratchDir, 'feature-model');
    await mkdir(featureDir, { recursive: true });
    await writeFile(join(featureDir, FEATURE_MODEL_FILE), featureText);
    savedFeatures = await ctx.registry.save(FEATURE_MODEL_NAME, featureDir, {
      params: { window_days: windowDays, sensors: raw.length, last_day: lastDay },
      metrics: { sensors: raw.length },
    });
  }

  const model: KMeansModel = {
    kind: 'beehive-kmeans',
    feature_names: [...FEATURE_NAMES],
    centers: fit.centers,
    inertia: fit.inertia,
    iterations: fit.iterations,
    seed,
    n_init: nInit,
    counts: clusterSizes(fit.labels, k),
    scale: servingScale(featureModel),
  };
  const kmeansDir = join(ctx.scratchDir, 'kmeans');
  await mkdir(kmeansDir, { recursive: true });
  await writeFile(join(kmeansDir, KMEANS_MODEL_FILE), `${JSON.stringify(model, null, 2)}\n`);
  await writeFile(
    join(kmeansDir, SERVING_MANIFEST_FILE),
    `${JSON.stringify(servingManifest(FEATURE_NAMES), null, 2)}\n`,
  );
  const metrics: Record<string, number> = {
    ...(scored.metrics ?? {}),
    inertia: fit.inertia,
    iterations: fit.iterations,
    train_ms: trainMs,
    metrics_ms: metricsMs,
  };
  const savedKMeans = await ctx.registry.save(KMEANS_MODEL_NAME, kmeansDir, {
    metrics,
    params: {
      k,
      seed,
      n_init: nInit,
      max_iter: maxIter,
      window_days: windowDays,
      feature_model: `${savedFeatures.name}:${savedFeatures.version}`,
      sensors: raw.length,
      last_day: lastDay,
    },
  });
  for (const [key, value] of Object.entries(metrics)) ctx.metric(key, value);
  ctx.table('training_metrics').insert([
    {
      model: savedKMeans.name,
      model_version: savedKMeans.version,
      feature_model_version: savedFeatures.version,
      k,
      sensors: raw.length,
      last_day: lastDay,
      silhouette: scored.metrics?.silhouette ?? null,
      calinski_harabasz: scored.metrics?.calinski_harabasz ?? null,
      davies_bouldin: scored.metrics?.davies_bouldin ?? null,
      inertia: fit.inertia,
      train_ms: trainMs,
      metrics_ms: metricsMs,
      trained_at: new Date().toISOString(),
    },
  ]);
  ctx.log.info(
    `trained ${savedKMeans.name}:${savedKMeans.version} (k=${k}) on ${raw.length} sensors up to ${lastDay} ` +
      `with ${savedFeatures.name}:${savedFeatures.version}: ` +
      (scored.metrics
        ? `silhouette ${scored.metrics.silhouette.toFixed(3)}, Calinski-Harabasz ${scored.metrics.calinski_harabasz.toFixed(1)}, ` +
          `Davies-Bouldin ${scored.metrics.davies_bouldin.toFixed(3)}`
        : 'no metrics'),
  );
  return {
    model: {
      kmeans: savedKMeans,
      feature_model: savedFeatures,
      sensors: raw.length,
      last_day: lastDay,
      metrics: {
        silhouette: scored.metrics?.silhouette ?? null,
        calinski_harabasz: scored.metrics?.calinski_harabasz ?? null,
        davies_bouldin: scored.metrics?.davies_bouldin ?? null,
        inertia: fit.inertia,
        iterations: fit.iterations,
      },
      clusters: Object.fromEntries(sensors.map((sensor, index) => [sensor, fit.labels[index] as number])),
    },
  };
}

/** The latest version of `name`, or `null` when the registry has none yet. */
async function latestVersion(ctx: BeehiveContext, name: string): Promise<ModelVersion | null> {
  try {
    return await ctx.registry.load(name);
  } catch (error) {
    // NOTE: registry errors reach a step as messages only (no code); these two mean "none yet".
    if (/does not exist|has no versions left/.test((error as Error).message)) return null;
    throw error;
  }
}
