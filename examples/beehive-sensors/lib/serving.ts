/**
 * What makes a `beehive-kmeans` version servable over REST (`sluice serve`): the
 * `sluice-model.json` beside its `kmeans.json`, and the `scale` and `counts` that
 * `kmeans.json` carries for the model server.
 *
 * A client sends RAW features, as a sensor's week produces them, one number column per
 * feature; the server standardises them with `scale` exactly as `feature_creation` does
 * with the feature model, `(x − mean) / std` (std is already 1 where a feature has no
 * spread, see `feature-model.ts`), and answers the nearest centre and its distance.
 * `counts` (the training clusters' sizes) let online training weigh the trained centres by
 * the sensors behind them.
 */
import type { FeatureModel } from './feature-model.js';

/** The file that declares how a version is served. */
export const SERVING_MANIFEST_FILE = 'sluice-model.json';

/** The alias online training may move, and the rule it must pass to move it. */
export const ONLINE = { alias: 'production', promote_if: 'silhouette >= previous - 0.05' } as const;

/** A column name the server accepts. */
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A k-means `sluice-model.json`: one number column per raw feature, in vector order. */
export interface ServingManifest {
  flavor: 'kmeans';
  input: Record<string, { type: 'number' }>;
  online: typeof ONLINE;
}

/**
 * The manifest of a k-means version trained on `featureNames`.
 *
 * @throws Error when a name cannot be a REST column or appears twice (the column order is
 *   the vector order, so features are never renamed to fit).
 */
export function servingManifest(featureNames: readonly string[]): ServingManifest {
  const bad = featureNames.filter((name) => !COLUMN.test(name));
  if (bad.length > 0) {
    throw new Error(
      `features ${bad.map((name) => `'${name}'`).join(', ')} cannot be served as columns; expected names matching ${String(COLUMN)}`,
    );
  }
  const twice = featureNames.find((name, index) => featureNames.indexOf(name) !== index);
  if (twice !== undefined) throw new Error(`feature '${twice}' appears twice; columns must be unique`);
  return {
    flavor: 'kmeans',
    input: Object.fromEntries(featureNames.map((name) => [name, { type: 'number' as const }])),
    online: ONLINE,
  };
}

/** The server's `scale`: the feature model's means and stds, so it standardises as `standardise` does. */
export function servingScale(model: FeatureModel): { mean: number[]; std: number[] } {
  return { mean: [...model.means], std: [...model.stds] };
}

/** How many points each of `k` clusters holds. */
export function clusterSizes(labels: readonly number[], k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
