import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from './index.js';

/** A random DAG: step i may read the output of any step j < i; declared in shuffled order. */
const dagArbitrary = fc.integer({ min: 1, max: 30 }).chain((count) =>
  fc.record({
    deps: fc.tuple(
      ...Array.from({ length: count }, (_, index) =>
        index === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.nat(index - 1), { maxLength: 4 }),
      ),
    ),
    desired: fc.uniqueArray(fc.nat(count - 1), { minLength: 1, maxLength: 3 }),
    declaration: fc.shuffledSubarray(
      Array.from({ length: count }, (_, index) => index),
      { minLength: count, maxLength: count },
    ),
  }),
);

describe('graph properties (seeded)', () => {
  it('orders kept steps after their producers and keeps exactly the ancestors of the desired outputs', () => {
    fc.assert(
      fc.property(dagArbitrary, ({ deps, desired, declaration }) => {
        const steps: Record<string, { run: string; inputs: string[]; outputs: string[] }> = {};
        for (const index of declaration) {
          steps[`step${index}`] = {
            run: './s.ts',
            inputs: (deps[index] ?? []).map((dep) => `out${dep}`),
            outputs: [`out${index}`],
          };
        }
        const report = compilePipeline(
          { name: 'dag', steps, outputs: desired.map((index) => `out${index}`) },
          { dir: '/project', checkFiles: false },
        );
        expect(report.problems).toEqual([]);

        const ancestors = new Set<number>();
        const todo = [...desired];
        while (todo.length > 0) {
          const next = todo.pop() as number;
          if (ancestors.has(next)) continue;
          ancestors.add(next);
          todo.push(...(deps[next] ?? []));
        }
        const order = Object.keys(report.pipeline?.steps ?? {});
        expect(new Set(order)).toEqual(new Set([...ancestors].map((index) => `step${index}`)));
        const expectedPruned = declaration
          .filter((index) => !ancestors.has(index))
          .map((index) => `step${index}`)
          .sort();
        expect(report.pruned).toEqual(expectedPruned);
        const position = new Map(order.map((name, index) => [name, index]));
        for (const name of order) {
          for (const dep of deps[Number(name.slice(4))] ?? []) {
            expect(position.get(`step${dep}`) ?? Infinity).toBeLessThan(position.get(name) ?? -1);
          }
        }
      }),
      { seed: 424242, numRuns: 200 },
    );
  });

  it('gives the same order whatever the order steps are declared in', () => {
    const a = compilePipeline(
      {
        name: 'p',
        steps: {
          c: { run: './c.ts', inputs: ['x'], outputs: ['z'] },
          b: { run: './b.ts', inputs: ['x'], outputs: ['y'] },
          a: { run: './a.ts', outputs: ['x'] },
        },
      },
      { dir: '/project', checkFiles: false },
    );
    expect(Object.keys(a.pipeline?.steps ?? {})).toEqual(['a', 'b', 'c']);
  });
});
