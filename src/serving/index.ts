/**
 * Model serving: model versions answered over HTTP by their alias or number, with dynamic
 * batching, hot swaps when an alias moves, and online learning for k-means.
 */
export { MANIFEST_FILE, FLAVORS, parseManifest, type Flavor, type ModelManifest } from './manifest.js';
export {
  ModelServer,
  DEFAULT_SERVING,
  type ModelServerOptions,
  type PredictAnswer,
  type PredictBody,
} from './model-server.js';
export type { ServingOptions } from './served-version.js';
export { createServingMetrics, type ServingMetrics } from './serving-metrics.js';
export type { Prediction } from './predictions.js';
export type { TrainAnswer } from './online-training.js';
export { parsePromoteRule, checkPromoteRule, type PromoteRule } from './promote-rule.js';
