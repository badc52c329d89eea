/**
 * Reading a datum directory: a data input reaches a step as a folder holding the datum's
 * files at their repo paths (`<dir>/cam3/2026-11-24T22-15-00.jpg`).
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Every regular file under `dir`, as repo paths with `/` separators, sorted. */
export async function listDatumFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    throw new Error(`cannot read the datum folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/**
 * The one file of a datum that must hold exactly one, as its repo path.
 *
 * @throws when the folder holds no file or more than one (the message lists them).
 */
export async function singleDatumFile(dir: string, what: string): Promise<string> {
  const files = await listDatumFiles(dir);
  if (files.length === 1) return files[0] as string;
  if (files.length === 0) throw new Error(`${what}: the datum holds no file (folder ${dir})`);
  const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? `, … (${files.length} in all)` : '');
  throw new Error(`${what}: the datum holds ${files.length} files, expected exactly one: ${shown}`);
}
