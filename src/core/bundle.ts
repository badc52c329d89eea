/**
 * Bundles a TS/JS module and what it imports from the project into one ESM file, so that
 * worker threads and the CLI can import user code without a TypeScript loader, and so that
 * the bundle's hash can version the code (a change in any imported project file changes it).
 * Packages from `node_modules` stay external; the bundle is written under the module's own
 * `node_modules/.cache/sluice/`, so they resolve exactly as they would from the module.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile, access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SluiceError } from './errors.js';

/**
 * `import ... from 'sluice'` in user code means the Sluice that is running it: the bundle
 * imports this instance's entry by absolute URL, so a pipeline file built with
 * `definePipeline` is read by the same code that defined it, wherever the bundle lives.
 */
const selfReference = {
  name: 'sluice-self-reference',
  setup(build: {
    onResolve(options: { filter: RegExp }, fn: () => { path: string; external: boolean }): void;
  }) {
    // NOTE: running from sources (tests), Node cannot import src/*.ts: use the build.
    const dist = import.meta.url.endsWith('.ts') ? '../../dist/' : '../';
    const entry = new URL(`${dist}index.js`, import.meta.url).href;
    // `sluice/arrays`: the array bundle format alone, for steps that need nothing else.
    const arrays = new URL(`${dist}batches/arrays.js`, import.meta.url).href;
    build.onResolve({ filter: /^sluice$/ }, () => ({ path: entry, external: true }));
    build.onResolve({ filter: /^sluice\/arrays$/ }, () => ({ path: arrays, external: true }));
  },
};

/** A bundled module. */
export interface Bundle {
  /** Absolute path of the bundled `.mjs` file. */
  file: string;
  /** SHA-256 of the bundled code. */
  hash: string;
  /** Project files that went into the bundle (absolute paths). */
  sources: string[];
}

/**
 * Bundles `entry` into `<entry folder>/node_modules/.cache/sluice/<hash>.mjs` (written once,
 * atomically).
 * Throws `SPEC_MODULE_NOT_FOUND` when the entry does not exist and `SPEC_TYPE` when it does
 * not compile.
 */
export async function bundleModule(entry: string): Promise<Bundle> {
  try {
    await access(entry);
  } catch {
    throw new SluiceError('SPEC_MODULE_NOT_FOUND', `module ${entry} does not exist`, {
      details: { module: entry },
    });
  }
  const { build } = await import('esbuild');
  let result;
  try {
    result = await build({
      entryPoints: [entry],
      bundle: true,
      packages: 'external',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      metafile: true,
      sourcemap: 'inline',
      logLevel: 'silent',
      plugins: [selfReference],
    });
  } catch (error) {
    const errors = (
      error as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }
    ).errors;
    const first = errors?.[0];
    const where = first?.location
      ? `${first.location.file}:${first.location.line}:${first.location.column + 1} `
      : '';
    throw new SluiceError('SPEC_TYPE', `${where}${first?.text ?? String(error)} (while bundling ${entry})`, {
      cause: error,
    });
  }
  const output = result.outputFiles[0];
  if (!output) throw new SluiceError('INTERNAL', `esbuild produced no output for ${entry}`);
  const code = output.text;
  const hash = createHash('sha256').update(code).digest('hex');
  const file = join(dirname(entry), 'node_modules', '.cache', 'sluice', `${hash}.mjs`);
  try {
    await access(file);
  } catch {
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, code);
    await rename(temp, file);
  }
  const sources = Object.keys(result.metafile.inputs).map((input) => join(process.cwd(), input));
  return { file, hash, sources };
}
