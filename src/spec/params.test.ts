import { describe, expect, it } from 'vitest';
import { resolveParams, validatePipelineText } from './index.js';
import type { Pipeline } from './model.js';

async function pipeline(): Promise<Pipeline> {
  const report = await validatePipelineText(
    `name: p
params:
  n: { type: integer }
  rate: { type: number, default: 0.5 }
  flag: { type: boolean, default: false }
  mode: { type: string, default: fast, enum: [fast, slow] }
  config: { type: json, default: {} }
steps:
  s:
    run: ./s.ts
    inputs: [n, rate, flag, mode, config]
    outputs: [o]
`,
    'p.yaml',
    { checkFiles: false },
  );
  if (!report.pipeline) throw new Error(JSON.stringify(report.problems));
  return report.pipeline;
}

describe('resolveParams', () => {
  it('converts CLI strings to the declared types and fills defaults', async () => {
    expect(resolveParams(await pipeline(), { n: '3', flag: 'yes', config: '{"a":[1]}' })).toEqual({
      n: 3,
      rate: 0.5,
      flag: true,
      mode: 'fast',
      config: { a: [1] },
    });
  });

  it('accepts already typed values from code', async () => {
    expect(resolveParams(await pipeline(), { n: 7, rate: 2 })).toMatchObject({ n: 7, rate: 2 });
  });

  it('reports every problem at once before anything runs', async () => {
    const p = await pipeline();
    expect(() => resolveParams(p, { n: '1.5', rate: 'fast', mode: 'medium', colour: 'red' }))
      .toThrowErrorMatchingInlineSnapshot(`
      [SluiceError: param 'colour' is not declared by pipeline 'p'; declared: n, rate, flag, mode, config
      param 'n': expected integer, found "1.5"
      param 'rate': expected number, found "fast"
      param 'mode': "medium" is not one of "fast", "slow"]
    `);
    expect(() => resolveParams(p, {})).toThrow("param 'n' is required (type integer); pass -p n=...");
  });
});
