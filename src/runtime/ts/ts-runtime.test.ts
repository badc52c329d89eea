import { join } from 'node:path';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { openLocalObjectStore } from '../../data/index.js';
import type { StepSpec } from '../../spec/index.js';
import { describeRuntimeConformance, testStep } from '../runtime.case.js';
import { createTsRuntime } from './ts-runtime.js';

describeRuntimeConformance('ts', (objects) => createTsRuntime({ objects, maxWorkers: 2, killGraceMs: 100 }), {
  files: {
    'double.ts': 'export default async (ctx) => ({ y: ctx.inputs.x * 2 });\n',
    'fail.ts': "export default async () => { throw new Error('page not found'); };\n",
    'hang.ts': 'export default async () => { for (;;) {} };\n',
    'files.ts': `import { writeFileSync, mkdirSync } from 'node:fs';
export default async (ctx) => {
  const dir = ctx.outputDir('report');
  writeFileSync(dir + '/a.txt', 'alpha\\n');
  mkdirSync(dir + '/sub');
  writeFileSync(dir + '/sub/b.txt', 'beta\\n');
  return {};
};
`,
    'read-files.ts': `import { readFileSync } from 'node:fs';
export default async (ctx) => ({ content: readFileSync(ctx.inputs.report + '/a.txt', 'utf8') + readFileSync(ctx.inputs.report + '/sub/b.txt', 'utf8') });
`,
    'log.ts':
      "export default async (ctx) => { console.log('one'); console.log('two'); console.error('warning three'); ctx.metric('loss', 0.25, 1); return { y: 1 }; };\n",
    'missing-output.ts': 'export default async () => ({ y: 1 });\n',
  },
  run: (name, dir) => ({ kind: 'ts', module: join(dir, `${name}.ts`), export: 'default' }),
});

describe('ts runtime', () => {
  it('replaces a worker that crashed, and reports the crash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-ts-'));
    await writeFile(join(dir, 'exit.ts'), 'export default async () => { process.exit(3); };\n');
    await writeFile(join(dir, 'ok.ts'), 'export default async () => ({ y: 1 });\n');
    const runtime = createTsRuntime({ objects: openLocalObjectStore(join(dir, 'objects')), maxWorkers: 1 });
    const spec = (name: string): StepSpec =>
      testStep(
        name,
        { kind: 'ts', module: join(dir, `${name}.ts`), export: 'default' },
        name === 'ok' ? ['y'] : [],
      );
    const base = {
      runId: 'r',
      pipelineDir: dir,
      datum: '',
      attempt: 1,
      inputs: {},
      params: {},
      scratchDir: join(dir, 's'),
      log: () => undefined,
      metric: () => undefined,
      signal: new AbortController().signal,
    };
    await expect(runtime.execute({ ...base, step: spec('exit') })).rejects.toMatchObject({
      code: 'STEP_CRASHED',
    });
    expect(await runtime.execute({ ...base, step: spec('ok') })).toEqual({ outputs: { y: 1 } });
    // 500 tasks through one worker.
    const results = await Promise.all(
      Array.from({ length: 500 }, () => runtime.execute({ ...base, step: spec('ok') })),
    );
    expect(results.every((result) => result.outputs.y === 1)).toBe(true);
    await runtime.close();
  });
});
