/** File-system helpers shared across concerns. */
import { stat } from 'node:fs/promises';

/** Whether anything exists at `path` (following links). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
