/** Collecting spec problems, each located at its file:line:column. */
import type { ErrorCode, SpecProblem } from '../core/index.js';
import type { Locator } from './yaml.js';

type Path = (string | number)[];

/** Collects problems with their locations. */
export class Problems {
  readonly list: SpecProblem[] = [];
  readonly #locator: Locator;

  constructor(locator: Locator) {
    this.#locator = locator;
  }

  /** A problem with the value at `path`. */
  at(path: Path, code: ErrorCode, message: string): void {
    this.list.push({ code, message, path, ...this.#locator.value(path) });
  }

  /** A problem with the key at `path` (unknown keys, bad names). */
  atKey(path: Path, code: ErrorCode, message: string): void {
    this.list.push({ code, message, path, ...this.#locator.key(path) });
  }
}

/** Problems ordered by position, then code. */
export function sortProblems(list: SpecProblem[]): SpecProblem[] {
  return [...list].sort((a, b) => a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
}
