import { describe, expect, it } from 'vitest';
import { formatProblem } from '../core/index.js';
import type { ValidationReport } from './index.js';
import { validatePipelineText } from './index.js';

/** Checks YAML `text` as `pipeline.yaml` without touching the file system. */
function check(text: string): ValidationReport {
  return validatePipelineText(text, 'pipeline.yaml', { checkFiles: false });
}

/** The problems of `text`, one `file:line:column message [CODE]` line each. */
function problemsOf(text: string): string {
  return check(text).problems.map(formatProblem).join('\n');
}

/** Turns an indented template into YAML text (strips the common indentation). */
function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce(
    (all, part, index) => all + part + (index < values.length ? String(values[index]) : ''),
    '',
  );
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(
    ...lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)?.[0].length ?? 0),
  );
  return lines.map((line) => line.slice(indent)).join('\n');
}

const CAMERA = yaml`
  name: camera-threats
  description: finds threats in camera frames
  params:
    min_score: { type: number, default: 0.5, description: lowest score kept }
    device: { type: string }
  inputs:
    frames: { repo: cameras, glob: "/*/*" }
  steps:
    validate:
      run: ./steps/validate.ts
      inputs: [frames]
      outputs: [image]
    detect:
      run: { command: [python3, detect.py], env: { MODEL: yolo } }
      inputs: [image, min_score]
      outputs: [detections]
      parallelism: 4
      retries: 2
      timeout: 30s
    report:
      run: { module: ./steps/report.ts, export: report }
      inputs: ["detections[]", device]
      outputs: [summary]
    unused:
      run: ./steps/unused.ts
      inputs: [image]
      outputs: [thumbnails]
  outputs: [summary]
  triggers:
    - commit: cameras
    - cron: "0 16 * * *"
      tz: Europe/Paris
    - after: other-pipeline
`;

describe('compiling a valid spec', () => {
  it('produces the model with defaults, milliseconds and resolved modules', () => {
    const report = check(CAMERA);
    expect(report.problems).toEqual([]);
    expect(report.valid).toBe(true);
    const pipeline = report.pipeline;
    expect(pipeline?.params).toEqual({
      min_score: { name: 'min_score', type: 'number', default: 0.5, description: 'lowest score kept' },
      device: { name: 'device', type: 'string' },
    });
    expect(pipeline?.inputs.frames).toEqual({
      kind: 'repo',
      name: 'frames',
      repo: 'cameras',
      glob: '/*/*',
      branch: 'main',
      outerJoin: false,
    });
    expect(pipeline?.steps.detect).toMatchObject({
      run: { kind: 'command', command: ['python3', 'detect.py'], env: { MODEL: 'yolo' } },
      parallelism: 4,
      retries: 2,
      retryDelayMs: 1000,
      retryMaxDelayMs: 60_000,
      timeoutMs: 30_000,
      cache: true,
    });
    expect(pipeline?.steps.validate?.run).toEqual({
      kind: 'ts',
      module: expect.stringMatching(/\/steps\/validate\.ts$/),
      export: 'default',
    });
    expect(pipeline?.steps.report?.run).toMatchObject({ kind: 'ts', export: 'report' });
    expect(pipeline?.steps.report?.inputs).toEqual([
      { name: 'detections', gather: true },
      { name: 'device', gather: false },
    ]);
    expect(pipeline?.triggers).toEqual([
      { kind: 'commit', repo: 'cameras' },
      { kind: 'cron', cron: '0 16 * * *', tz: 'Europe/Paris', catchup: 'latest' },
      { kind: 'after', pipelines: ['other-pipeline'] },
    ]);
  });

  it('orders steps topologically and prunes those that cannot contribute', () => {
    const report = check(CAMERA);
    expect(Object.keys(report.pipeline?.steps ?? {})).toEqual(['validate', 'detect', 'report']);
    expect(report.pruned).toEqual(['unused']);
    expect(report.pipeline?.pruned).toEqual(['unused']);
    expect(report.pipeline?.outputs).toEqual(['summary']);
    expect(report.pipeline?.values.thumbnails).toBeUndefined();
  });

  it('tracks which values are per-datum and whose datums they follow', () => {
    const values = check(CAMERA).pipeline?.values ?? {};
    expect(
      Object.values(values).map(
        ({ name, kind, producer, origin }) => `${name}:${kind}:${producer}:${origin}`,
      ),
    ).toMatchInlineSnapshot(`
        [
          "min_score:param:param:null",
          "device:param:param:null",
          "frames:input:input:frames",
          "image:step:validate:frames",
          "detections:step:detect:frames",
          "summary:step:report:null",
        ]
      `);
  });

  it('defaults the desired outputs to every step output nothing consumes', () => {
    const report = check(yaml`
      name: p
      steps:
        a: { run: ./a.ts, outputs: [x, y] }
        b: { run: ./b.ts, inputs: [x], outputs: [z] }
    `);
    expect(report.pipeline?.outputs).toEqual(['y', 'z']);
    expect(report.pruned).toEqual([]);
  });

  it('makes each element of a scattered output a datum of its own', () => {
    const report = check(yaml`
      name: p
      steps:
        list: { run: ./list.ts, outputs: ["page[]"] }
        ocr: { run: ./ocr.ts, inputs: [page], outputs: [text] }
        join: { run: ./join.ts, inputs: ["text[]"], outputs: [book] }
    `);
    expect(report.problems).toEqual([]);
    expect(report.pipeline?.steps.list?.outputs).toEqual([{ name: 'page', scatter: true }]);
    expect(report.pipeline?.values.page?.origin).toBe('page');
    expect(report.pipeline?.values.text?.origin).toBe('page');
    expect(report.pipeline?.values.book?.origin).toBeNull();
  });

  it('accepts durations in ms, s, m, h and plain seconds', () => {
    const report = check(yaml`
      name: p
      steps:
        a: { run: ./a.ts, outputs: [x], timeout: 1.5s, retry_delay: 500ms, retry_max_delay: 2m }
        b: { run: ./b.ts, inputs: [x], outputs: [y], timeout: 90 }
    `);
    expect(report.pipeline?.steps.a).toMatchObject({
      timeoutMs: 1500,
      retryDelayMs: 500,
      retryMaxDelayMs: 120_000,
    });
    expect(report.pipeline?.steps.b?.timeoutMs).toBe(90_000);
  });
});

describe('schema problems', () => {
  it('lists the allowed keys for an unknown key, pointing at the key', () => {
    expect(
      problemsOf(yaml`
        name: p
        steps:
          train:
            run: ./train.ts
            gpus: 2
            outputs: [model]
      `),
    ).toMatchInlineSnapshot(
      `"pipeline.yaml:5:5 step 'train': unknown key 'gpus'; allowed: run, description, inputs, outputs, parallelism, retries, retry_delay, retry_max_delay, timeout, cache, tables, topics, publish [SPEC_UNKNOWN_KEY]"`,
    );
  });

  it('says what was expected and found for wrong types', () => {
    expect(
      problemsOf(yaml`
        name: p
        params:
          size: { type: float }
        steps:
          train:
            run: ./train.ts
            outputs: [model]
            parallelism: four
            retries: -1
            timeout: 3 days
            cache: maybe
      `),
    ).toMatchInlineSnapshot(`
      "pipeline.yaml:3:17 param 'size': 'type' must be one of string, number, integer, boolean, json, model, found "float" [SPEC_TYPE]
      pipeline.yaml:8:18 step 'train': 'parallelism' expected integer >= 1, found "four" [SPEC_TYPE]
      pipeline.yaml:9:14 step 'train': 'retries' expected integer >= 0, found -1 [SPEC_TYPE]
      pipeline.yaml:10:14 step 'train': 'timeout' expected a duration like 500ms, 1.5s, 2m, 1h or a number of seconds, found "3 days" [SPEC_TYPE]
      pipeline.yaml:11:12 step 'train': 'cache' expected boolean, found "maybe" [SPEC_TYPE]"
    `);
  });

  it('reports a missing required key at its parent mapping', () => {
    expect(
      problemsOf(yaml`
        name: p
        inputs:
          frames: { glob: "/*" }
        steps:
          train:
            outputs: [model]
      `),
    ).toMatchInlineSnapshot(`
      "pipeline.yaml:3:11 data input 'frames': missing required key 'repo' [SPEC_REQUIRED]
      pipeline.yaml:6:5 step 'train': missing required key 'run' [SPEC_REQUIRED]"
    `);
  });

  it('picks the meant form of run and triggers before complaining', () => {
    expect(
      problemsOf(yaml`
        name: p
        steps:
          a:
            run: { command: [python3, a.py], env: { DEBUG: 1 }, shell: true }
            outputs: [x]
          b:
            run: 42
            inputs: [x]
            outputs: [y]
        triggers:
          - cron: 5
          - webhook: /hook
      `),
    ).toMatchInlineSnapshot(`
      "pipeline.yaml:4:52 step 'a': 'run.env.DEBUG' expected string, found 1 [SPEC_TYPE]
      pipeline.yaml:4:57 step 'a': unknown key 'shell'; allowed: module, export, command, env [SPEC_UNKNOWN_KEY]
      pipeline.yaml:7:10 step 'b': 'run' expected a module path, { module, export } or { command: [program, ...args], env }, found 42 [SPEC_TYPE]
      pipeline.yaml:11:11 trigger 1: 'cron' expected string, found 5 [SPEC_TYPE]
      pipeline.yaml:12:5 trigger 2: expected one of { commit: repo }, { cron: expression, tz }, { after: pipeline }, found a mapping [SPEC_TYPE]"
    `);
  });

  it('refuses bad pipeline, step and value names', () => {
    expect(
      problemsOf(yaml`
        name: Camera Threats
        steps:
          "bad step":
            run: ./a.ts
            outputs: ["bad value"]
      `),
    ).toMatchInlineSnapshot(`
      "pipeline.yaml:1:7 pipeline name "Camera Threats" is not valid: use lowercase letters, digits, '-' or '_', starting with a letter [SPEC_TYPE]
      pipeline.yaml:3:3 step name 'bad step' is not valid: use letters, digits, '_' and '-' [SPEC_TYPE]
      pipeline.yaml:5:15 step 'bad step': output 'bad value' is not a valid name: use letters, digits, '_' and '-' [SPEC_TYPE]"
    `);
  });

  it('refuses a param default that does not fit its type or enum', () => {
    expect(
      problemsOf(yaml`
        name: p
        params:
          page: { type: integer, default: 1.5 }
          mode: { enum: [fast, slow], default: medium }
        steps:
          a: { run: ./a.ts, inputs: [page, mode], outputs: [x] }
      `),
    ).toMatchInlineSnapshot(`
      "pipeline.yaml:3:35 param 'page': 'default' expected integer, found 1.5 [SPEC_TYPE]
      pipeline.yaml:4:40 param 'mode': 'default' "medium" is not one of its enum values "fast", "slow" [SPEC_TYPE]"
    `);
  });

  it('refuses a document that is not a mapping', () => {
    expect(problemsOf('- name: p\n')).toMatchInlineSnapshot(
      `"pipeline.yaml:1:1 a pipeline spec must be a mapping with name and steps; found a list [SPEC_TYPE]"`,
    );
  });

  it('still runs the graph checks when the schema fails', () => {
    expect(
      problemsOf(yaml`
        name: p
        steps:
          a: { run: ./a.ts, outputs: [x], parallelism: 0 }
          b: { run: ./b.ts, inputs: [xx], outputs: [y] }
      `),
    ).toMatchInlineSnapshot(`
      "pipeline.yaml:3:48 step 'a': 'parallelism' expected integer >= 1, found 0 [SPEC_TYPE]
      pipeline.yaml:4:30 step 'b' needs input 'xx', which no param, data input or step output provides; did you mean 'x'? [SPEC_MISSING_INPUT]
      pipeline.yaml:4:45 desired output 'y' cannot be produced: step 'b' needs input 'xx', which nothing provides [SPEC_UNREACHABLE_OUTPUT]"
    `);
  });
});

describe('graph problems', () => {
  it('names a missing input and suggests a close name', () => {
    expect(
      problemsOf(yaml`
        name: documents
        params:
          languages: { type: json, default: [en] }
        steps:
          classify: { run: ./classify.ts, inputs: [language], outputs: [label] }
      `),
    ).toMatchInlineSnapshot(`
      "pipeline.yaml:5:44 step 'classify' needs input 'language', which no param, data input or step output provides; did you mean 'languages'? [SPEC_MISSING_INPUT]
      pipeline.yaml:5:65 desired output 'label' cannot be produced: step 'classify' needs input 'language', which nothing provides [SPEC_UNREACHABLE_OUTPUT]"
    `);
  });

  it('reports names shared by params, data inputs and step outputs', () => {
    expect(
      problemsOf(yaml`
        name: p
        params:
          frames: {}
        inputs:
          frames: { repo: cameras }
        steps:
          a: { run: ./a.ts, inputs: [frames], outputs: [x] }
          b: { run: ./b.ts, inputs: [frames], outputs: [x] }
      `),
    ).toMatchInlineSnapshot(`
      "pipeline.yaml:5:11 data input 'frames' is already defined as a param; names must be unique [SPEC_DUPLICATE_NAME]
      pipeline.yaml:8:49 step 'b': output 'x' is already defined as an output of step 'a'; names must be unique [SPEC_DUPLICATE_NAME]"
    `);
  });

  it('reports a cycle with its path', () => {
    expect(
      problemsOf(yaml`
        name: p
        steps:
          c: { run: ./c.ts, inputs: [b_out], outputs: [c_out] }
          a: { run: ./a.ts, inputs: [c_out], outputs: [a_out] }
          b: { run: ./b.ts, inputs: [a_out], outputs: [b_out] }
          d: { run: ./d.ts, inputs: [c_out], outputs: [result] }
        outputs: [result]
      `),
    ).toMatchInlineSnapshot(`
      "pipeline.yaml:4:3 steps form a cycle: a -> b -> c -> a [SPEC_CYCLE]
      pipeline.yaml:7:11 desired output 'result' cannot be produced: step 'd' depends on step 'c', and step 'c' is in a cycle [SPEC_UNREACHABLE_OUTPUT]"
    `);
  });

  it('explains why a desired output cannot be reached', () => {
    expect(
      problemsOf(yaml`
        name: p
        steps:
          parse: { run: ./parse.ts, inputs: [document], outputs: [pages] }
          render: { run: ./render.ts, inputs: [pages], outputs: [html] }
        outputs: [html, pdf, htm]
      `),
    ).toMatchInlineSnapshot(`
      "pipeline.yaml:3:38 step 'parse' needs input 'document', which no param, data input or step output provides [SPEC_MISSING_INPUT]
      pipeline.yaml:5:11 desired output 'html' cannot be produced: step 'render' depends on step 'parse', and step 'parse' needs input 'document', which nothing provides [SPEC_UNREACHABLE_OUTPUT]
      pipeline.yaml:5:17 desired output 'pdf' cannot be produced: no step outputs it [SPEC_UNREACHABLE_OUTPUT]
      pipeline.yaml:5:22 desired output 'htm' cannot be produced: no step outputs it; did you mean 'html'? [SPEC_UNREACHABLE_OUTPUT]"
    `);
  });

  it('refuses to gather a value that exists once', () => {
    expect(
      problemsOf(yaml`
        name: p
        steps:
          x: { run: ./x.ts, outputs: [summary] }
          report: { run: ./r.ts, inputs: ["summary[]"], outputs: [all] }
      `),
    ).toMatchInlineSnapshot(
      `"pipeline.yaml:4:35 step 'report': input 'summary[]' gathers 'summary', which is not per-datum (it is produced once by step 'x'); write 'summary' [SPEC_NOT_PER_DATUM]"`,
    );
  });

  it('refuses a step that reads per-datum values of two origins', () => {
    expect(
      problemsOf(yaml`
        name: p
        inputs:
          frames: { repo: cameras }
          sensors: { repo: hive }
        steps:
          mix: { run: ./mix.ts, inputs: [frames, sensors], outputs: [m] }
      `),
    ).toMatchInlineSnapshot(
      `"pipeline.yaml:6:33 step 'mix' reads per-datum values of different origins ('frames' follows 'frames', 'sensors' follows 'sensors'); gather all but one with 'name[]' [SPEC_DATUM_CONFLICT]"`,
    );
  });

  it('lets a gathered value join per-datum values of another origin', () => {
    const report = check(yaml`
      name: p
      inputs:
        frames: { repo: cameras }
        sensors: { repo: hive }
      steps:
        mix: { run: ./mix.ts, inputs: [frames, "sensors[]"], outputs: [m] }
    `);
    expect(report.problems).toEqual([]);
    expect(report.pipeline?.values.m?.origin).toBe('frames');
  });

  it('refuses a scatter from a step that already runs per datum', () => {
    expect(
      problemsOf(yaml`
        name: p
        inputs:
          frames: { repo: cameras }
        steps:
          split: { run: ./split.ts, inputs: [frames], outputs: ["tiles[]"] }
      `),
    ).toMatchInlineSnapshot(
      `"pipeline.yaml:5:57 step 'split': output 'tiles[]' scatters, but the step already runs per datum of 'frames'; only a step that runs once may scatter [SPEC_SCATTER]"`,
    );
  });

  it('still reports problems inside pruned steps', () => {
    const report = check(yaml`
      name: p
      steps:
        a: { run: ./a.ts, outputs: [x] }
        old: { run: ./old.ts, inputs: [missing], outputs: [y] }
      outputs: [x]
    `);
    expect(report.pruned).toEqual(['old']);
    expect(report.problems.map((problem) => problem.code)).toEqual(['SPEC_MISSING_INPUT']);
    expect(report.pipeline).toBeUndefined();
  });

  it('reports every problem at once, sorted by position', () => {
    const report = check(yaml`
      name: p
      steps:
        a: { run: ./a.ts, inputs: [nope], outputs: [x], gpus: 1 }
        b: { run: ./b.ts, inputs: [x, also_nope], outputs: [y] }
    `);
    expect(report.problems.map((problem) => `${problem.line}:${problem.column} ${problem.code}`)).toEqual([
      '3:30 SPEC_MISSING_INPUT',
      '3:51 SPEC_UNKNOWN_KEY',
      '4:33 SPEC_MISSING_INPUT',
      '4:55 SPEC_UNREACHABLE_OUTPUT',
    ]);
  });
});

describe('durations', () => {
  it('refuses a timeout of zero, which would kill every attempt at once', async () => {
    const { validatePipelineText } = await import('./load.js');
    const report = validatePipelineText(
      'name: z\nsteps:\n  s:\n    run: ./s.ts\n    outputs: [o]\n    timeout: 0s\n',
      'p.yaml',
      {
        checkFiles: false,
      },
    );
    expect(report.problems.map((problem) => `${problem.line}:${problem.column} ${problem.message}`)).toEqual([
      "6:14 step 's': 'timeout' must be longer than 0 (leave it out for no timeout)",
    ]);
  });
});
