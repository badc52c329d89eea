/**
 * Identifiers users read and type: short, lowercase, unambiguous (no i, l, o, u), and
 * random from the first character so that a short prefix already picks one run.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A random id of `length` base-32 characters (5 bits each; 12 characters = 60 bits). */
export function newId(length = 12): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte & 31];
  return id;
}
