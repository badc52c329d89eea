/** A generated DAG of 1,000 steps validates, runs and produces the right value. */
import { afterEach, describe, expect, it } from 'vitest';
import { sluice, tempProject } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** Step i reads up to three earlier steps' outputs (a seeded pseudo-random choice) and sums them + 1. */
function generate(count: number): { yaml: string; expected: number } {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const values: number[] = [];
  const lines = ['name: large', 'steps:'];
  const consumed = new Set<number>();
  for (let i = 0; i < count; i++) {
    const deps = new Set<number>();
    if (i > 0) {
      deps.add(i - 1);
      for (let k = 0; k < 2; k++) deps.add(Math.floor(random() * i));
    }
    for (const dep of deps) consumed.add(dep);
    values.push([...deps].reduce((sum, dep) => sum + (values[dep] ?? 0), 1) % 1_000_003);
    lines.push(
      `  s${i}:`,
      '    run: ./sum.ts',
      `    inputs: [${[...deps].map((dep) => `v${dep}`).join(', ')}]`,
      `    outputs: [v${i}]`,
    );
  }
  lines.push(`outputs: [v${count - 1}]`);
  return { yaml: `${lines.join('\n')}\n`, expected: values[count - 1] ?? 0 };
}

describe('a large generated DAG', () => {
  it('validates and runs 1,000 steps to the right result', async () => {
    const { yaml, expected } = generate(1000);
    const { dir, cleanup } = await tempProject({
      'pipeline.yaml': yaml,
      'sum.ts':
        'export default async (ctx) => ({ [`v${ctx.step.slice(1)}`]: Object.values(ctx.inputs).reduce((a, b) => a + b, 1) % 1000003 });\n',
    });
    cleanups.push(cleanup);
    const validate = await sluice(['validate', 'pipeline.yaml', '--json'], dir);
    expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true, pruned: [] });
    const result = await sluice(['run', 'pipeline.yaml', '--json'], dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'succeeded', outputs: { [`v999`]: expected } });
  }, 120_000);
});
