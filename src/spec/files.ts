/** Checks that the code a step names exists: TS modules, programs and script arguments. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { Problems } from './problems.js';
import type { RawPipeline } from './schema.js';

const EXTENSIONS = ['', '.ts', '.mts', '.js', '.mjs'];
const SCRIPT = /\.(py|sh|js|mjs|cjs|ts|rb|pl|R|jl)$/;

/** A relative path to a project file: `steps/x.sh`, `detect.py`; not flags, URLs or `k=v`. */
function looksLikeScript(arg: string): boolean {
  if (arg.startsWith('-') || isAbsolute(arg) || arg.includes('=') || arg.includes('://')) return false;
  return arg.includes('/') || SCRIPT.test(arg);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return isFile(path);
  } catch {
    return false;
  }
}

/** The file a module reference names (trying .ts, .js, .mjs when it has no extension). */
export function findModule(dir: string, module: string): string | undefined {
  const base = isAbsolute(module) ? module : resolve(dir, module);
  for (const extension of EXTENSIONS) if (isFile(base + extension)) return base + extension;
  return undefined;
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && isExecutable(join(dir, program)));
}

/** Adds a problem for each module, program or script of `run` that does not exist. */
export function checkStepFiles(
  step: string,
  run: RawPipeline['steps'][string]['run'],
  dir: string,
  problems: Problems,
): void {
  const base = ['steps', step, 'run'];
  if (typeof run === 'string' || 'module' in run) {
    const module = typeof run === 'string' ? run : run.module;
    if (!findModule(dir, module)) {
      problems.at(
        typeof run === 'string' ? base : [...base, 'module'],
        'SPEC_MODULE_NOT_FOUND',
        `step '${step}': module '${module}' does not exist (looked for ${resolve(dir, module)} with extensions .ts, .js, .mjs)`,
      );
    }
    return;
  }
  const [program, ...args] = run.command;
  if (program === undefined) return;
  if (program.includes('/')) {
    const path = isAbsolute(program) ? program : resolve(dir, program);
    if (!isFile(path)) {
      problems.at(
        [...base, 'command', 0],
        'SPEC_PROGRAM_NOT_FOUND',
        `step '${step}': program '${program}' does not exist (${path})`,
      );
    } else if (!isExecutable(path)) {
      problems.at(
        [...base, 'command', 0],
        'SPEC_PROGRAM_NOT_FOUND',
        `step '${step}': program '${program}' is not executable (chmod +x ${path})`,
      );
    }
  } else if (!onPath(program)) {
    problems.at(
      [...base, 'command', 0],
      'SPEC_PROGRAM_NOT_FOUND',
      `step '${step}': program '${program}' is not on the PATH`,
    );
  }
  args.forEach((arg, index) => {
    if (!looksLikeScript(arg)) return;
    if (!isFile(resolve(dir, arg))) {
      problems.at(
        [...base, 'command', index + 1],
        'SPEC_PROGRAM_NOT_FOUND',
        `step '${step}': script '${arg}' does not exist (${resolve(dir, arg)})`,
      );
    }
  });
}
