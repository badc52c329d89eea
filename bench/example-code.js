// What the example benches share: loading an example's TypeScript the way Sluice's TS
// runtime does (bundled by esbuild beside the example, so its packages resolve, with
// `sluice` and `sluice/arrays` meaning this checkout's build), and the cardiac-mri generator.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Bundles `exports` (lines of `export ... from './x.ts'`, relative to `exampleDir`) and
 * imports the result.
 * @param {string} exampleDir @param {string} name @param {string[]} exports
 */
export async function importExampleCode(exampleDir, name, exports) {
  const out = join(exampleDir, 'node_modules', '.cache', 'sluice-bench', `${name}-${process.pid}.mjs`);
  await build({
    stdin: { contents: exports.join('\n'), resolveDir: exampleDir, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    outfile: out,
    logLevel: 'silent',
    plugins: [
      {
        name: 'sluice-self',
        setup(b) {
          b.onResolve({ filter: /^sluice(\/arrays)?$/ }, (args) => ({
            path: pathToFileURL(
              join(ROOT, 'dist', args.path === 'sluice' ? 'index.js' : join('batches', 'arrays.js')),
            ).href,
            external: true,
          }));
        },
      },
    ],
  });
  return import(pathToFileURL(out).href);
}

/**
 * Writes a Sunnybrook-shaped set with examples/cardiac-mri/scripts/generate.py.
 * @param {string} out @param {{ patients: number, slices: number, size: number, seed?: number, python?: string }} options
 */
export function generateCardiacMri(out, { patients, slices, size, seed = 3, python = '/usr/bin/python3' }) {
  execFileSync(
    python,
    [
      join(ROOT, 'examples', 'cardiac-mri', 'scripts', 'generate.py'),
      out,
      ...['--patients', String(patients), '--slices', String(slices), '--size', String(size)],
      ...['--seed', String(seed), '--compressed'],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}
