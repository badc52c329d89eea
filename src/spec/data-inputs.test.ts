import { describe, expect, it } from 'vitest';
import { formatProblem } from '../core/index.js';
import type { DataInputSpec, ValidationReport } from './index.js';
import { validatePipelineText } from './index.js';

function check(text: string): ValidationReport {
  return validatePipelineText(text, 'pipeline.yaml', { checkFiles: false });
}

/** A pipeline whose one step reads the given data inputs (YAML lines under `inputs:`). */
function withInputs(...lines: string[]): string {
  const names = lines.filter((line) => /^\S/.test(line)).map((line) => line.split(':')[0]);
  return [
    'name: p',
    'inputs:',
    ...lines.map((line) => `  ${line}`),
    'steps:',
    ...names.map((name) => `  s_${name}: { run: ./s.ts, inputs: [${name}], outputs: [o_${name}] }`),
    '',
  ].join('\n');
}

function problemsOf(...lines: string[]): string {
  return check(withInputs(...lines))
    .problems.map(formatProblem)
    .join('\n');
}

function inputOf(...lines: string[]): DataInputSpec | undefined {
  const report = check(withInputs(...lines));
  expect(report.problems.map(formatProblem)).toEqual([]);
  const [name] = lines[0]?.split(':') ?? [];
  return report.pipeline?.inputs[name ?? ''];
}

describe('data input forms', () => {
  it('keeps the plain repo form and its meaning', () => {
    expect(inputOf('frames: { repo: cameras, glob: "/*/*", branch: dev, description: frames }')).toEqual({
      kind: 'repo',
      name: 'frames',
      repo: 'cameras',
      glob: '/*/*',
      branch: 'dev',
      outerJoin: false,
    });
    expect(inputOf('frames: { repo: cameras }')).toMatchObject({ glob: '/*', branch: 'main' });
  });

  it('compiles a cross of named members', () => {
    expect(
      inputOf(
        'pairs:',
        '  cross:',
        '    images: { repo: images, glob: "/*" }',
        '    labels: { repo: labels, glob: "/" }',
      ),
    ).toEqual({
      kind: 'cross',
      name: 'pairs',
      inputs: [
        { kind: 'repo', name: 'images', repo: 'images', glob: '/*', branch: 'main', outerJoin: false },
        { kind: 'repo', name: 'labels', repo: 'labels', glob: '/', branch: 'main', outerJoin: false },
      ],
    });
  });

  it('compiles a join with join_on and outer_join', () => {
    expect(
      inputOf(
        'matched:',
        '  join:',
        '    images: { repo: images, glob: "/(*).jpg", join_on: "$1" }',
        '    labels: { repo: labels, glob: "/(*).txt", join_on: "$1", outer_join: true }',
      ),
    ).toMatchObject({
      kind: 'join',
      inputs: [
        { name: 'images', joinOn: '$1', outerJoin: false },
        { name: 'labels', joinOn: '$1', outerJoin: true },
      ],
    });
  });

  it('compiles a group of one member', () => {
    expect(
      inputOf('by_patient:', '  group:', '    scans: { repo: scans, glob: "/(*)/*.dcm", group_by: "$1" }'),
    ).toMatchObject({ kind: 'group', inputs: [{ name: 'scans', groupBy: '$1' }] });
  });

  it('compiles nested combinators', () => {
    expect(
      inputOf(
        'any:',
        '  union:',
        '    a: { repo: a, glob: "/*" }',
        '    b: { cross: { x: { repo: x }, y: { repo: y } } }',
      ),
    ).toMatchObject({
      kind: 'union',
      inputs: [
        { kind: 'repo', name: 'a' },
        {
          kind: 'cross',
          name: 'b',
          inputs: [
            { name: 'x', repo: 'x' },
            { name: 'y', repo: 'y' },
          ],
        },
      ],
    });
  });

  it('lets a step read a combined input per datum', () => {
    const report = check(
      withInputs(
        'pairs:',
        '  cross:',
        '    images: { repo: images }',
        '    labels: { repo: labels, glob: "/" }',
      ),
    );
    expect(report.pipeline?.values.o_pairs?.origin).toBe('pairs');
  });
});

describe('data input problems', () => {
  it('reports a glob that does not compile at the glob', () => {
    expect(problemsOf('frames: { repo: cameras, glob: "/a[bc" }')).toMatchInlineSnapshot(
      `"pipeline.yaml:3:34 data input 'frames': glob "/a[bc": unclosed '['; expected ']' at column 3 [INVALID_GLOB]"`,
    );
  });

  it('reports a bad glob of a nested member with its member path', () => {
    expect(
      problemsOf(
        'any:',
        '  union:',
        '    a: { repo: a }',
        '    b: { cross: { x: { repo: x, glob: "x*" }, y: { repo: y } } }',
      ),
    ).toMatchInlineSnapshot(
      `"pipeline.yaml:6:41 data input 'any' member 'b.x': glob "x*": found "x"; expected '/' first (the repo root) at column 1 [INVALID_GLOB]"`,
    );
  });

  it('reports a join member without join_on', () => {
    expect(
      problemsOf(
        'matched:',
        '  join:',
        '    images: { repo: images, glob: "/(*).jpg", join_on: "$1" }',
        '    labels: { repo: labels, glob: "/(*).txt" }',
      ),
    ).toMatchInlineSnapshot(
      `"pipeline.yaml:6:15 data input 'matched' member 'labels': a join member needs 'join_on', a template of its glob captures like '$1' [SPEC_REQUIRED]"`,
    );
  });

  it('reports a group member without group_by', () => {
    expect(problemsOf('g:', '  group:', '    scans: { repo: scans, glob: "/(*)" }')).toContain(
      "data input 'g' member 'scans': a group member needs 'group_by'",
    );
  });

  it('reports join_on referring to a capture the glob does not have', () => {
    expect(
      problemsOf(
        'matched:',
        '  join:',
        '    images: { repo: images, glob: "/(*)/(*).jpg", join_on: "$3" }',
        '    labels: { repo: labels, glob: "/(*).txt", join_on: "$1" }',
      ),
    ).toMatchInlineSnapshot(
      `"pipeline.yaml:5:62 data input 'matched' member 'images': 'join_on' refers to $3, but the glob '/(*)/(*).jpg' has 2 capture groups; add '(...)' around the part to capture [SPEC_TYPE]"`,
    );
  });

  it('reports group_by on a glob without captures', () => {
    expect(problemsOf('g:', '  group:', '    scans: { repo: scans, glob: "/*", group_by: "$1" }')).toContain(
      "'group_by' refers to $1, but the glob '/*' has no capture groups",
    );
  });

  it('reports a template that refers to no capture', () => {
    expect(
      problemsOf('g:', '  group:', '    scans: { repo: scans, glob: "/(*)", group_by: "all" }'),
    ).toContain(
      `'group_by' "all" refers to no capture; expected a template of glob captures like '$1' or '$1-$2'`,
    );
  });

  it('reports join_on, group_by and outer_join outside their combinator', () => {
    expect(
      problemsOf('frames: { repo: cameras, glob: "/(*)", join_on: "$1", group_by: "$1", outer_join: true }'),
    ).toMatchInlineSnapshot(`
      "pipeline.yaml:3:51 data input 'frames': 'join_on' only applies to a member of a 'join'; remove it or put the input in a join [SPEC_TYPE]
      pipeline.yaml:3:67 data input 'frames': 'group_by' only applies to a member of a 'group'; remove it or put the input in a group [SPEC_TYPE]
      pipeline.yaml:3:85 data input 'frames': 'outer_join' only applies to a member of a 'join' [SPEC_TYPE]"
    `);
  });

  it('reports a combinator with too few members', () => {
    expect(problemsOf('pairs:', '  cross:', '    images: { repo: images }')).toMatchInlineSnapshot(
      `"pipeline.yaml:5:7 data input 'pairs': a cross needs at least 2 members, found 1 [SPEC_TYPE]"`,
    );
    expect(problemsOf('g: { group: {} }')).toContain('a group needs at least 1 member, found 0');
  });

  it('reports a combined member inside a join', () => {
    expect(
      problemsOf(
        'matched:',
        '  join:',
        '    a: { repo: a, glob: "/(*)", join_on: "$1" }',
        '    b: { cross: { x: { repo: x }, y: { repo: y } } }',
      ),
    ).toContain(
      "data input 'matched' member 'b': a join member must be a repo input with 'join_on', found a cross",
    );
  });

  it('reports an invalid member name at its key', () => {
    expect(problemsOf('pairs:', '  cross:', '    Images: { repo: images }', '    label.s: { repo: labels }'))
      .toMatchInlineSnapshot(`
        "pipeline.yaml:5:7 data input 'pairs': member name 'Images' is not valid (it names a folder); use lowercase letters, digits, '_' and '-' [SPEC_TYPE]
        pipeline.yaml:6:7 data input 'pairs': member name 'label.s' is not valid (it names a folder); use lowercase letters, digits, '_' and '-' [SPEC_TYPE]"
      `);
  });

  it('reports an invalid repo name', () => {
    expect(problemsOf('frames: { repo: Cameras }')).toMatchInlineSnapshot(
      `"pipeline.yaml:3:19 data input 'frames': repo "Cameras" is not a valid repo name; expected lowercase letters, digits, '_', '.' and '-', starting with a letter or digit, at most 63 characters [SPEC_TYPE]"`,
    );
    expect(problemsOf(`frames: { repo: ${'a'.repeat(64)} }`)).toContain('at most 63 characters');
    expect(problemsOf('frames: { repo: .hidden }')).toContain('is not a valid repo name');
  });

  it('reports two repo members of one input with the same name', () => {
    expect(
      problemsOf(
        'any:',
        '  union:',
        '    a: { repo: a }',
        '    b: { cross: { a: { repo: x }, y: { repo: y } } }',
      ),
    ).toContain("data input 'any' member 'b.a': the name 'a' is used by another repo member of this input");
  });

  it('reports an unknown key on a member, with the keys allowed there', () => {
    expect(
      problemsOf('pairs:', '  cross:', '    a: { repo: a, glb: "/" }', '    b: { repo: b }'),
    ).toMatchInlineSnapshot(
      `"pipeline.yaml:5:21 data input 'pairs' member 'a': unknown key 'glb'; allowed: repo, glob, branch, description, join_on, group_by, outer_join [SPEC_UNKNOWN_KEY]"`,
    );
  });

  it('reports two combinators in one input', () => {
    expect(problemsOf('x: { cross: { a: { repo: a } }, union: { b: { repo: b } } }')).toMatchInlineSnapshot(
      `"pipeline.yaml:3:35 data input 'x': unknown key 'union'; allowed: cross, union, join, group, description [SPEC_UNKNOWN_KEY]"`,
    );
  });

  it('reports an input that is neither form', () => {
    expect(problemsOf('frames: cameras')).toMatchInlineSnapshot(
      `"pipeline.yaml:3:11 data input 'frames': expected { repo, glob, branch } or { cross | union | join | group: { member: input } }, found "cameras" [SPEC_TYPE]"`,
    );
  });

  it('reports a wrongly typed key of a nested member', () => {
    expect(
      problemsOf(
        'pairs:',
        '  join:',
        '    a: { repo: a, glob: "/(*)", join_on: "$1", outer_join: maybe }',
        '    b: { repo: b, glob: "/(*)", join_on: "$1" }',
      ),
    ).toMatchInlineSnapshot(
      `"pipeline.yaml:5:62 data input 'pairs' member 'a': 'outer_join' expected boolean, found "maybe" [SPEC_TYPE]"`,
    );
  });
});
