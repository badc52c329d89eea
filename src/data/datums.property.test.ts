/**
 * Property tests of the planner's data side: globs split a repo into datums, combinators mix
 * them. Each property states what a user relies on (a file is processed once, a new file
 * costs only the datums it lands in, the same files always give the same datums); the
 * expectations come from small oracles written here, not from the code under test.
 *
 * Seeded, so a failure replays; fast-check prints the shrunk counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DataInputSpec, RepoInputSpec } from '../spec/index.js';
import {
  computeDatums,
  datumManifest,
  repoLeaves,
  type Datum,
  type DatumFile,
  type RepoFile,
} from './datums.js';
import { compileGlob, expandTemplate } from './glob.js';

const RUNS = { numRuns: 150 } as const;

// --- spec shapes -------------------------------------------------------------------------

/** A data input before names are given: what the generators produce. */
type Shape =
  | { kind: 'repo'; glob: string }
  | { kind: 'cross' | 'union'; members: Shape[] }
  | { kind: 'join'; members: { glob: string; outer: boolean }[] }
  | { kind: 'group'; members: { glob: string }[] };

const REPOS = ['r0', 'r1', 'r2'] as const;
type RepoName = (typeof REPOS)[number];
type RepoTrees = Record<RepoName, RepoFile[]>;

function repo(
  name: string,
  repoName: string,
  glob: string,
  extra: Partial<RepoInputSpec> = {},
): RepoInputSpec {
  return { kind: 'repo', name, repo: repoName, glob, branch: 'main', outerJoin: false, ...extra };
}

/**
 * Gives every node a unique name (`n0`, `n1`...), as the spec checker demands of repo
 * leaves, and spreads the leaves over three repos (so some share one).
 */
function buildSpec(shape: Shape, name = 'input', repoName = 'r0', counter = { next: 0 }): DataInputSpec {
  const fresh = (): { name: string; repo: string } => {
    const index = counter.next++;
    return { name: `n${index}`, repo: REPOS[index % REPOS.length] ?? 'r0' };
  };
  switch (shape.kind) {
    case 'repo':
      return repo(name, repoName, shape.glob);
    case 'cross':
    case 'union':
      return {
        kind: shape.kind,
        name,
        inputs: shape.members.map((member) => {
          const leaf = fresh();
          return buildSpec(member, leaf.name, leaf.repo, counter);
        }),
      };
    case 'join':
      return {
        kind: 'join',
        name,
        inputs: shape.members.map((member) => {
          const leaf = fresh();
          return repo(leaf.name, leaf.repo, member.glob, { joinOn: '$1', outerJoin: member.outer });
        }),
      };
    case 'group':
      return {
        kind: 'group',
        name,
        inputs: shape.members.map((member) => {
          const leaf = fresh();
          return repo(leaf.name, leaf.repo, member.glob, { groupBy: '$1' });
        }),
      };
    default: {
      const never: never = shape;
      throw new Error(`unknown shape ${JSON.stringify(never)}`);
    }
  }
}

// NOTE: a handful of names, so that generated files share folders and join values meet.
// Names stay clear of '|', ':', '(' and ')': see 'datum keys of a cross' below for why.
const SEGMENTS = ['a', 'b', 'a.jpg', 'b.txt', 'a-1.jpg', 'b-2.txt'];
const GLOB_SEGMENTS = [
  '*',
  '?',
  'a',
  'b',
  '*.jpg',
  '*.txt',
  '**',
  '(*)',
  '(*)-*',
  '{a,b}',
  '[ab]',
  '[!a]*',
  'a.jpg',
  '{a,b}-*',
  '(?)*',
];
/** Globs with at least one capture, for join_on/group_by '$1'. */
const CAPTURE_GLOBS = [
  '/(*)',
  '/(*)/*',
  '/(*)-*',
  '/(*).jpg',
  '/(*).txt',
  '/(?)*',
  '/*/(?)*',
  '/**/(?)*',
  '/(*)/**',
];

const segment = fc.constantFrom(...SEGMENTS);
const repoPath = fc.array(segment, { minLength: 1, maxLength: 2 }).map((parts) => `/${parts.join('/')}`);
const content = fc.constantFrom('h1', 'h2', 'h3');

function byPath(a: RepoFile, b: RepoFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** A repo tree as its listing comes: unique paths, sorted. */
const repoTree = fc
  .uniqueArray(fc.tuple(repoPath, content), { selector: ([path]) => path, minLength: 1, maxLength: 8 })
  .map((entries) => entries.map(([path, hash]) => ({ path, hash, size: 1 })).sort(byPath));
const repoTrees: fc.Arbitrary<RepoTrees> = fc.record({ r0: repoTree, r1: repoTree, r2: repoTree });

const glob = fc.oneof(
  { arbitrary: fc.constant('/'), weight: 1 },
  {
    arbitrary: fc
      .array(fc.constantFrom(...GLOB_SEGMENTS), { minLength: 1, maxLength: 2 })
      .map((parts) => `/${parts.join('/')}`),
    weight: 9,
  },
);
const captureGlob = fc.constantFrom(...CAPTURE_GLOBS);

const repoShape: fc.Arbitrary<Shape> = glob.map((pattern) => ({ kind: 'repo', glob: pattern }));
const joinShape: fc.Arbitrary<Shape> = fc
  .array(fc.record({ glob: captureGlob, outer: fc.boolean() }), { minLength: 2, maxLength: 3 })
  .map((members) => ({ kind: 'join', members }));
const innerJoinShape: fc.Arbitrary<Shape> = fc
  .array(captureGlob, { minLength: 2, maxLength: 3 })
  .map((globs) => ({ kind: 'join', members: globs.map((pattern) => ({ glob: pattern, outer: false })) }));
const groupShape: fc.Arbitrary<Shape> = fc
  .array(captureGlob, { minLength: 1, maxLength: 2 })
  .map((globs) => ({ kind: 'group', members: globs.map((pattern) => ({ glob: pattern })) }));

function mixed(member: fc.Arbitrary<Shape>): fc.Arbitrary<Shape> {
  return fc.record({
    kind: fc.constantFrom('cross' as const, 'union' as const),
    members: fc.array(member, { minLength: 2, maxLength: 2 }),
  });
}

/** Inputs one level deep, then inputs that nest them. */
const flatShape = fc.oneof(repoShape, joinShape, groupShape, mixed(repoShape));
const anyShape = fc.oneof(repoShape, joinShape, groupShape, mixed(flatShape));
/** The same without outer joins (whose datums may be replaced when data arrives). */
const flatInnerShape = fc.oneof(repoShape, innerJoinShape, groupShape, mixed(repoShape));
const innerShape = fc.oneof(repoShape, innerJoinShape, groupShape, mixed(flatInnerShape));

// --- oracles -------------------------------------------------------------------------------

/** Expands one level of `{a,b}` alternatives, repeatedly. */
function expandBraces(pattern: string): string[] {
  const found = /\{([^{}]*)\}/.exec(pattern);
  if (!found) return [pattern];
  const before = pattern.slice(0, found.index);
  const after = pattern.slice(found.index + found[0].length);
  return (found[1] ?? '').split(',').flatMap((choice) => expandBraces(before + choice + after));
}

/** Matches one path segment against one glob segment (no braces), character by character. */
function matchChars(pattern: string, text: string): boolean {
  if (pattern === '') return text === '';
  const char = pattern[0];
  if (char === '*')
    return matchChars(pattern.slice(1), text) || (text !== '' && matchChars(pattern, text.slice(1)));
  if (text === '') return false;
  if (char === '?') return matchChars(pattern.slice(1), text.slice(1));
  if (char === '[') {
    const end = pattern.indexOf(']', 2);
    const negated = pattern[1] === '!';
    const members = pattern.slice(negated ? 2 : 1, end);
    return members.includes(text[0] ?? '') !== negated && matchChars(pattern.slice(end + 1), text.slice(1));
  }
  return char === text[0] && matchChars(pattern.slice(1), text.slice(1));
}

function matchSegments(patterns: string[], segments: string[]): boolean {
  const [first, ...rest] = patterns;
  if (first === undefined) return segments.length === 0;
  if (first === '**') {
    return (
      matchSegments(rest, segments) || (segments.length > 0 && matchSegments(patterns, segments.slice(1)))
    );
  }
  const [head, ...tail] = segments;
  if (head === undefined) return false;
  return expandBraces(first).some((choice) => matchChars(choice, head)) && matchSegments(rest, tail);
}

/** An independent glob matcher for the generated subset: segment by segment, groups ignored. */
function oracleMatches(pattern: string, path: string): boolean {
  const split = (text: string) => text.split('/').filter((part) => part !== '');
  return matchSegments(split(pattern.replace(/[()]/g, '')), split(path));
}

/** `/`, then each folder of `path`, then `path` itself: the candidate datum roots, shortest first. */
function prefixes(path: string): string[] {
  const parts = path.split('/').slice(1);
  return ['/', ...parts.map((_, index) => `/${parts.slice(0, index + 1).join('/')}`)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedFiles(files: DatumFile[]): DatumFile[] {
  return [...files].sort((a, b) => compare(a.input, b.input) || compare(a.path, b.path));
}

function byKey(a: { key: string }, b: { key: string }): number {
  return compare(a.key, b.key);
}

/** A member's key inside a combined input, as the module comment documents. */
function memberKey(member: DataInputSpec, key: string): string {
  return `${member.name}:${member.kind === 'repo' ? key : `(${key})`}`;
}

function datumsOf(spec: DataInputSpec, trees: RepoTrees): Datum[] {
  return computeDatums(spec, (leaf) => trees[leaf.repo as RepoName] ?? []);
}

/** The value of a repo datum for a join_on/group_by template. */
function templateValue(leaf: RepoInputSpec, template: string, datum: Datum): string {
  const captures = compileGlob(leaf.glob).match(datum.key);
  if (!captures) throw new Error(`datum root ${datum.key} does not match ${leaf.glob}`);
  return expandTemplate(template, captures);
}

function shuffled<T>(list: T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length });
}

function withFile(trees: RepoTrees, repoName: RepoName, file: RepoFile): RepoTrees {
  return { ...trees, [repoName]: [...trees[repoName], file].sort(byPath) };
}

// --- properties ----------------------------------------------------------------------------

describe('glob matching (property)', () => {
  it('matches exactly the paths a segment-by-segment matcher matches', () => {
    fc.assert(
      fc.property(glob, repoPath, (pattern, path) => {
        expect(compileGlob(pattern).match(path) !== null).toBe(oracleMatches(pattern, path));
      }),
      { seed: 101, numRuns: 1000 },
    );
  });
});

describe('splitting a repo by its glob (property)', () => {
  it('puts each file under its shortest matching prefix, exactly once, and no other file', () => {
    fc.assert(
      fc.property(glob, repoTree, (pattern, files) => {
        const expected = new Map<string, string[]>();
        for (const file of files) {
          const root = prefixes(file.path).find((prefix) => oracleMatches(pattern, prefix));
          if (root !== undefined) expected.set(root, [...(expected.get(root) ?? []), file.path]);
        }
        const datums = computeDatums(repo('r', 'r0', pattern), () => files);
        expect(datums.map((datum) => [datum.key, datum.files.map((file) => file.path)])).toEqual(
          [...expected].sort(([a], [b]) => compare(a, b)),
        );
      }),
      { seed: 102, ...RUNS },
    );
  });
});

describe('datums of any data input (property)', () => {
  it('gives unique keys in sorted order, and files sorted by input and path', () => {
    fc.assert(
      fc.property(anyShape, repoTrees, (shape, trees) => {
        const datums = datumsOf(buildSpec(shape), trees);
        const keys = datums.map((datum) => datum.key);
        expect(new Set(keys).size).toBe(keys.length);
        expect([...keys].sort(compare)).toEqual(keys);
        for (const datum of datums) {
          expect(datum.files.length).toBeGreaterThan(0);
          expect(datum.files).toEqual(sortedFiles(datum.files));
        }
      }),
      { seed: 103, ...RUNS },
    );
  });

  it('gives the same datums whatever order the files are listed in', () => {
    // NOTE: listings are sorted by the store, and PGlite and a PostgreSQL server with
    // another collation may sort differently; datums must not depend on it.
    const listed = repoTrees.chain((trees) =>
      fc
        .record({ r0: shuffled(trees.r0), r1: shuffled(trees.r1), r2: shuffled(trees.r2) })
        .map((shuffle) => ({
          trees,
          shuffle,
        })),
    );
    fc.assert(
      fc.property(anyShape, listed, (shape, { trees, shuffle }) => {
        const spec = buildSpec(shape);
        expect(datumsOf(spec, shuffle)).toEqual(datumsOf(spec, trees));
      }),
      { seed: 104, ...RUNS },
    );
  });

  it('lays out every file of a datum at its own path in the datum directory', () => {
    fc.assert(
      fc.property(anyShape, repoTrees, (shape, trees) => {
        const spec = buildSpec(shape);
        for (const datum of datumsOf(spec, trees)) {
          const manifest = datumManifest(spec, datum);
          expect(Object.keys(manifest)).toHaveLength(datum.files.length);
          expect(Object.values(manifest).sort()).toEqual(datum.files.map((file) => file.hash).sort());
        }
      }),
      { seed: 105, ...RUNS },
    );
  });
});

describe('combined inputs (property)', () => {
  it('crosses n and m datums into n*m datums, each pair exactly once', () => {
    fc.assert(
      fc.property(flatShape, flatShape, repoTrees, (left, right, trees) => {
        const spec = buildSpec({ kind: 'cross', members: [left, right] });
        if (spec.kind === 'repo') throw new Error('a cross built a repo input');
        const [a, b] = spec.inputs as [DataInputSpec, DataInputSpec];
        const lefts = datumsOf(a, trees);
        const rights = datumsOf(b, trees);
        const expected = lefts.flatMap((one) =>
          rights.map((two) => ({
            key: `${memberKey(a, one.key)}|${memberKey(b, two.key)}`,
            files: sortedFiles([...one.files, ...two.files]),
          })),
        );
        const datums = datumsOf(spec, trees);
        expect(datums).toHaveLength(lefts.length * rights.length);
        expect(datums).toEqual(expected.sort(byKey));
      }),
      { seed: 106, ...RUNS },
    );
  });

  it('unions datums side by side: the sum, no key collisions, even over the same files', () => {
    const sameOrNot = fc.oneof(
      fc.tuple(flatShape, flatShape),
      flatShape.map((shape) => [shape, shape] as const),
    );
    fc.assert(
      fc.property(sameOrNot, repoTrees, ([left, right], trees) => {
        const spec = buildSpec({ kind: 'union', members: [left, right] });
        if (spec.kind === 'repo') throw new Error('a union built a repo input');
        const expected = spec.inputs.flatMap((member) =>
          datumsOf(member, trees).map((datum) => ({ key: memberKey(member, datum.key), files: datum.files })),
        );
        const datums = datumsOf(spec, trees);
        expect(new Set(datums.map((datum) => datum.key)).size).toBe(expected.length);
        expect(datums).toEqual(expected.sort(byKey));
      }),
      { seed: 107, ...RUNS },
    );
  });

  it('joins, per join_on value, every combination of the members’ datums with it', () => {
    fc.assert(
      fc.property(joinShape, repoTrees, (shape, trees) => {
        const spec = buildSpec(shape);
        if (spec.kind !== 'join') throw new Error('a join built another input');
        const members = spec.inputs as RepoInputSpec[];
        const byValue = members.map((member) => {
          const map = new Map<string, Datum[]>();
          for (const datum of datumsOf(member, trees)) {
            const value = templateValue(member, member.joinOn ?? '', datum);
            map.set(value, [...(map.get(value) ?? []), datum]);
          }
          return { member, map };
        });
        const values = new Set(byValue.flatMap(({ map }) => [...map.keys()]));
        const expected: Datum[] = [];
        for (const value of values) {
          const present = byValue.filter(({ map }) => map.has(value));
          // Inner: every member has the value. Outer: a member that has it is outer_join.
          if (present.length < members.length && !present.some(({ member }) => member.outerJoin)) continue;
          let combos: Datum[] = [{ key: `on=${value}`, files: [] }];
          for (const { member, map } of present) {
            combos = combos.flatMap((combo) =>
              (map.get(value) ?? []).map((datum) => ({
                key: `${combo.key}|${memberKey(member, datum.key)}`,
                files: [...combo.files, ...datum.files],
              })),
            );
          }
          expected.push(...combos.map((combo) => ({ key: combo.key, files: sortedFiles(combo.files) })));
        }
        expect(datumsOf(spec, trees)).toEqual(expected.sort(byKey));
      }),
      { seed: 108, ...RUNS },
    );
  });

  it('groups every member datum into the one datum of its group_by value', () => {
    fc.assert(
      fc.property(groupShape, repoTrees, (shape, trees) => {
        const spec = buildSpec(shape);
        if (spec.kind !== 'group') throw new Error('a group built another input');
        const groups = new Map<string, DatumFile[]>();
        for (const member of spec.inputs as RepoInputSpec[]) {
          for (const datum of datumsOf(member, trees)) {
            const value = templateValue(member, member.groupBy ?? '', datum);
            groups.set(value, [...(groups.get(value) ?? []), ...datum.files]);
          }
        }
        const expected = [...groups].map(([value, files]) => ({
          key: `by=${value}`,
          files: sortedFiles(files),
        }));
        expect(datumsOf(spec, trees)).toEqual(expected.sort(byKey));
      }),
      { seed: 109, ...RUNS },
    );
  });
});

describe('a new file (property)', () => {
  const added = fc.record({ repoName: fc.constantFrom(...REPOS), path: repoPath, hash: content });

  /** Whether `datum` holds the added file (through any leaf that reads its repo). */
  function holds(spec: DataInputSpec, datum: Datum, repoName: string, path: string): boolean {
    const leafRepos = new Map(repoLeaves(spec).map((leaf) => [leaf.name, leaf.repo]));
    return datum.files.some((file) => file.path === path && leafRepos.get(file.input) === repoName);
  }

  it('leaves every datum that does not hold it as it was, so its cached result is reused', () => {
    fc.assert(
      fc.property(anyShape, repoTrees, added, (shape, trees, { repoName, path, hash }) => {
        fc.pre(!trees[repoName].some((file) => file.path === path));
        const spec = buildSpec(shape);
        const before = new Map(datumsOf(spec, trees).map((datum) => [datum.key, datum]));
        for (const datum of datumsOf(spec, withFile(trees, repoName, { path, hash, size: 1 }))) {
          if (!holds(spec, datum, repoName, path)) expect(before.get(datum.key)).toEqual(datum);
        }
      }),
      { seed: 110, ...RUNS },
    );
  });

  it('keeps every earlier datum, the ones it lands in under the same key (no outer joins)', () => {
    fc.assert(
      fc.property(innerShape, repoTrees, added, (shape, trees, { repoName, path, hash }) => {
        fc.pre(!trees[repoName].some((file) => file.path === path));
        const spec = buildSpec(shape);
        const after = new Map(
          datumsOf(spec, withFile(trees, repoName, { path, hash, size: 1 })).map((datum) => [
            datum.key,
            datum,
          ]),
        );
        for (const datum of datumsOf(spec, trees)) {
          const now = after.get(datum.key);
          expect(now).toBeDefined();
          const extra = (now?.files ?? []).filter(
            (file) => !datum.files.some((old) => old.input === file.input && old.path === file.path),
          );
          expect(extra.every((file) => file.path === path)).toBe(true);
          expect(now?.files.length).toBe(datum.files.length + extra.length);
        }
      }),
      { seed: 111, ...RUNS },
    );
  });

  it('replaces an outer-join datum by the joined one when the missing side arrives', () => {
    const spec = buildSpec({
      kind: 'join',
      members: [
        { glob: '/(*).jpg', outer: false },
        { glob: '/(*).txt', outer: true },
      ],
    });
    const trees: RepoTrees = { r0: [], r1: [{ path: '/a.txt', hash: 'h1', size: 1 }], r2: [] };
    expect(datumsOf(spec, trees).map((datum) => datum.key)).toEqual(['on=a|n1:/a.txt']);
    const later = withFile(trees, 'r0', { path: '/a.jpg', hash: 'h2', size: 1 });
    expect(datumsOf(spec, later).map((datum) => datum.key)).toEqual(['on=a|n0:/a.jpg|n1:/a.txt']);
  });
});

describe('datum keys of a cross', () => {
  // NOTE: repo paths may contain '|', ':' and parentheses; member keys escape them, or two
  // different pairs would share a key and one datum would be processed twice, the other never.
  it('stays unique when folder names contain | and :', () => {
    const spec = buildSpec({
      kind: 'cross',
      members: [
        { kind: 'repo', glob: '/**/*.jpg' },
        { kind: 'repo', glob: '/**/*.jpg' },
      ],
    });
    const file = (path: string): RepoFile => ({ path, hash: `h${path}`, size: 1 });
    // Leaf n0 reads r0, leaf n1 reads r1. Pairs (/a.jpg, /b.jpg|n1:/c.jpg) and
    // (/a.jpg|n1:/b.jpg, /c.jpg) both become 'n0:/a.jpg|n1:/b.jpg|n1:/c.jpg'.
    const trees: RepoTrees = {
      r0: [file('/a.jpg'), file('/a.jpg|n1:/b.jpg')],
      r1: [file('/b.jpg|n1:/c.jpg'), file('/c.jpg')],
      r2: [],
    };
    const keys = datumsOf(spec, trees).map((datum) => datum.key);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(4);
  });
});
