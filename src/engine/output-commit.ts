/**
 * A run's desired outputs as a tree in the pipeline's output repo. File outputs keep their
 * paths under `/<output>/` (per-datum file sets merge into one folder, as Pachyderm's datums
 * write into one output); JSON outputs become `/<output>.json` (per-datum ones an object
 * keyed by datum). Everything is ordered by path and datum key, so the same inputs give a
 * byte-identical commit.
 */
import { SluiceError, canonicalJson } from '../core/index.js';
import { isFileSetValue, type ObjectStore } from '../data/index.js';
import type { Pipeline } from '../spec/index.js';
import type { FileEntry } from '../store/index.js';
import type { ValueTable } from './values.js';

/** The files of the output commit of a successful run. */
export async function outputTree(
  objects: ObjectStore,
  pipeline: Pipeline,
  values: ValueTable,
): Promise<FileEntry[]> {
  const files = new Map<string, { hash: string; datum: string }>();
  const addFiles = (output: string, datum: string, manifest: Record<string, string>): void => {
    for (const [path, hash] of Object.entries(manifest)) {
      const full = `/${output}/${path}`;
      const existing = files.get(full);
      if (existing && existing.hash !== hash) {
        throw new SluiceError(
          'OUTPUT_CONFLICT',
          `output '${output}': datums '${existing.datum}' and '${datum}' both wrote '${path}' with different contents`,
        );
      }
      files.set(full, { hash, datum });
    }
  };
  const json = new Map<string, unknown>();
  for (const name of pipeline.outputs) {
    const spec = values.spec(name);
    if (spec.origin === null) {
      const value = values.valueOf(name);
      if (isFileSetValue(value)) addFiles(name, '', value.$files);
      else json.set(name, value ?? null);
      continue;
    }
    const keys = values.keys(spec.origin) ?? [];
    const perDatum: Record<string, unknown> = {};
    let anyJson = false;
    values.gathered(name).forEach((published, index) => {
      const key = keys[index] ?? String(index);
      if (isFileSetValue(published.value)) addFiles(name, key, published.value.$files);
      else {
        perDatum[key] = published.value ?? null;
        anyJson = true;
      }
    });
    if (anyJson || keys.length === 0) json.set(name, perDatum);
  }
  const entries: FileEntry[] = [];
  for (const [path, { hash }] of files) entries.push({ path, hash, size: await objects.size(hash) });
  for (const [name, value] of json) {
    const data = Buffer.from(`${JSON.stringify(JSON.parse(canonicalJson(value ?? null)), null, 2)}\n`);
    entries.push({ path: `/${name}.json`, hash: await objects.put(data), size: data.byteLength });
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
