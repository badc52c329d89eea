import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../core/index.js';
import { compilePipeline, definePipeline, defineStep, validatePipelineText } from './index.js';

async function problems(yaml: string): Promise<string[]> {
  const report = await validatePipelineText(yaml, 'p.yaml', { checkFiles: false });
  return report.problems.map(formatProblem);
}

const VALID = `name: docs
params:
  document_id: { type: string }
  page_num: { type: integer, default: 0 }
steps:
  load:
    run: ./load.ts
    inputs: [document_id, page_num]
    outputs: [page]
  split:
    run: ./split.ts
    inputs: [page]
    outputs: ["parts[]"]
  tag:
    run: { command: [python3, tag.py] }
    inputs: [parts]
    outputs: [tags]
    parallelism: 4
    retries: 2
    timeout: 1.5s
  join:
    run: ./join.ts
    inputs: ["tags[]", page]
    outputs: [summary]
  unused:
    run: ./unused.ts
    inputs: [page]
    outputs: [extra]
outputs: [summary]
`;

describe('validatePipelineText', () => {
  it('compiles a valid spec: per-datum origins, defaults, topological order, pruning', async () => {
    const report = await validatePipelineText(VALID, '/project/p.yaml', { checkFiles: false });
    expect(report.problems).toEqual([]);
    const pipeline = report.pipeline;
    expect(Object.keys(pipeline?.steps ?? {})).toEqual(['load', 'split', 'tag', 'join']);
    expect(report.pruned).toEqual(['unused']);
    expect(pipeline?.values.tags).toEqual({ name: 'tags', producer: 'tag', kind: 'step', origin: 'parts' });
    expect(pipeline?.values.summary?.origin).toBeNull();
    expect(pipeline?.steps.tag).toMatchObject({
      parallelism: 4,
      retries: 2,
      timeoutMs: 1500,
      retryDelayMs: 1000,
      cache: true,
    });
    expect(pipeline?.steps.tag?.run).toEqual({ kind: 'command', command: ['python3', 'tag.py'], env: {} });
    expect(pipeline?.steps.load?.run).toEqual({ kind: 'ts', module: '/project/load.ts', export: 'default' });
    expect(pipeline?.params.page_num).toEqual({ name: 'page_num', type: 'integer', default: 0 });
  });

  it('reports unknown keys with the allowed ones, and wrong types, at their line and column', async () => {
    expect(
      await problems(`name: docs
steps:
  train:
    run: ./train.ts
    gpus: 2
    parallelism: four
    retries: -1
`),
    ).toMatchInlineSnapshot(`
      [
        "p.yaml:5:5 step 'train': unknown key 'gpus'; allowed: run, description, inputs, outputs, parallelism, retries, retry_delay, retry_max_delay, timeout, cache, tables, topics, publish [SPEC_UNKNOWN_KEY]",
        "p.yaml:6:18 step 'train': 'parallelism' expected integer >= 1, found "four" [SPEC_TYPE]",
        "p.yaml:7:14 step 'train': 'retries' expected integer >= 0, found -1 [SPEC_TYPE]",
      ]
    `);
  });

  it('reports a missing required key and a bad run form', async () => {
    expect(
      await problems(`name: docs
steps:
  a:
    outputs: [x]
  b:
    run: { program: x }
    outputs: [y]
`),
    ).toMatchInlineSnapshot(`
      [
        "p.yaml:4:5 step 'a': missing required key 'run' [SPEC_REQUIRED]",
        "p.yaml:6:10 step 'b': 'run' expected a module path, { module, export } or { command: [program, ...args], env }, found a mapping [SPEC_TYPE]",
      ]
    `);
  });

  it('reports an input nothing produces, with a suggestion', async () => {
    expect(
      await problems(`name: docs
steps:
  detect:
    run: ./d.ts
    outputs: [language]
  classify:
    run: ./c.ts
    inputs: [langauge]
    outputs: [category]
`),
    ).toMatchInlineSnapshot(`
      [
        "p.yaml:8:14 step 'classify' needs input 'langauge', which no param, data input or step output provides; did you mean 'language'? [SPEC_MISSING_INPUT]",
        "p.yaml:9:15 desired output 'category' cannot be produced: step 'classify' needs input 'langauge', which nothing provides [SPEC_UNREACHABLE_OUTPUT]",
      ]
    `);
  });

  it('reports cycles with their path and the outputs they make unreachable', async () => {
    expect(
      await problems(`name: docs
steps:
  a:
    run: ./a.ts
    inputs: [z]
    outputs: [x]
  b:
    run: ./b.ts
    inputs: [x]
    outputs: [y]
  c:
    run: ./c.ts
    inputs: [y]
    outputs: [z]
  d:
    run: ./d.ts
    inputs: [y]
    outputs: [out]
outputs: [out, nothing]
`),
    ).toMatchInlineSnapshot(`
      [
        "p.yaml:3:3 steps form a cycle: a -> b -> c -> a [SPEC_CYCLE]",
        "p.yaml:19:11 desired output 'out' cannot be produced: step 'd' depends on step 'b', and step 'b' is in a cycle [SPEC_UNREACHABLE_OUTPUT]",
        "p.yaml:19:16 desired output 'nothing' cannot be produced: no step outputs it [SPEC_UNREACHABLE_OUTPUT]",
      ]
    `);
  });

  it('reports duplicate names across params, inputs and step outputs', async () => {
    expect(
      await problems(`name: docs
params:
  page: { type: string }
inputs:
  frames: { repo: cameras }
steps:
  a:
    run: ./a.ts
    inputs: [frames]
    outputs: [page]
  b:
    run: ./b.ts
    inputs: [page]
    outputs: [page]
`),
    ).toMatchInlineSnapshot(`
      [
        "p.yaml:10:15 step 'a': output 'page' is already defined as a param; names must be unique [SPEC_DUPLICATE_NAME]",
        "p.yaml:14:15 step 'b': output 'page' is already defined as a param; names must be unique [SPEC_DUPLICATE_NAME]",
      ]
    `);
  });

  it('reports per-datum mistakes: gathering a value that exists once, mixed origins, scatter inside a datum', async () => {
    expect(
      await problems(`name: docs
inputs:
  frames: { repo: cameras, glob: "/*" }
  audio: { repo: mics }
steps:
  once:
    run: ./once.ts
    outputs: [single]
  gather:
    run: ./g.ts
    inputs: ["single[]"]
    outputs: [g]
  mixed:
    run: ./m.ts
    inputs: [frames, audio]
    outputs: [m]
  nested:
    run: ./n.ts
    inputs: [frames]
    outputs: ["parts[]"]
outputs: [g, m, parts]
`),
    ).toMatchInlineSnapshot(`
      [
        "p.yaml:11:14 step 'gather': input 'single[]' gathers 'single', which is not per-datum (it is produced once by step 'once'); write 'single' [SPEC_NOT_PER_DATUM]",
        "p.yaml:15:13 step 'mixed' reads per-datum values of different origins ('frames' follows 'frames', 'audio' follows 'audio'); gather all but one with 'name[]' [SPEC_DATUM_CONFLICT]",
        "p.yaml:20:15 step 'nested': output 'parts[]' scatters, but the step already runs per datum of 'frames'; only a step that runs once may scatter [SPEC_SCATTER]",
      ]
    `);
  });

  it('rejects YAML hazards: duplicate keys, alias bombs, deep nesting, huge documents, several documents', async () => {
    expect(await problems('name: a\nname: b\nsteps: {}\n')).toMatchInlineSnapshot(`
      [
        "p.yaml:2:1 duplicate key 'name' (first at line 1, column 1); each key may appear only once in a mapping [SPEC_YAML_HAZARD]",
      ]
    `);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(', ')}]`,
      );
    expect(await problems(`${bomb.join('\n')}\n`)).toMatchInlineSnapshot(`
      [
        "p.yaml:1:1 the YAML expands aliases more than 100 times (an alias bomb); write the values out or use fewer aliases [SPEC_YAML_HAZARD]",
      ]
    `);
    expect(await problems(`name: x\nsteps: ${'['.repeat(100)}${']'.repeat(100)}\n`)).toMatchInlineSnapshot(`
      [
        "p.yaml:2:72 the YAML nests deeper than 64 levels; a pipeline spec needs far fewer [SPEC_YAML_HAZARD]",
      ]
    `);
    const huge = await validatePipelineText(`name: x\n# ${'x'.repeat(2 * 1024 * 1024)}\n`, 'p.yaml');
    expect(huge.problems.map(formatProblem)).toMatchInlineSnapshot(`
      [
        "p.yaml:1:1 the file is 2097163 bytes; a pipeline spec may be at most 1048576 bytes [SPEC_YAML_HAZARD]",
      ]
    `);
    expect(await problems('name: a\n---\nname: b\n')).toMatchInlineSnapshot(`
      [
        "p.yaml:2:1 the file holds 2 YAML documents (a second one starts here); a pipeline spec is exactly one document [SPEC_YAML_HAZARD]",
      ]
    `);
    expect(await problems('name: [unclosed\n')).toMatchInlineSnapshot(`
      [
        "p.yaml:2:1 invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] [SPEC_YAML]",
      ]
    `);
  });

  it('checks that modules, programs and scripts exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-spec-'));
    await writeFile(join(dir, 'ok.ts'), 'export default async () => ({ a: 1 });\n');
    await writeFile(join(dir, 'ok.py'), 'print(1)\n');
    const report = await validatePipelineText(
      `name: files
steps:
  a:
    run: ./ok
    outputs: [a]
  b:
    run: ./missing.ts
    inputs: [a]
    outputs: [b]
  c:
    run: { command: [python3, ok.py] }
    inputs: [b]
    outputs: [c]
  d:
    run: { command: [python3, steps/gone.py] }
    inputs: [c]
    outputs: [d]
  e:
    run: { command: [no-such-program-xyz] }
    inputs: [d]
    outputs: [e]
`,
      join(dir, 'pipeline.yaml'),
    );
    expect(
      report.problems.map(
        (problem) =>
          `${problem.line}:${problem.column} ${problem.code} ${problem.message.replace(dir, '<dir>')}`,
      ),
    ).toMatchInlineSnapshot(`
        [
          "7:10 SPEC_MODULE_NOT_FOUND step 'b': module './missing.ts' does not exist (looked for <dir>/missing.ts with extensions .ts, .js, .mjs)",
          "15:31 SPEC_PROGRAM_NOT_FOUND step 'd': script 'steps/gone.py' does not exist (<dir>/steps/gone.py)",
          "19:22 SPEC_PROGRAM_NOT_FOUND step 'e': program 'no-such-program-xyz' is not on the PATH",
        ]
      `);
  });
});

describe('the TypeScript builder', () => {
  it('compiles to the same model as the equivalent YAML', async () => {
    const yaml = await validatePipelineText(VALID, '/project/p.yaml', { checkFiles: false });
    const built = await compilePipeline(
      definePipeline({
        name: 'docs',
        params: { document_id: { type: 'string' }, page_num: { type: 'integer', default: 0 } },
        steps: [
          defineStep({
            name: 'load',
            run: './load.ts',
            inputs: ['document_id', 'page_num'],
            outputs: ['page'],
          }),
          defineStep({ name: 'split', run: './split.ts', inputs: ['page'], outputs: ['parts[]'] }),
          defineStep({
            name: 'tag',
            run: { command: ['python3', 'tag.py'] },
            inputs: ['parts'],
            outputs: ['tags'],
            parallelism: 4,
            retries: 2,
            timeout: '1.5s',
          }),
          defineStep({ name: 'join', run: './join.ts', inputs: ['tags[]', 'page'], outputs: ['summary'] }),
          defineStep({ name: 'unused', run: './unused.ts', inputs: ['page'], outputs: ['extra'] }),
        ],
        outputs: ['summary'],
      }),
      { dir: '/project', checkFiles: false },
    );
    expect(built.problems).toEqual([]);
    expect({ ...built.pipeline, file: undefined }).toEqual({ ...yaml.pipeline, file: undefined });
  });

  it('reports problems of a built pipeline with the same messages', async () => {
    const report = await compilePipeline(
      definePipeline({ name: 'x', steps: { a: { run: './a.ts', inputs: ['nope'], outputs: ['b'] } } }),
      { dir: '/project', checkFiles: false },
    );
    expect(report.problems.map((problem) => problem.message)).toEqual([
      "step 'a' needs input 'nope', which no param, data input or step output provides",
      "desired output 'b' cannot be produced: step 'a' needs input 'nope', which nothing provides",
    ]);
  });
});

describe('graph properties', () => {
  it('orders steps consistently with their edges and keeps exactly the ancestors of the desired outputs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: 1, maxLength: 25 }),
        fc.nat(),
        async (edges, pick) => {
          // Step i may read outputs of steps < i only: a DAG by construction.
          const deps = edges.map((list, i) => [
            ...new Set(list.filter(() => i > 0).map((n) => n % Math.max(i, 1))),
          ]);
          const target = pick % deps.length;
          const steps: Record<string, { run: string; inputs: string[]; outputs: string[] }> = {};
          deps.forEach((list, i) => {
            steps[`s${i}`] = { run: './x.ts', inputs: list.map((d) => `v${d}`), outputs: [`v${i}`] };
          });
          const report = await compilePipeline(
            definePipeline({ name: 'prop', steps, outputs: [`v${target}`] }),
            {
              dir: '/p',
              checkFiles: false,
            },
          );
          expect(report.problems).toEqual([]);
          const order = Object.keys(report.pipeline?.steps ?? {});
          const position = new Map(order.map((name, index) => [name, index]));
          const ancestors = new Set<number>();
          const todo = [target];
          while (todo.length > 0) {
            const next = todo.pop() as number;
            if (ancestors.has(next)) continue;
            ancestors.add(next);
            todo.push(...(deps[next] ?? []));
          }
          expect(new Set(order)).toEqual(new Set([...ancestors].map((i) => `s${i}`)));
          for (const name of order) {
            for (const dep of deps[Number(name.slice(1))] ?? []) {
              expect(position.get(`s${dep}`)).toBeLessThan(position.get(name) ?? -1);
            }
          }
        },
      ),
      { seed: 20261124, numRuns: 100 },
    );
  });
});
