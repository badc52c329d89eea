/**
 * `clustering_inference`, second step: predicts each finished sensor's cluster with the
 * k-means version the run resolved (`kmeans_model`: the latest, or a pinned
 * `beehive-kmeans:N`), computes silhouette, Calinski-Harabasz and Davies-Bouldin, and
 * writes one `predictions` row per sensor and one `cluster_metrics` row, with durations.
 * Durations go to the tables and metrics only, so the committed outputs are the same for
 * the same features and model.
 */
import { clusterMetrics } from '../lib/cluster-metrics.js';
import { KMEANS_MODEL_FILE, parseKMeansModel, predictClusters } from '../lib/kmeans.js';
import type { Dataset } from './gather_features.js';
import { readModelJson, type BeehiveContext, type ModelVersion } from './tracking.js';

/** The step's `metrics` output; the `cluster_metrics` row adds the durations. */
export interface InferenceMetrics {
  model: string;
  model_version: number;
  day: string;
  sensors_clustered: number;
  sensors_waiting: number;
  clusters_used: number;
  silhouette: number | null;
  calinski_harabasz: number | null;
  davies_bouldin: number | null;
  /** Why the three metrics are null, when they are. */
  metrics_note: string | null;
}

export default async function predict(
  ctx: BeehiveContext<{ dataset: Dataset; kmeans_model: ModelVersion }>,
): Promise<{ predictions: Record<string, number>; metrics: InferenceMetrics }> {
  const { dataset, kmeans_model: version } = ctx.inputs;
  const ref = `${version.name}:${version.version}`;
  const model = parseKMeansModel(
    await readModelJson(version, KMEANS_MODEL_FILE),
    `model ${ref} ${KMEANS_MODEL_FILE}`,
  );
  if (model.feature_names.join() !== dataset.feature_names.join()) {
    throw new Error(
      `model ${ref} was trained on features ${model.feature_names.join(', ')}; ` +
        `the features files have ${dataset.feature_names.join(', ')}`,
    );
  }
  const trainedWith = version.params.feature_model;
  const mismatched = dataset.sensors.filter(
    (sensor) => `${sensor.feature_model.name}:${sensor.feature_model.version}` !== trainedWith,
  );
  if (typeof trainedWith === 'string' && mismatched.length > 0) {
    ctx.log.warn(
      `model ${ref} was trained with feature model ${trainedWith}, but ${mismatched.length} sensors' ` +
        `features were standardised with another (${mismatched.map((sensor) => sensor.sensor_id).join(', ')}); ` +
        'their clusters may be off until feature_creation runs again',
    );
  }

  const points = dataset.sensors.map((sensor) => sensor.standardised);
  const predictStarted = performance.now();
  const { labels, distances } = predictClusters(model.centers, points);
  const predictMs = performance.now() - predictStarted;
  const metricsStarted = performance.now();
  const scored = clusterMetrics(points, labels);
  const metricsMs = performance.now() - metricsStarted;

  const metrics: InferenceMetrics = {
    model: version.name,
    model_version: version.version,
    day: dataset.day,
    sensors_clustered: points.length,
    sensors_waiting: dataset.waiting.length,
    clusters_used: new Set(labels).size,
    silhouette: scored.metrics?.silhouette ?? null,
    calinski_harabasz: scored.metrics?.calinski_harabasz ?? null,
    davies_bouldin: scored.metrics?.davies_bouldin ?? null,
    metrics_note: scored.reason,
  };
  const predictedAt = new Date().toISOString();
  ctx.table('predictions').insert(
    dataset.sensors.map((sensor, index) => ({
      sensor_id: sensor.sensor_id,
      day: dataset.day,
      cluster: labels[index] as number,
      distance: distances[index] as number,
      model: version.name,
      model_version: version.version,
      predicted_at: predictedAt,
    })),
  );
  ctx
    .table('cluster_metrics')
    .insert([{ ...metrics, predict_ms: predictMs, metrics_ms: metricsMs, predicted_at: predictedAt }]);
  for (const key of ['silhouette', 'calinski_harabasz', 'davies_bouldin'] as const) {
    const value = metrics[key];
    if (value !== null) ctx.metric(key, value);
  }
  ctx.metric('sensors_clustered', metrics.sensors_clustered);
  ctx.metric('sensors_waiting', metrics.sensors_waiting);
  ctx.metric('predict_ms', predictMs);
  ctx.metric('metrics_ms', metricsMs);
  ctx.log.info(
    `clustered ${points.length} sensors for ${dataset.day} with ${ref}` +
      (dataset.waiting.length > 0 ? ` (${dataset.waiting.length} not finished yet)` : '') +
      ': ' +
      (scored.metrics
        ? `silhouette ${scored.metrics.silhouette.toFixed(3)}, Calinski-Harabasz ${scored.metrics.calinski_harabasz.toFixed(1)}, ` +
          `Davies-Bouldin ${scored.metrics.davies_bouldin.toFixed(3)}`
        : `no metrics: ${scored.reason}`),
  );
  return {
    predictions: Object.fromEntries(
      dataset.sensors.map((sensor, index) => [sensor.sensor_id, labels[index] as number]),
    ),
    metrics,
  };
}
