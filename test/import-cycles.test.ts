/**
 * No import cycles between modules of src/ (value imports; `import type` is erased and does
 * not count). A cycle makes load order fragile, so this guards the layering of DESIGN.md.
 */
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

async function sources(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sources(path)));
    else if (/\.(ts|js)$/.test(entry.name) && !/\.(test|case)\.ts$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** Relative value imports of a module, as absolute source paths. */
function imports(file: string, text: string, known: Set<string>): string[] {
  const found: string[] = [];
  const pattern = /^\s*(import|export)\s+(?!type\b)[^'";]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm;
  for (const match of text.matchAll(pattern)) {
    const specifier = match[2] ?? match[3];
    if (!specifier) continue;
    const target = resolve(dirname(file), specifier);
    const candidate = [target, target.replace(/\.js$/, '.ts')].find((path) => known.has(path));
    if (candidate) found.push(candidate);
  }
  return found;
}

describe('module graph of src/', () => {
  it('has no import cycles', async () => {
    const files = await sources(SRC);
    const known = new Set(files);
    const graph = new Map<string, string[]>();
    for (const file of files) graph.set(file, imports(file, await readFile(file, 'utf8'), known));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'visiting');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'visiting') {
          cycles.push(
            [...stack.slice(stack.indexOf(next)), next].map((path) => relative(SRC, path)).join(' -> '),
          );
        } else if (!state.has(next)) {
          visit(next);
        }
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(graph.size).toBeGreaterThan(40);
    expect(cycles).toEqual([]);
  });
});
