/**
 * Reads a YAML spec safely and remembers where every value came from, so each problem can
 * be reported at its file:line:column. Hazards are refused before they can hurt: huge
 * documents, alias bombs, deep nesting, duplicate keys, several documents in one file.
 */
import {
  LineCounter,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node,
} from 'yaml';
import type { SourceLocation, SpecProblem } from '../core/index.js';

/** Limits of the YAML reader. */
export interface YamlLimits {
  maxBytes: number;
  maxDepth: number;
  maxAliasCount: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxBytes: 1024 * 1024, maxDepth: 64, maxAliasCount: 100 };

/** Finds the location of a key path in the source. */
export interface Locator {
  /** Where the value at `path` is (or the nearest parent that exists). */
  value(path: (string | number)[]): SourceLocation;
  /** Where the key of the entry at `path` is (for unknown keys). */
  key(path: (string | number)[]): SourceLocation;
}

/** The result of reading YAML: the plain value, or the problems that stopped it. */
export interface YamlRead {
  value: unknown;
  problems: SpecProblem[];
  locator: Locator;
}

function problem(code: SpecProblem['code'], message: string, at: SourceLocation): SpecProblem {
  return { code, message, path: [], ...at };
}

/** A locator for sources without positions (the builder): everything at line 1, column 1. */
export function fixedLocator(file: string): Locator {
  const at = { file, line: 1, column: 1 };
  return { value: () => at, key: () => at };
}

/** Parses `text` (from `file`) with the limits; never throws for bad input. */
export function readYaml(text: string, file: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): YamlRead {
  const start = { file, line: 1, column: 1 };
  const none: YamlRead = { value: undefined, problems: [], locator: fixedLocator(file) };
  const bytes = Buffer.byteLength(text);
  if (bytes > limits.maxBytes) {
    none.problems.push(
      problem(
        'SPEC_YAML_HAZARD',
        `the file is ${bytes} bytes; a pipeline spec may be at most ${limits.maxBytes} bytes`,
        start,
      ),
    );
    return none;
  }
  const lineCounter = new LineCounter();
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const flowDeep = tooDeepFlow(text, limits.maxDepth);
  if (flowDeep !== undefined) {
    none.problems.push(
      problem(
        'SPEC_YAML_HAZARD',
        `the YAML nests deeper than ${limits.maxDepth} levels; a pipeline spec needs far fewer`,
        {
          file,
          line: text.slice(0, flowDeep).split('\n').length,
          column: flowDeep - text.lastIndexOf('\n', flowDeep - 1),
        },
      ),
    );
    return none;
  }
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, {
      lineCounter,
      uniqueKeys: false,
      prettyErrors: false,
    }) as Document.Parsed[];
  } catch (error) {
    const deep = error instanceof RangeError;
    none.problems.push(
      deep
        ? problem(
            'SPEC_YAML_HAZARD',
            `the YAML nests too deeply to parse; at most ${limits.maxDepth} levels are allowed`,
            start,
          )
        : problem('SPEC_YAML', `cannot parse YAML: ${(error as Error).message}`, start),
    );
    return none;
  }
  if (!Array.isArray(documents)) documents = [documents];
  if (documents.length > 1) {
    const second = documents[1];
    none.problems.push(
      problem(
        'SPEC_YAML_HAZARD',
        `the file holds ${documents.length} YAML documents (a second one starts here); a pipeline spec is exactly one document`,
        at(second?.range[0] ?? 0),
      ),
    );
    return none;
  }
  const doc = documents[0];
  if (!doc || doc.contents === null) {
    none.problems.push(
      problem(
        'SPEC_YAML',
        'the file is empty; expected a pipeline spec (a mapping with name and steps)',
        start,
      ),
    );
    return none;
  }
  for (const error of doc.errors) {
    none.problems.push(
      problem('SPEC_YAML', `invalid YAML: ${error.message.split('\n')[0]}`, at(error.pos[0])),
    );
  }
  if (none.problems.length > 0) return none;
  const deep = findTooDeep(doc.contents as Node | null, limits.maxDepth);
  if (deep) {
    none.problems.push(
      problem(
        'SPEC_YAML_HAZARD',
        `the YAML nests deeper than ${limits.maxDepth} levels; a pipeline spec needs far fewer`,
        at(deep.range?.[0] ?? 0),
      ),
    );
    return none;
  }
  for (const duplicate of findDuplicateKeys(doc.contents as Node | null)) {
    const first = at(duplicate.first);
    none.problems.push(
      problem(
        'SPEC_YAML_HAZARD',
        `duplicate key '${duplicate.key}' (first at line ${first.line}, column ${first.column}); each key may appear only once in a mapping`,
        at(duplicate.second),
      ),
    );
  }
  if (none.problems.length > 0) return none;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (error) {
    const message = (error as Error).message;
    const bomb = /alias/i.test(message);
    none.problems.push(
      problem(
        bomb ? 'SPEC_YAML_HAZARD' : 'SPEC_YAML',
        bomb
          ? `the YAML expands aliases more than ${limits.maxAliasCount} times (an alias bomb); write the values out or use fewer aliases`
          : `cannot read YAML: ${message}`,
        start,
      ),
    );
    return none;
  }
  return { value, problems: [], locator: locatorFor(doc, at, file) };
}

/**
 * The offset of the first flow bracket (`[`, `{`) nested deeper than `maxDepth`, found by
 * a scan of the text, so the parser never recurses that deep. Quotes and comments are
 * skipped; a bracket opens a collection only after `:`, `-`, `,`, `[`, `{` or a line start.
 */
function tooDeepFlow(text: string, maxDepth: number): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  let previous = '\n';
  for (let offset = 0; offset < text.length; offset++) {
    const char = text[offset] as string;
    if (quote) {
      if (char === quote) quote = undefined;
      continue;
    }
    if (char === '#' && /\s/.test(text[offset - 1] ?? '\n')) {
      while (offset < text.length && text[offset] !== '\n') offset++;
      previous = '\n';
      continue;
    }
    if ((char === '"' || char === "'") && (depth > 0 || /[\s:,[{-]/.test(previous))) quote = char;
    else if ((char === '[' || char === '{') && (depth > 0 || /[\n:,[{-]/.test(previous))) {
      depth += 1;
      if (depth > maxDepth) return offset;
    } else if ((char === ']' || char === '}') && depth > 0) depth -= 1;
    if (!/[ \t]/.test(char)) previous = char;
  }
  return undefined;
}

/** The first node deeper than `maxDepth`, walking without recursion. */
function findTooDeep(root: Node | null, maxDepth: number): Node | undefined {
  const stack: [Node, number][] = root ? [[root, 1]] : [];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [Node, number];
    if (depth > maxDepth) return node;
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          if (item.value) stack.push([item.value as Node, depth + 1]);
        } else if (item) {
          stack.push([item as Node, depth + 1]);
        }
      }
    }
  }
  return undefined;
}

interface DuplicateKey {
  key: string;
  first: number;
  second: number;
}

/** Every key that repeats in its mapping (scalar keys only), with both offsets. */
function findDuplicateKeys(root: Node | null): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const stack: Node[] = root ? [root] : [];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          const offset = pair.key.range?.[0] ?? 0;
          const first = seen.get(key);
          if (first === undefined) seen.set(key, offset);
          else found.push({ key, first, second: offset });
        }
        if (pair.value) stack.push(pair.value as Node);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) if (item) stack.push(item as Node);
    }
  }
  return found.sort((a, b) => a.second - b.second);
}

function locatorFor(doc: Document.Parsed, at: (offset: number) => SourceLocation, file: string): Locator {
  const start = { file, line: 1, column: 1 };
  /** The deepest node along `path`, and the pair holding the last key found. */
  function walk(path: (string | number)[]): { node: Node | undefined; keyNode: Node | undefined } {
    let node = doc.contents as Node | null | undefined;
    let keyNode: Node | undefined;
    let deepest: Node | undefined = node ?? undefined;
    for (const part of path) {
      if (!node) break;
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
        if (!pair) return { node: deepest, keyNode: undefined };
        keyNode = pair.key as Node;
        node = pair.value as Node | null;
        deepest = node ?? keyNode;
      } else if (isSeq(node) && typeof part === 'number') {
        node = node.items[part] as Node | undefined;
        keyNode = undefined;
        deepest = node ?? deepest;
      } else {
        break;
      }
    }
    return { node: deepest, keyNode };
  }
  const locate = (node: Node | undefined): SourceLocation => (node?.range ? at(node.range[0]) : start);
  return {
    value: (path) => locate(walk(path).node),
    key: (path) => {
      const found = walk(path);
      return locate(found.keyNode ?? found.node);
    },
  };
}
