/**
 * Large values go to the object store: a step output whose JSON exceeds a size limit is
 * stored by content hash and kept in the metadata store as `{ "$json": "<sha256>" }`, so a
 * step returning megabytes does not bloat the database. Runs use the real value in memory;
 * a cached result is loaded back before it is published.
 */
import { SluiceError } from '../core/index.js';
import type { ObjectStore } from '../data/index.js';

/** Values larger than this (bytes of JSON) are stored as objects. */
export const LARGE_VALUE_BYTES = 64 * 1024;

interface JsonRef {
  $json: string;
}

function isJsonRef(value: unknown): value is JsonRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { $json?: unknown }).$json === 'string'
  );
}

/** `outputs` with each large value replaced by a reference to its stored JSON. */
export async function storeLargeValues(
  objects: ObjectStore,
  outputs: Record<string, unknown>,
  limit = LARGE_VALUE_BYTES,
): Promise<Record<string, unknown>> {
  const stored: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(outputs)) {
    // Scalars and short strings cannot be large (JSON escaping at most sextuples a char).
    const small =
      value === null ||
      typeof value === 'number' ||
      typeof value === 'boolean' ||
      (typeof value === 'string' && value.length * 6 < limit);
    if (small) {
      stored[name] = value;
      continue;
    }
    const json = JSON.stringify(value) ?? 'null';
    stored[name] = json.length > limit ? { $json: await objects.put(new TextEncoder().encode(json)) } : value;
  }
  return stored;
}

/** `outputs` with every stored reference replaced by its value (hash checked on read). */
export async function loadLargeValues(
  objects: ObjectStore,
  outputs: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const loaded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(outputs)) {
    if (!isJsonRef(value)) {
      loaded[name] = value;
      continue;
    }
    try {
      loaded[name] = JSON.parse(new TextDecoder().decode(await objects.get(value.$json))) as unknown;
    } catch (error) {
      throw new SluiceError(
        'OBJECT_CORRUPT',
        `stored value of output '${name}' (${value.$json}) cannot be read`,
        {
          cause: error,
        },
      );
    }
  }
  return loaded;
}
