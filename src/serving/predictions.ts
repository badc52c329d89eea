/**
 * A batch's raw outputs as the JSON a client reads, by what the manifest says they mean:
 * k-means answers `{ cluster, distance }`; a classifier (`output.classes`) answers
 * `{ label, class, probability, probabilities }`; anything else `{ output: [...] }`.
 */
import { SluiceError } from '../core/index.js';
import type { ModelManifest } from './manifest.js';
import type { Values } from './runner.js';

/** One row's prediction. */
export type Prediction =
  | { cluster: number; distance: number }
  | { label: string; class: number; probability: number; probabilities: number[] }
  | { output: number[] };

/** Formats `n` rows of `width` outputs. */
export function formatPredictions(
  manifest: ModelManifest,
  output: Values,
  n: number,
  width: number,
): Prediction[] {
  const rows: Prediction[] = [];
  const classes = manifest.output.classes;
  if (classes && width !== classes.length) {
    throw new SluiceError(
      'MODEL_MANIFEST',
      `the model answers ${width} values per row, but its ${'sluice-model.json'} declares ${classes.length} classes`,
    );
  }
  for (let row = 0; row < n; row += 1) {
    const values = output.subarray(row * width, (row + 1) * width);
    if (manifest.flavor === 'kmeans') {
      rows.push({ cluster: values[0] as number, distance: values[1] as number });
    } else if (classes) {
      let best = 0;
      for (let column = 1; column < width; column += 1)
        if ((values[column] as number) > (values[best] as number)) best = column;
      rows.push({
        label: classes[best] as string,
        class: best,
        probability: values[best] as number,
        probabilities: Array.from(values),
      });
    } else {
      rows.push({ output: Array.from(values) });
    }
  }
  return rows;
}
