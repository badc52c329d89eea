/** The registry names of the beehive models. */

/** The standardisation (means, stds) `feature_creation` applies: `feature-model.json`. */
export const FEATURE_MODEL_NAME = 'beehive-features';
/** The k-means clustering `clustering_inference` predicts with: `kmeans.json`. */
export const KMEANS_MODEL_NAME = 'beehive-kmeans';
