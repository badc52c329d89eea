/** Lays file-set input values out as directories; every other value passes through. */
import { join } from 'node:path';
import { isFileSetValue, materializeFileSet, type ObjectStore } from '../data/index.js';

/** Whether any input is a file set (directly or in a gathered list) and needs laying out. */
export function hasFileInputs(inputs: Record<string, unknown>): boolean {
  for (const value of Object.values(inputs)) {
    if (isFileSetValue(value) || (Array.isArray(value) && value.some(isFileSetValue))) return true;
  }
  return false;
}

/**
 * Replaces each file-set value (`{ $files }`) in `inputs` — directly or in a gathered list —
 * by the path of a directory under `<dir>/<input>[/<index>]` holding its files.
 */
export async function layoutInputs(
  objects: ObjectStore,
  inputs: Record<string, unknown>,
  dir: string,
): Promise<Record<string, unknown>> {
  const laidOut: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (isFileSetValue(value)) {
      const dest = join(dir, name);
      await materializeFileSet(objects, value, dest);
      laidOut[name] = dest;
    } else if (Array.isArray(value) && value.some(isFileSetValue)) {
      laidOut[name] = await Promise.all(
        value.map(async (item: unknown, index) => {
          if (!isFileSetValue(item)) return item;
          const dest = join(dir, name, String(index));
          await materializeFileSet(objects, item, dest);
          return dest;
        }),
      );
    } else {
      laidOut[name] = value;
    }
  }
  return laidOut;
}
