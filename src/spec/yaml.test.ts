import { describe, expect, it } from 'vitest';
import { validatePipelineText } from './index.js';
import { formatProblem } from '../core/index.js';

/** The problems of YAML `text` checked as `pipeline.yaml`, one formatted line each. */
function problemsOf(text: string): string {
  return validatePipelineText(text, 'pipeline.yaml', { checkFiles: false })
    .problems.map(formatProblem)
    .join('\n');
}

/** `depth` levels of nested block mappings. */
function nested(depth: number): string {
  const lines = ['name: p', 'steps:'];
  for (let level = 0; level < depth; level++) lines.push(`${'  '.repeat(level + 1)}k${level}:`);
  lines.push(`${'  '.repeat(depth + 1)}leaf: 1`);
  return `${lines.join('\n')}\n`;
}

/** Ten anchors, each a list of ten aliases to the previous one: 10^10 nodes when expanded. */
function aliasBomb(): string {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let level = 1; level < 10; level++) {
    lines.push(`a${level}: &a${level} [${Array.from({ length: 10 }, () => `*a${level - 1}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\nname: p\n`;
}

describe('YAML hazards', () => {
  it('refuses an alias bomb without expanding it', () => {
    expect(problemsOf(aliasBomb())).toMatchInlineSnapshot(
      `"pipeline.yaml:1:1 the YAML expands aliases more than 100 times (an alias bomb); write the values out or use fewer aliases [SPEC_YAML_HAZARD]"`,
    );
  });

  it('accepts a few aliases', () => {
    const report = validatePipelineText(
      'name: p\nsteps:\n  a: { run: ./a.ts, outputs: [x], retries: &r 2 }\n  b: { run: ./b.ts, inputs: [x], outputs: [y], retries: *r }\n',
      'pipeline.yaml',
      { checkFiles: false },
    );
    expect(report.pipeline?.steps.b?.retries).toBe(2);
  });

  it('refuses a 2 MiB document, and honours a configured limit', () => {
    const big = `name: p\ndescription: "${'x'.repeat(2 * 1024 * 1024)}"\n`;
    expect(problemsOf(big)).toMatchInlineSnapshot(
      `"pipeline.yaml:1:1 the file is 2097176 bytes; a pipeline spec may be at most 1048576 bytes [SPEC_YAML_HAZARD]"`,
    );
    const small = validatePipelineText('name: p\nsteps: {}\n', 'pipeline.yaml', {
      maxBytes: 10,
      checkFiles: false,
    });
    expect(small.problems.map((problem) => problem.code)).toEqual(['SPEC_YAML_HAZARD']);
  });

  it('refuses nesting 100 levels deep', () => {
    expect(problemsOf(nested(100))).toMatchInlineSnapshot(
      `"pipeline.yaml:66:129 the YAML nests deeper than 64 levels; a pipeline spec needs far fewer [SPEC_YAML_HAZARD]"`,
    );
  });

  it('refuses pathological flow nesting without crashing', () => {
    const text = `name: p\nsteps: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`;
    expect(validatePipelineText(text, 'pipeline.yaml').problems.map((problem) => problem.code)).toEqual([
      'SPEC_YAML_HAZARD',
    ]);
  });

  it('reports every duplicate key at its second occurrence, naming the first', () => {
    expect(
      problemsOf(
        'name: p\nsteps:\n  a:\n    run: ./a.ts\n    outputs: [x]\n    run: ./b.ts\n  a: { run: ./c.ts }\n',
      ),
    ).toMatchInlineSnapshot(`
      "pipeline.yaml:6:5 duplicate key 'run' (first at line 4, column 5); each key may appear only once in a mapping [SPEC_YAML_HAZARD]
      pipeline.yaml:7:3 duplicate key 'a' (first at line 3, column 3); each key may appear only once in a mapping [SPEC_YAML_HAZARD]"
    `);
  });

  it('refuses several documents in one file', () => {
    expect(problemsOf('name: p\nsteps: {}\n---\nname: q\n')).toMatchInlineSnapshot(
      `"pipeline.yaml:3:1 the file holds 2 YAML documents (a second one starts here); a pipeline spec is exactly one document [SPEC_YAML_HAZARD]"`,
    );
  });

  it('reports malformed YAML at the parser position', () => {
    expect(problemsOf('name: p\nsteps:\n  a: { run: ./a.ts\n  b: 1\n')).toMatchInlineSnapshot(
      `"pipeline.yaml:4:3 invalid YAML: Flow map in block collection must be sufficiently indented and end with a } [SPEC_YAML]"`,
    );
    expect(problemsOf('name: p\n\tsteps: {}\n')).toMatchInlineSnapshot(
      `"pipeline.yaml:2:1 invalid YAML: Tabs are not allowed as indentation [SPEC_YAML]"`,
    );
  });

  it('refuses an empty file', () => {
    expect(problemsOf('')).toMatchInlineSnapshot(
      `"pipeline.yaml:1:1 the file is empty; expected a pipeline spec (a mapping with name and steps) [SPEC_YAML]"`,
    );
    expect(problemsOf('# only a comment\n')).toMatchInlineSnapshot(
      `"pipeline.yaml:1:1 the file is empty; expected a pipeline spec (a mapping with name and steps) [SPEC_YAML]"`,
    );
  });
});

describe('locating problems', () => {
  it('points at the key for unknown keys and at the value for bad values', () => {
    const report = validatePipelineText(
      'name: p\nsteps:\n  a:\n    run: ./a.ts\n    outputs: [x]\n    gpus: 2\n    retries: lots\n',
      'pipeline.yaml',
      { checkFiles: false },
    );
    expect(report.problems.map(({ line, column, path }) => ({ line, column, path }))).toEqual([
      { line: 6, column: 5, path: ['steps', 'a', 'gpus'] },
      { line: 7, column: 14, path: ['steps', 'a', 'retries'] },
    ]);
  });
});
