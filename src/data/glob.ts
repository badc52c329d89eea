/**
 * Globs over canonical repo paths, with Pachyderm's syntax, compiled to one RegExp.
 *
 * | form      | matches                                                        |
 * |-----------|----------------------------------------------------------------|
 * | `/`       | the repo root (one datum of everything)                         |
 * | `*`       | any characters within one segment                              |
 * | `?`       | one character within a segment                                 |
 * | `[abc]` `[a-z]` `[!a]` | one character of (or not of) a class                  |
 * | `**`      | as a whole segment: zero or more segments                      |
 * | `{a,b}`   | one of the alternatives                                        |
 * | `(...)`   | a capture group, read by `join_on`/`group_by` as `$1`, `$2`... |
 * | `\x`      | the character `x` itself                                       |
 *
 * Everything else is literal. A pattern starts with `/`; a trailing `/` is ignored.
 */
import { SluiceError } from '../core/index.js';

/** A compiled glob. */
export interface CompiledGlob {
  pattern: string;
  /** The number of capture groups `(...)`. */
  groups: number;
  /** Captures of each '(...)' group, or null when the path does not match. */
  match(path: string): string[] | null;
}

// NOTE: with the 'u' flag, escaping a character that needs none is a syntax error, so
// outside and inside a class escape different sets.
const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;
const CLASS_SPECIAL = /[\]\\^-]/g;

function escapeRegex(text: string): string {
  return text.replace(REGEX_SPECIAL, '\\$&');
}

function escapeClass(text: string): string {
  return text.replace(CLASS_SPECIAL, '\\$&');
}

function invalid(pattern: string, column: number, problem: string): SluiceError {
  return new SluiceError('INVALID_GLOB', `glob ${JSON.stringify(pattern)}: ${problem} at column ${column}`, {
    details: { pattern, column },
  });
}

/** Ends of a `**` segment: after it comes a separator, the end, or the end of a group. */
function endsSegment(char: string | undefined, braces: number): boolean {
  return char === undefined || char === '/' || char === ')' || (braces > 0 && (char === '}' || char === ','));
}

/** Reads a `[...]` class starting at `start` (the `[`); returns its regex and the index after `]`. */
function readClass(pattern: string, start: number): { regex: string; next: number } {
  let index = start + 1;
  let negated = false;
  if (pattern[index] === '!' || pattern[index] === '^') {
    negated = true;
    index += 1;
  }
  let body = '';
  let first = true;
  while (index < pattern.length) {
    const char = pattern[index] ?? '';
    if (char === ']' && !first) {
      return { regex: negated ? `[^/${body}]` : `[${body}]`, next: index + 1 };
    }
    if (char === '/') throw invalid(pattern, index + 1, "'/' inside a character class; expected ']' first");
    if (char === '\\') {
      const escaped = pattern[index + 1];
      if (escaped === undefined)
        throw invalid(pattern, index + 1, "'\\' at the end; expected a character after it");
      body += escapeClass(escaped);
      index += 2;
    } else if (char === '-' && !first && pattern[index + 1] !== ']') {
      body += '-';
      index += 1;
    } else {
      body += escapeClass(char);
      index += 1;
    }
    first = false;
  }
  throw invalid(pattern, start + 1, "unclosed '['; expected ']'");
}

/**
 * Compiles a glob pattern (see the module comment for the syntax).
 *
 * @throws SluiceError `INVALID_GLOB` saying where and what was expected: a pattern not
 *   starting with `/`, an unclosed or unopened `[`, `(` or `{`, an empty segment (`//`) or
 *   a `**` that is not a whole segment (`a**`).
 * @example
 * compileGlob('/(*)/*.jpg').match('/cam1/f1.jpg'); // ['cam1']
 */
export function compileGlob(pattern: string): CompiledGlob {
  if (!pattern.startsWith('/')) {
    throw invalid(
      pattern,
      1,
      `found ${JSON.stringify(pattern[0] ?? '')}; expected '/' first (the repo root)`,
    );
  }
  // NOTE: a trailing '/' means the same folder; the root pattern '/' is then empty, which
  // is what the root path becomes in match().
  const body =
    pattern.length > 1 && pattern.endsWith('/') && !pattern.endsWith('\\/') ? pattern.slice(0, -1) : pattern;
  const source = body === '/' ? '' : body;
  let regex = '';
  let groups = 0;
  const open: { char: '(' | '{'; column: number }[] = [];
  let braces = 0;
  let index = 0;
  while (index < source.length) {
    const char = source[index] ?? '';
    const column = index + 1;
    switch (char) {
      case '/':
        if (source[index + 1] === '/')
          throw invalid(pattern, column + 1, "empty segment '//'; expected a name or pattern");
        if (source[index + 1] === undefined)
          throw invalid(pattern, column, "'/' at the end; expected a name or pattern");
        if (source.startsWith('**', index + 1) && endsSegment(source[index + 3], braces)) {
          regex += '(?:/[^/]+)*';
          index += 3;
          continue;
        }
        regex += '/';
        break;
      case '*':
        if (source[index + 1] === '*') {
          throw invalid(
            pattern,
            column,
            "'**' inside a segment; expected it alone between '/', as in /**/*.jpg",
          );
        }
        regex += '[^/]*';
        break;
      case '?':
        regex += '[^/]';
        break;
      case '[': {
        const read = readClass(source, index);
        regex += read.regex;
        index = read.next;
        continue;
      }
      case ']':
        throw invalid(pattern, column, "unexpected ']'; no '[' is open");
      case '(':
        groups += 1;
        open.push({ char: '(', column });
        regex += '(';
        break;
      case ')':
        if (open.at(-1)?.char !== '(') {
          throw invalid(
            pattern,
            column,
            open.length > 0 ? "unexpected ')'; expected '}' first" : "unexpected ')'; no '(' is open",
          );
        }
        open.pop();
        regex += ')';
        break;
      case '{':
        braces += 1;
        open.push({ char: '{', column });
        regex += '(?:';
        break;
      case '}':
        if (open.at(-1)?.char !== '{') {
          throw invalid(
            pattern,
            column,
            open.length > 0 ? "unexpected '}'; expected ')' first" : "unexpected '}'; no '{' is open",
          );
        }
        open.pop();
        braces -= 1;
        regex += ')';
        break;
      case ',':
        regex += open.at(-1)?.char === '{' ? '|' : ',';
        break;
      case '\\': {
        const escaped = source[index + 1];
        if (escaped === undefined)
          throw invalid(pattern, column, "'\\' at the end; expected a character after it");
        regex += escapeRegex(escaped);
        index += 2;
        continue;
      }
      default:
        regex += escapeRegex(char);
    }
    index += 1;
  }
  const unclosed = open.at(-1);
  if (unclosed) {
    throw invalid(
      pattern,
      unclosed.column,
      `unclosed '${unclosed.char}'; expected '${unclosed.char === '(' ? ')' : '}'}'`,
    );
  }
  const compiled = new RegExp(`^${regex}$`, 'u');
  return {
    pattern,
    groups,
    match(path: string): string[] | null {
      const found = compiled.exec(path === '/' ? '' : path);
      return found ? found.slice(1).map((capture) => capture ?? '') : null;
    },
  };
}

const TEMPLATE_REF = /\$(\d+)/g;

/** The capture numbers a `join_on`/`group_by` template refers to: `'$1-$2'` gives `[1, 2]`. */
export function templateGroups(template: string): number[] {
  return [...template.matchAll(TEMPLATE_REF)].map((match) => Number(match[1]));
}

/**
 * Fills a `join_on`/`group_by` template with a match's captures: `'$1-$2'` with
 * `['a', 'b']` gives `'a-b'`. A reference past the captures becomes empty (the spec
 * compiler refuses such templates).
 */
export function expandTemplate(template: string, captures: string[]): string {
  return template.replace(TEMPLATE_REF, (_, digits: string) => captures[Number(digits) - 1] ?? '');
}
