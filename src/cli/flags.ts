/** Parsing of command-line option values, with errors that name the option. */
import { SluiceError } from '../core/index.js';

/** A whole number ≥ `minimum` from `--flag value`; `undefined` when the option was not given. */
export function integerFlag(flag: string, value: string | undefined, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < minimum)
    throw new SluiceError('USAGE', `${flag}: expected an integer >= ${minimum}, found '${value}'`);
  return number;
}
