/** Loading pipeline specs from files (YAML, or TS/JS built with the builder) and from code. */
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SpecError, bundleModule } from '../core/index.js';
import { isPipelineDefinition } from './builder.js';
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

/** Options of {@link compilePipeline}. */
export interface CompilePipelineOptions {
  /** The file the spec came from, for messages; `undefined` for a pipeline built in code. */
  file?: string;
  /** The folder relative module and program paths resolve against. */
  dir: string;
  /** Check that modules and programs exist (default true). */
  checkFiles?: boolean;
}

const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

function failure(
  file: string,
  message: string,
  code: 'SPEC_FILE' | 'SPEC_TYPE' | 'SPEC_YAML_HAZARD' = 'SPEC_FILE',
): ValidationReport {
  return {
    file,
    valid: false,
    problems: [{ code, message, file, line: 1, column: 1, path: [] }],
    pruned: [],
  };
}

function limitsOf(options: LoadOptions): typeof DEFAULT_YAML_LIMITS {
  return {
    ...DEFAULT_YAML_LIMITS,
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
  };
}

/**
 * Checks YAML text as if it were the file `file`; relative paths resolve against the
 * file's folder. Never throws for bad input: every problem is in the report.
 */
export function validatePipelineText(
  text: string,
  file: string,
  options: LoadOptions = {},
): ValidationReport {
  const path = resolve(file);
  const read = readYaml(text, file, limitsOf(options));
  if (read.problems.length > 0) return { file, valid: false, problems: read.problems, pruned: [] };
  return compileRaw(read.value, {
    file,
    dir: dirname(path),
    specFile: path,
    locator: read.locator,
    ...(options.checkFiles !== undefined ? { checkFiles: options.checkFiles } : {}),
  });
}

/**
 * Checks a raw spec (the YAML shape) or a `definePipeline(...)` result. Problems have no
 * source positions: they point at `options.file` (or `<builder>`), line 1, column 1.
 *
 * @example
 * const report = compilePipeline(definePipeline({ name: 'p', steps: [...] }), { dir: import.meta.dirname });
 */
export function compilePipeline(raw: unknown, options: CompilePipelineOptions): ValidationReport {
  const spec = isPipelineDefinition(raw) ? raw.spec : raw;
  const file = options.file ?? '<builder>';
  return compileRaw(spec, {
    file,
    dir: resolve(options.dir),
    specFile: options.file === undefined ? undefined : resolve(options.file),
    locator: fixedLocator(file),
    ...(options.checkFiles !== undefined ? { checkFiles: options.checkFiles } : {}),
  });
}

/**
 * Reads and checks a spec file: `.yaml`/`.yml`, or a `.ts`/`.js`/`.mjs` module whose
 * default export is `definePipeline(...)`. An unreadable file is a `SPEC_FILE` problem.
 */
export async function loadPipelineFile(file: string, options: LoadOptions = {}): Promise<ValidationReport> {
  const checkFiles = options.checkFiles !== undefined ? { checkFiles: options.checkFiles } : {};
  if (MODULE_EXTENSIONS.includes(extname(file))) {
    let exported: unknown;
    try {
      const bundle = await bundleModule(resolve(file));
      exported = ((await import(pathToFileURL(bundle.file).href)) as { default?: unknown }).default;
    } catch (error) {
      return failure(file, `cannot load pipeline module ${file}: ${(error as Error).message}`);
    }
    if (!isPipelineDefinition(exported)) {
      return failure(
        file,
        `${file} must default-export definePipeline({...}); found ${typeof exported}`,
        'SPEC_TYPE',
      );
    }
    return compilePipeline(exported, { dir: dirname(resolve(file)), file, ...checkFiles });
  }
  const limits = limitsOf(options);
  let text: string;
  try {
    // NOTE: refuse a huge file before reading it into memory.
    const { size } = await stat(file);
    if (size > limits.maxBytes) {
      return failure(
        file,
        `the file is ${size} bytes; a pipeline spec may be at most ${limits.maxBytes} bytes`,
        'SPEC_YAML_HAZARD',
      );
    }
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return failure(
      file,
      code === 'ENOENT'
        ? `pipeline file ${file} does not exist`
        : `cannot read pipeline file ${file}: ${(error as Error).message}`,
    );
  }
  return validatePipelineText(text, file, options);
}

/** Loads a spec file and returns the pipeline; throws {@link SpecError} with every problem. */
export async function loadPipeline(file: string, options: LoadOptions = {}): Promise<Pipeline> {
  const report = await loadPipelineFile(file, options);
  if (!report.pipeline) throw new SpecError(report.problems);
  return report.pipeline;
}
