import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpecError } from '../core/index.js';
import {
  compilePipeline,
  definePipeline,
  defineStep,
  formatReport,
  loadPipeline,
  loadPipelineFile,
  parseDuration,
  validatePipelineText,
} from './index.js';

const SPEC_DIR = dirname(fileURLToPath(import.meta.url));

let dir: string;

async function put(path: string, content: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), content);
  await chmod(join(dir, path), mode);
}

const YAML_SPEC = `name: camera-threats
params:
  min_score: { type: number, default: 0.5 }
  device: { type: string }
inputs:
  frames: { repo: cameras, glob: "/*/*" }
steps:
  validate:
    run: ./steps/validate.ts
    inputs: [frames]
    outputs: [image]
  detect:
    run: { command: [./bin/detect.sh, --fast, steps/model.py], env: { K: V } }
    inputs: [image, min_score]
    outputs: [detections]
    parallelism: 4
    retries: 2
    retry_delay: 2s
    timeout: 30s
    cache: false
  report:
    run: { module: ./steps/report, export: report }
    inputs: ["detections[]", device]
    outputs: [summary]
outputs: [summary]
triggers:
  - commit: cameras
  - cron: "0 16 * * *"
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-spec-load-'));
  await put('steps/validate.ts', 'export default async () => ({ image: 1 });\n');
  await put('steps/report.mjs', 'export const report = async () => ({ summary: 1 });\n');
  await put('steps/model.py', 'print(1)\n');
  await put('bin/detect.sh', '#!/bin/sh\n', 0o755);
  await put('pipeline.yaml', YAML_SPEC);
  // The builder twin, importing the builder from this repo's sources.
  const builder = resolve(SPEC_DIR, 'builder.ts');
  await put(
    'pipeline.ts',
    `import { definePipeline, defineStep } from ${JSON.stringify(builder)};
const validate = defineStep({ name: 'validate', run: './steps/validate.ts', inputs: ['frames'], outputs: ['image'] });
export default definePipeline({
  name: 'camera-threats',
  params: { min_score: { type: 'number', default: 0.5 }, device: { type: 'string' } },
  inputs: { frames: { repo: 'cameras', glob: '/*/*' } },
  steps: [
    validate,
    defineStep({
      name: 'detect',
      run: { command: ['./bin/detect.sh', '--fast', 'steps/model.py'], env: { K: 'V' } },
      inputs: ['image', 'min_score'],
      outputs: ['detections'],
      parallelism: 4,
      retries: 2,
      retry_delay: '2s',
      timeout: '30s',
      cache: false,
    }),
    defineStep({ name: 'report', run: { module: './steps/report', export: 'report' }, inputs: ['detections[]', 'device'], outputs: ['summary'] }),
  ],
  outputs: ['summary'],
  triggers: [{ commit: 'cameras' }, { cron: '0 16 * * *' }],
});
`,
  );
  await put('not-a-pipeline.mjs', 'export default 42;\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loading pipeline files', () => {
  it('loads a YAML file and checks that its modules and programs exist', async () => {
    const report = await loadPipelineFile(join(dir, 'pipeline.yaml'));
    expect(report.problems).toEqual([]);
    expect(report.pipeline?.file).toBe(join(dir, 'pipeline.yaml'));
    expect(report.pipeline?.dir).toBe(dir);
    expect(report.pipeline?.steps.report?.run).toEqual({
      kind: 'ts',
      module: join(dir, 'steps/report.mjs'),
      export: 'report',
    });
    expect(report.pipeline?.steps.detect).toMatchObject({
      retryDelayMs: 2000,
      cache: false,
      timeoutMs: 30_000,
    });
  });

  it('gives the same model for a TS builder file as for its YAML twin', async () => {
    const fromYaml = await loadPipelineFile(join(dir, 'pipeline.yaml'));
    const fromTs = await loadPipelineFile(join(dir, 'pipeline.ts'));
    expect(fromTs.problems).toEqual([]);
    expect(fromTs.pipeline?.file).toBe(join(dir, 'pipeline.ts'));
    expect({ ...fromTs.pipeline, file: undefined }).toEqual({ ...fromYaml.pipeline, file: undefined });
  });

  it('gives the same model for builder steps written as a record', () => {
    const steps = {
      a: { run: './a.ts', outputs: ['x'] },
      b: { run: { command: ['python3', 'b.py'] }, inputs: ['x'], outputs: ['y'], timeout: 2 },
    };
    const asRecord = compilePipeline(definePipeline({ name: 'p', steps }), { dir, checkFiles: false });
    const asList = compilePipeline(
      definePipeline({
        name: 'p',
        steps: [defineStep({ name: 'a', ...steps.a }), defineStep({ name: 'b', ...steps.b })],
      }),
      { dir, checkFiles: false },
    );
    const asYaml = validatePipelineText(
      'name: p\nsteps:\n  a: { run: ./a.ts, outputs: [x] }\n  b: { run: { command: [python3, b.py] }, inputs: [x], outputs: [y], timeout: 2 }\n',
      join(dir, 'p.yaml'),
      { checkFiles: false },
    );
    expect(asRecord.pipeline).toEqual(asList.pipeline);
    expect({ ...asYaml.pipeline, file: undefined }).toEqual(asRecord.pipeline);
  });

  it('reports builder problems at the builder, line 1 column 1', () => {
    const report = compilePipeline(
      { name: 'p', steps: { a: { run: './a.ts', outputs: ['x'], gpus: 1 } } },
      { dir, checkFiles: false },
    );
    expect(formatReport(report, { json: false })).toMatchInlineSnapshot(`
      "<builder>:1:1 step 'a': unknown key 'gpus'; allowed: run, description, inputs, outputs, parallelism, retries, retry_delay, retry_max_delay, timeout, cache, tables, topics, publish [SPEC_UNKNOWN_KEY]
      ✗ 1 problem in <builder>
      "
    `);
  });

  it('reports a missing or unreadable file as SPEC_FILE', async () => {
    const report = await loadPipelineFile(join(dir, 'nope.yaml'));
    expect(report.problems.map((problem) => [problem.code, problem.message.replace(dir, '<dir>')])).toEqual([
      ['SPEC_FILE', 'pipeline file <dir>/nope.yaml does not exist'],
    ]);
    const folder = await loadPipelineFile(dir);
    expect(folder.problems[0]?.code).toBe('SPEC_FILE');
  });

  it('refuses a module that does not default-export a pipeline', async () => {
    const report = await loadPipelineFile(join(dir, 'not-a-pipeline.mjs'));
    expect(report.problems.map((problem) => problem.code)).toEqual(['SPEC_TYPE']);
  });

  it('refuses a file over the size limit before parsing it', async () => {
    await put('big.yaml', `name: p\n# ${'x'.repeat(2000)}\n`);
    const report = await loadPipelineFile(join(dir, 'big.yaml'), { maxBytes: 1000 });
    expect(report.problems.map((problem) => problem.code)).toEqual(['SPEC_YAML_HAZARD']);
  });

  it('throws a SpecError carrying every problem from loadPipeline', async () => {
    await put('bad.yaml', 'name: p\nsteps:\n  a: { run: ./nope.ts, inputs: [q], outputs: [x] }\n');
    const error = await loadPipeline(join(dir, 'bad.yaml')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).problems.map((problem) => problem.code)).toEqual([
      'SPEC_MODULE_NOT_FOUND',
      'SPEC_MISSING_INPUT',
      'SPEC_UNREACHABLE_OUTPUT',
    ]);
  });
});

describe('checking modules and programs', () => {
  async function codes(run: string, extra = ''): Promise<string[]> {
    await put('check.yaml', `name: p\nsteps:\n  a:\n    run: ${run}\n    outputs: [x]\n${extra}`);
    const report = await loadPipelineFile(join(dir, 'check.yaml'));
    return report.problems.map((problem) => `${problem.code} ${problem.message.replaceAll(dir, '<dir>')}`);
  }

  it('accepts modules with or without an extension', async () => {
    expect(await codes('./steps/validate')).toEqual([]);
    expect(await codes('steps/validate.ts')).toEqual([]);
    expect(await codes('{ module: ./steps/report.mjs, export: report }')).toEqual([]);
  });

  it('refuses a program that is not executable, and missing scripts', async () => {
    await put('bin/plain.sh', '#!/bin/sh\n', 0o644);
    expect(await codes('{ command: [./bin/plain.sh, -v, data/input.csv, https://x.org/a.py, key=a.py] }'))
      .toMatchInlineSnapshot(`
        [
          "SPEC_PROGRAM_NOT_FOUND step 'a': program './bin/plain.sh' is not executable (chmod +x <dir>/bin/plain.sh)",
          "SPEC_PROGRAM_NOT_FOUND step 'a': script 'data/input.csv' does not exist (<dir>/data/input.csv)",
        ]
      `);
  });

  it('finds programs on the PATH and symlinked programs', async () => {
    await symlink(join(dir, 'bin/detect.sh'), join(dir, 'bin/linked.sh'));
    expect(await codes('{ command: [sh, -c, "echo hi"] }')).toEqual([]);
    expect(await codes('{ command: [bin/linked.sh] }')).toEqual([]);
  });

  it('skips the file checks with checkFiles: false', async () => {
    await put('check.yaml', 'name: p\nsteps:\n  a: { run: ./gone.ts, outputs: [x] }\n');
    const report = await loadPipelineFile(join(dir, 'check.yaml'), { checkFiles: false });
    expect(report.valid).toBe(true);
  });
});

describe('formatReport', () => {
  it('prints problems, pruned steps and a summary for people', () => {
    const report = validatePipelineText(
      'name: p\nsteps:\n  a: { run: ./a.ts, outputs: [x] }\n  old: { run: ./o.ts, inputs: [x], outputs: [y] }\n  b: { run: ./b.ts, inputs: [x], outputs: [z], gpus: 2 }\noutputs: [z]\n',
      'pipeline.yaml',
      { checkFiles: false },
    );
    expect(formatReport(report, { json: false })).toMatchInlineSnapshot(`
      "pipeline.yaml:5:48 step 'b': unknown key 'gpus'; allowed: run, description, inputs, outputs, parallelism, retries, retry_delay, retry_max_delay, timeout, cache, tables, topics, publish [SPEC_UNKNOWN_KEY]
      pruned: old (it cannot contribute to the desired outputs: z)
      ✗ 1 problem in pipeline.yaml
      "
    `);
  });

  it('prints a one-line summary for a valid pipeline', () => {
    const report = validatePipelineText(
      'name: p\nsteps:\n  a: { run: ./a.ts, outputs: [x] }\n  b: { run: ./b.ts, inputs: [x], outputs: [summary] }\n',
      'pipeline.yaml',
      { checkFiles: false },
    );
    expect(formatReport(report, { json: false })).toMatchInlineSnapshot(`
      "✓ pipeline.yaml is valid: 2 steps, outputs: summary
      "
    `);
  });

  it('prints JSON for machines', () => {
    const report = validatePipelineText(
      'name: p\nsteps:\n  a: { run: ./a.ts, outputs: [x] }\n',
      'pipeline.yaml',
      {
        checkFiles: false,
      },
    );
    expect(JSON.parse(formatReport(report, { json: true }))).toEqual({
      file: 'pipeline.yaml',
      valid: true,
      problems: [],
      pruned: [],
      steps: ['a'],
      outputs: ['x'],
    });
  });
});

describe('parseDuration', () => {
  it('reads ms, s, m, h and plain seconds', () => {
    expect([
      parseDuration('500ms'),
      parseDuration('1.5s'),
      parseDuration('2m'),
      parseDuration('1h'),
      parseDuration(3),
    ]).toEqual([500, 1500, 120_000, 3_600_000, 3000]);
  });

  it('refuses anything else with what is allowed', () => {
    expect(() => parseDuration('3 days')).toThrowErrorMatchingInlineSnapshot(
      `[SluiceError: expected a duration like 500ms, 30s, 5m, 1h or a number of seconds, found "3 days"]`,
    );
    expect(() => parseDuration(-1)).toThrow(/expected a duration/);
  });
});
