/**
 * Canonical paths inside a repo: `/a/b/c`, `/` for the root.
 *
 * Every path that comes from outside (CLI arguments, API requests, names inside uploaded
 * trees) goes through {@link normalizeRepoPath} before it touches the store or the file
 * system. It never resolves `..`: a path that tries to leave its folder is refused, as are
 * the encoded and platform-specific ways of writing one (`%2e%2e`, `%252f`, `\`, `C:`).
 */
import { SluiceError } from '../core/index.js';

/** The longest path accepted, in UTF-8 bytes (PATH_MAX on Linux). */
export const MAX_PATH_BYTES = 4096;
/** The longest path segment accepted, in UTF-8 bytes (NAME_MAX on Linux). */
export const MAX_SEGMENT_BYTES = 255;

// NOTE: C0 controls and DEL; NUL among them. They break terminals, logs and file systems.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const PERCENT_ESCAPE = /%([0-9a-fA-F]{2})/g;
const DRIVE = /^[A-Za-z]:/;
/** Characters an escape may not decode to: they would change how the path splits. */
const FORBIDDEN_DECODED = new Set(['.', '/', '\\']);

const encoder = new TextEncoder();

/** The input as it reads in a message: quoted, escaped, shortened when huge. */
function quote(input: string): string {
  const shown = input.length > 80 ? `${input.slice(0, 77)}...` : input;
  return JSON.stringify(shown);
}

function invalid(
  what: string,
  input: string,
  reason: string,
  expected = 'a path inside the repo like /a/b.jpg',
): SluiceError {
  return new SluiceError('INVALID_PATH', `${what} ${quote(input)}: ${reason}; expected ${expected}`, {
    details: { path: input },
  });
}

/** The reason an escape in `input` is refused, or `undefined` when every escape is harmless. */
function escapeProblem(input: string): string | undefined {
  if (!input.includes('%')) return undefined;
  let decodedText = '';
  let last = 0;
  for (const match of input.matchAll(PERCENT_ESCAPE)) {
    const escape = match[0];
    const char = String.fromCharCode(Number.parseInt(match[1] ?? '', 16));
    if (FORBIDDEN_DECODED.has(char)) {
      return `the escape '${escape}' decodes to ${JSON.stringify(char)}`;
    }
    if (CONTROL.test(char)) return `the escape '${escape}' decodes to a control character`;
    decodedText += input.slice(last, match.index) + char;
    last = match.index + escape.length;
  }
  decodedText += input.slice(last);
  // NOTE: a decoded '%' is harmless alone ('100%25' is '100%'), but one that forms a new
  // escape ('%252e', '%%32%65') would decode again on a second pass.
  const again = /%[0-9a-fA-F]{2}/.exec(decodedText);
  if (again) return `it decodes to a further escape '${again[0]}' (double encoding)`;
  return undefined;
}

/**
 * Returns the canonical in-repo form `/a/b/c` of a path (`/` for the root).
 *
 * A leading `/` is optional and means the repo root; `.` segments, repeated and trailing
 * `/` collapse; the empty string is the root.
 *
 * @param what - how the path is named in error messages (`path`, `upload path`, ...).
 * @throws SluiceError `INVALID_PATH` for a `..` segment, a backslash, a NUL or other control
 *   character, a Windows drive (`C:`), a percent escape that decodes to `.`, `/`, `\`, a
 *   control character or another escape, a segment over 255 bytes or a path over 4096 bytes.
 * @example
 * normalizeRepoPath('cam1//./f1.jpg/'); // '/cam1/f1.jpg'
 */
export function normalizeRepoPath(input: string, what = 'path'): string {
  if (encoder.encode(input).length > MAX_PATH_BYTES) {
    throw invalid(what, input, `it is longer than ${MAX_PATH_BYTES} bytes`);
  }
  if (input.includes('\0')) throw invalid(what, input, 'it contains a NUL character');
  if (CONTROL.test(input)) throw invalid(what, input, 'it contains a control character');
  if (input.includes('\\')) throw invalid(what, input, "it contains a backslash; use '/' between folders");
  if (DRIVE.test(input)) throw invalid(what, input, 'it starts with a Windows drive');
  const escape = escapeProblem(input);
  if (escape !== undefined) throw invalid(what, input, escape);
  const segments: string[] = [];
  for (const segment of input.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw invalid(what, input, "'..' segments are not allowed");
    if (encoder.encode(segment).length > MAX_SEGMENT_BYTES) {
      throw invalid(what, input, `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
    segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

/**
 * Returns the canonical path of a file found inside an uploaded tree (a directory walk, an
 * archive entry), which must be relative: `a/b.jpg` becomes `/a/b.jpg`.
 *
 * @throws SluiceError `INVALID_PATH` for an absolute name, a name that is the root itself
 *   (empty, `.`), or anything {@link normalizeRepoPath} refuses.
 */
export function relativeUploadPath(name: string): string {
  const what = 'upload path';
  if (name.startsWith('/')) throw invalid(what, name, 'it is absolute', "a relative name like 'a/b.jpg'");
  const path = normalizeRepoPath(name, what);
  if (path === '/')
    throw invalid(what, name, 'it names the root, not a file', "a relative name like 'a/b.jpg'");
  return path;
}

/**
 * Joins a repo folder and a path below it: `joinRepoPath('/a', 'b/c.txt')` is `/a/b/c.txt`.
 * Both parts are normalised first; a leading `/` on `rel` is ignored (it stays below `dir`).
 *
 * @throws SluiceError `INVALID_PATH` when either part, or the joined path, is refused by
 *   {@link normalizeRepoPath}.
 */
export function joinRepoPath(dir: string, rel: string): string {
  const base = normalizeRepoPath(dir);
  const tail = normalizeRepoPath(rel);
  if (tail === '/') return base;
  return normalizeRepoPath(base === '/' ? tail : `${base}${tail}`);
}
