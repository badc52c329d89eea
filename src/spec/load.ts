/** Loading pipeline specs from files (YAML, or TS/JS built with the builder) and from code. */
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SpecError, bundleModule } from '../core/index.js';
import { isPipelineDefinition, type PipelineDefinition } from './builder.js';
import { compileRaw, type ValidationReport } from './compile.js';
import type { Pipeline } from './model.js';
import { DEFAULT_YAML_LIMITS, fixedLocator, readYaml } from './yaml.js';

/** Options of the loaders. */
export interface LoadOptions {
  /** Check that modules and programs exist (default true). */
  checkFiles?: boolean;
  /** Largest YAML file accepted, in bytes (default 1 MiB). */
  maxBytes?: number;
}

function failure(file: string, message: string, code: 'SPEC_FILE' | 'SPEC_TYPE' = 'SPEC_FILE'): ValidationReport {
  return { file, valid: false, problems: [{ code, message, file, line: 1, column: 1, path: [] }], pruned: [] };
}

/** Checks YAML text as if it were the file `file`. */
export async function validatePipelineText(text: string, file: string, options: LoadOptions = {}): Promise<ValidationReport> {
  const path = resolve(file);
  const read = readYaml(text, file, { ...DEFAULT_YAML_LIMITS, ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}) });
  if (read.problems.length > 0) return { file, valid: false, problems: read.problems, pruned: [] };
  return compileRaw(read.value, {
    file,
    dir: dirname(path),
    specFile: path,
    locator: read.locator,
    ...(options.checkFiles !== undefined ? { checkFiles: options.checkFiles } : {}),
  });
}

/** Checks a pipeline built in code (`definePipeline`); relative paths resolve against `dir`. */
export function compilePipeline(
  definition: PipelineDefinition,
  options: { dir: string; file?: string; checkFiles?: boolean },
): Promise<ValidationReport> {
  const file = options.file ?? `<pipeline ${String(definition.spec.name)}>`;
  return compileRaw(definition.spec, {
    file,
    dir: options.dir,
    specFile: options.file === undefined ? undefined : resolve(options.file),
    locator: fixedLocator(file),
    ...(options.checkFiles !== undefined ? { checkFiles: options.checkFiles } : {}),
  });
}

/** Reads and checks a spec file: `.yaml`/`.yml`, or a `.ts`/`.js`/`.mjs` module default-exporting `definePipeline(...)`. */
export async function loadPipelineFile(file: string, options: LoadOptions = {}): Promise<ValidationReport> {
  const extension = extname(file);
  if (['.ts', '.mts', '.js', '.mjs'].includes(extension)) {
    let exported: unknown;
    try {
      const bundle = await bundleModule(resolve(file));
      exported = ((await import(pathToFileURL(bundle.file).href)) as { default?: unknown }).default;
    } catch (error) {
      return failure(file, `cannot load pipeline module ${file}: ${(error as Error).message}`);
    }
    if (!isPipelineDefinition(exported)) {
      return failure(file, `${file} must default-export definePipeline({...}) from 'sluice'`, 'SPEC_TYPE');
    }
    return compilePipeline(exported, { dir: dirname(resolve(file)), file, ...(options.checkFiles !== undefined ? { checkFiles: options.checkFiles } : {}) });
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return failure(file, code === 'ENOENT' ? `pipeline file ${file} does not exist` : `cannot read ${file}: ${(error as Error).message}`);
  }
  return validatePipelineText(text, file, options);
}

/** Loads a spec file and returns the pipeline; throws {@link SpecError} with every problem. */
export async function loadPipeline(file: string, options: LoadOptions = {}): Promise<Pipeline> {
  const report = await loadPipelineFile(file, options);
  if (!report.pipeline) throw new SpecError(report.problems);
  return report.pipeline;
}
