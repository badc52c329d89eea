import { describe, expect, expectTypeOf, it } from 'vitest';
import { definePipeline, defineStep } from './index.js';

describe('the typed builder', () => {
  it('keeps the literal input and output names of a step', () => {
    const step = defineStep({ name: 'ocr', run: './ocr.ts', inputs: ['page', 'lang'], outputs: ['text'] });
    expectTypeOf(step.inputs).toEqualTypeOf<readonly ('page' | 'lang')[] | undefined>();
    expectTypeOf(step.outputs).toEqualTypeOf<readonly 'text'[] | undefined>();
  });

  it('produces a branded definition holding the raw spec in the YAML shape', () => {
    const definition = definePipeline({
      name: 'docs',
      params: { page: { type: 'integer' } },
      steps: [defineStep({ name: 'ocr', run: './ocr.ts', inputs: ['page'], outputs: ['text'], retries: 1 })],
    });
    expect(definition).toEqual({
      kind: 'sluice.pipeline',
      spec: {
        name: 'docs',
        params: { page: { type: 'integer' } },
        steps: { ocr: { run: './ocr.ts', inputs: ['page'], outputs: ['text'], retries: 1 } },
      },
    });
  });
});
