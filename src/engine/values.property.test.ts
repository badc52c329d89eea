/**
 * Property tests of the execution-key rule: a task's key is
 * `sha256(step version, its inputs' hashes)` (run-execution.ts, `#checkReady`), so a cached
 * result is reused exactly when the step version and every input hash are unchanged. These
 * properties pin both parts: the inputs' hashes (from the data plan and the value table)
 * and the step version.
 *
 * Seeded, so a failure replays; fast-check prints the shrunk counterexample.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RepoFile, Repos } from '../data/index.js';
import { compilePipeline, type Pipeline, type StepSpec } from '../spec/index.js';
import type { CommitRecord } from '../store/index.js';
import { planData, type DataPlan } from './data-plan.js';
import { stepVersion } from './engine.js';
import { ValueTable, datumKeys } from './values.js';

const RUNS = { numRuns: 150 } as const;

const pipeline = ((): Pipeline => {
  const report = compilePipeline(
    {
      name: 'props',
      params: { threshold: { type: 'number', default: 0.5 } },
      inputs: {
        frames: { repo: 'cams', glob: '/*' },
        pairs: {
          cross: { images: { repo: 'cams', glob: '/*/*' }, labels: { repo: 'labels', glob: '/' } },
        },
      },
      steps: {
        score: { run: './score.ts', inputs: ['frames', 'threshold'], outputs: ['score'] },
        match: { run: './match.ts', inputs: ['pairs'], outputs: ['matched'] },
        report: { run: './report.ts', inputs: ['score[]', 'threshold', 'matched[]'], outputs: ['summary'] },
      },
      outputs: ['summary'],
    },
    { dir: '.', checkFiles: false },
  );
  if (!report.pipeline) throw new Error(JSON.stringify(report.problems));
  return report.pipeline;
})();

function step(name: string): StepSpec {
  const found = pipeline.steps[name];
  if (!found) throw new Error(`no step '${name}'`);
  return found;
}

// --- repos and plans -----------------------------------------------------------------------

type Trees = Record<'cams' | 'labels', RepoFile[]>;

/** The part of {@link Repos} that planData reads, serving fixed trees at one commit per repo. */
function reposOf(trees: Trees): Repos {
  const commitOf = (repo: string): CommitRecord => ({
    id: `${repo}-commit`,
    repo,
    branch: 'main',
    seq: 1,
    parent: null,
    message: '',
    fileCount: trees[repo as keyof Trees].length,
    bytes: 0,
    added: 0,
    changed: 0,
    removed: 0,
    provenance: null,
    createdAt: new Date(0),
  });
  const fake = {
    resolve: (repo: string) => Promise.resolve({ repo, branch: 'main', commit: commitOf(repo) }),
    resolveCommit: (repo: string) => Promise.resolve(commitOf(repo)),
    records: { listFiles: (commit: CommitRecord) => Promise.resolve(trees[commit.repo as keyof Trees]) },
  };
  return fake as unknown as Repos;
}

/** A value table filled as a run starts (run-execution.ts, `start()`). */
function tableOf(plan: DataPlan, threshold = 0.5): ValueTable {
  const table = new ValueTable(pipeline);
  table.publishOnce('threshold', threshold);
  for (const input of plan.inputs) {
    for (const datum of input.datums) table.publishDatum(input.name, datum.key, datum.value);
    table.setKeys(
      input.name,
      input.datums.map((datum) => datum.key),
    );
    table.markComplete(input.name);
  }
  return table;
}

function byPath(a: RepoFile, b: RepoFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

const segment = fc.constantFrom('a', 'b', 'c.jpg', 'd.txt');
const repoPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`);
const content = fc.constantFrom('h1', 'h2', 'h3', 'h4');
const tree = fc
  .uniqueArray(fc.tuple(repoPath, content), { selector: ([path]) => path, minLength: 1, maxLength: 8 })
  .map((entries) => entries.map(([path, hash]) => ({ path, hash, size: 1 })).sort(byPath));
const trees: fc.Arbitrary<Trees> = fc.record({ cams: tree, labels: tree });

/** A new content for a path: an edit when the path exists, else a new file. */
const change = fc.record({
  repo: fc.constantFrom('cams' as const, 'labels' as const),
  path: repoPath,
  hash: content,
});

function applyChange(
  before: Trees,
  { repo, path, hash }: { repo: keyof Trees; path: string; hash: string },
): Trees {
  const others = before[repo].filter((file) => file.path !== path);
  return { ...before, [repo]: [...others, { path, hash, size: 1 }].sort(byPath) };
}

/** Whether a datum's file-set value holds `path` of `repo`, by where its inputs lay files out. */
function holds(input: string, value: unknown, repo: keyof Trees, path: string): boolean {
  const files = (value as { $files: Record<string, string> }).$files;
  const rel = path.slice(1);
  if (input === 'frames') return repo === 'cams' && rel in files;
  return `${repo === 'cams' ? 'images' : 'labels'}/${rel}` in files;
}

// --- properties ----------------------------------------------------------------------------

describe('execution-key inputs of a data datum (property)', () => {
  it('change exactly for the datums holding an edited or added file', async () => {
    await fc.assert(
      fc.asyncProperty(trees, change, async (before, edit) => {
        const old = before[edit.repo].find((file) => file.path === edit.path);
        fc.pre(old?.hash !== edit.hash);
        const after = applyChange(before, edit);
        const [planBefore, planAfter] = await Promise.all([
          planData(pipeline, reposOf(before)),
          planData(pipeline, reposOf(after)),
        ]);
        const [tableBefore, tableAfter] = [tableOf(planBefore), tableOf(planAfter)];
        for (const input of planAfter.inputs) {
          const consumer = step(input.name === 'frames' ? 'score' : 'match');
          const keysBefore = new Set(tableBefore.keys(input.name));
          for (const datum of input.datums) {
            if (!keysBefore.has(datum.key)) {
              // A datum only a new file can make.
              expect(holds(input.name, datum.value, edit.repo, edit.path)).toBe(true);
              continue;
            }
            const same = isDeepStrictEqual(
              tableBefore.resolveInputs(consumer, datum.key)?.hashes,
              tableAfter.resolveInputs(consumer, datum.key)?.hashes,
            );
            expect(same).toBe(!holds(input.name, datum.value, edit.repo, edit.path));
          }
        }
      }),
      { seed: 201, ...RUNS },
    );
  });

  it('are the same whatever order the repo listing comes in', async () => {
    const listed = trees.chain((sorted) =>
      fc
        .record({
          cams: fc.shuffledSubarray(sorted.cams, { minLength: sorted.cams.length }),
          labels: fc.shuffledSubarray(sorted.labels, { minLength: sorted.labels.length }),
        })
        .map((shuffled) => ({ sorted, shuffled })),
    );
    await fc.assert(
      fc.asyncProperty(listed, async ({ sorted, shuffled }) => {
        const [one, two] = await Promise.all([
          planData(pipeline, reposOf(sorted)),
          planData(pipeline, reposOf(shuffled)),
        ]);
        expect(two).toEqual(one);
      }),
      { seed: 202, ...RUNS },
    );
  });
});

/** Small JSON values whose deep equality is their canonical-JSON equality. */
const json = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 3 }),
  fc.boolean(),
  fc.record(
    { label: fc.constantFrom('bee', 'wasp'), score: fc.integer({ min: 0, max: 3 }) },
    { noNullPrototype: true },
  ),
);

/** Datum keys and one value each, as a step publishes them. */
const datums = fc
  .uniqueArray(fc.stringMatching(/^\/[a-c]{1,2}$/), { minLength: 1, maxLength: 6 })
  .map((keys) => keys.sort())
  .chain((keys) =>
    fc.record({
      keys: fc.constant(keys),
      values: fc.array(json, { minLength: keys.length, maxLength: keys.length }),
    }),
  );

/** A table where `score` has `values` for the datums `keys` of `frames`, published in `order`. */
function scoredTable(keys: string[], values: unknown[], order: number[], threshold = 0.5): ValueTable {
  const table = new ValueTable(pipeline);
  table.publishOnce('threshold', threshold);
  for (const index of order) table.publishDatum('score', keys[index] ?? '', values[index]);
  table.setKeys('frames', keys);
  table.markComplete('score');
  // NOTE: the other gathered input, with no datums.
  table.setKeys('pairs', []);
  table.markComplete('matched');
  return table;
}

describe('execution-key inputs of a gathering step (property)', () => {
  const withOrder = datums.chain(({ keys, values }) =>
    fc
      .shuffledSubarray(
        keys.map((_, index) => index),
        { minLength: keys.length },
      )
      .map((order) => ({ keys, values, order })),
  );

  it('list the datums by key, whatever order they were published in', () => {
    fc.assert(
      fc.property(withOrder, ({ keys, values, order }) => {
        const inOrder = keys.map((_, index) => index);
        const one = scoredTable(keys, values, inOrder);
        const two = scoredTable(keys, values, order);
        expect(two.valueOf('score')).toEqual(values);
        expect(two.resolveInputs(step('report'), '')).toEqual(one.resolveInputs(step('report'), ''));
      }),
      { seed: 203, ...RUNS },
    );
  });

  it('change iff one datum’s value changes', () => {
    const edited = datums.chain(({ keys, values }) =>
      fc
        .record({ index: fc.nat({ max: keys.length - 1 }), value: json })
        .map((edit) => ({ keys, values, ...edit })),
    );
    fc.assert(
      fc.property(edited, ({ keys, values, index, value }) => {
        const order = keys.map((_, position) => position);
        const next = values.map((old, position) => (position === index ? value : old));
        const one = scoredTable(keys, values, order).resolveInputs(step('report'), '');
        const two = scoredTable(keys, next, order).resolveInputs(step('report'), '');
        expect(isDeepStrictEqual(one?.hashes, two?.hashes)).toBe(isDeepStrictEqual(values[index], value));
      }),
      { seed: 204, ...RUNS },
    );
  });
});

describe('execution-key inputs of a per-datum step (property)', () => {
  it('depend on the datum’s own value only, not on its neighbours’', () => {
    const edited = datums.chain(({ keys, values }) =>
      fc
        .record({ index: fc.nat({ max: keys.length - 1 }), value: json })
        .map((edit) => ({ keys, values, ...edit })),
    );
    fc.assert(
      fc.property(edited, ({ keys, values, index, value }) => {
        const framed = (list: unknown[]): ValueTable => {
          const table = new ValueTable(pipeline);
          table.publishOnce('threshold', 0.5);
          keys.forEach((key, position) => table.publishDatum('frames', key, list[position]));
          table.setKeys('frames', keys);
          table.markComplete('frames');
          return table;
        };
        const one = framed(values);
        const two = framed(values.map((old, position) => (position === index ? value : old)));
        keys.forEach((key, position) => {
          const same = isDeepStrictEqual(
            one.resolveInputs(step('score'), key),
            two.resolveInputs(step('score'), key),
          );
          expect(same).toBe(position !== index || isDeepStrictEqual(values[index], value));
        });
      }),
      { seed: 205, ...RUNS },
    );
  });

  it('are sorted by name and ignore the order of the step’s inputs and of object keys', () => {
    const reversedKeys = (value: unknown): unknown =>
      typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).reverse())
        : value;
    fc.assert(
      fc.property(json, fc.double({ noNaN: true, noDefaultInfinity: true }), (value, threshold) => {
        const table = (frame: unknown): ValueTable => {
          const built = new ValueTable(pipeline);
          built.publishOnce('threshold', threshold);
          built.publishDatum('frames', '/a', frame);
          built.setKeys('frames', ['/a']);
          built.markComplete('frames');
          return built;
        };
        const score = step('score');
        const swapped = { ...score, inputs: [...score.inputs].reverse() };
        const one = table(value).resolveInputs(score, '/a');
        const two = table(reversedKeys(value)).resolveInputs(swapped, '/a');
        expect(one?.hashes).toEqual([...(one?.hashes ?? [])].sort());
        expect(two?.hashes).toEqual(one?.hashes);
      }),
      { seed: 206, ...RUNS },
    );
  });
});

describe('datum keys of a scatter (property)', () => {
  it('are unique and sort as their indices do', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(0, 1, 10, 11, 100, 101, 10_000, 10_001), fc.nat({ max: 1500 })),
        (count) => {
          const keys = datumKeys(count);
          expect(keys).toHaveLength(count);
          expect(new Set(keys).size).toBe(count);
          expect([...keys].sort()).toEqual(keys);
          expect(keys.map(Number)).toEqual(keys.map((_, index) => index));
        },
      ),
      { seed: 207, numRuns: 100 },
    );
  });
});

describe('step version (property)', () => {
  const scheduling = fc.record({
    parallelism: fc.integer({ min: 1, max: 64 }),
    retries: fc.nat({ max: 10 }),
    retryDelayMs: fc.nat({ max: 60_000 }),
    retryMaxDelayMs: fc.nat({ max: 600_000 }),
    timeoutMs: fc.option(fc.nat({ max: 3_600_000 }), { nil: undefined }),
  });
  const codeHash = fc.stringMatching(/^[0-9a-f]{8}$/);

  it('keeps cached results valid when only parallelism, retries or timeouts change', () => {
    fc.assert(
      fc.property(scheduling, codeHash, (options, code) => {
        const score = step('score');
        expect(stepVersion({ ...score, ...options }, code)).toBe(stepVersion(score, code));
      }),
      { seed: 208, ...RUNS },
    );
  });

  it('changes with the code, the inputs or the outputs', () => {
    fc.assert(
      fc.property(codeHash, codeHash, (one, two) => {
        const score = step('score');
        expect(stepVersion(score, one) === stepVersion(score, two)).toBe(one === two);
        const fewer = { ...score, inputs: score.inputs.slice(0, 1) };
        expect(stepVersion(fewer, one)).not.toBe(stepVersion(score, one));
        const more = { ...score, outputs: [...score.outputs, { name: 'extra', scatter: false }] };
        expect(stepVersion(more, one)).not.toBe(stepVersion(score, one));
      }),
      { seed: 209, numRuns: 100 },
    );
  });
});
