import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import loadRules from '../steps/load_rules.js';
import { parseRules } from '../steps/lib/rules.js';
import { fakeContext } from './fake-context.js';

const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));

function problems(text: string): string {
  try {
    parseRules(text, 'rules.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the rules were accepted');
}

describe('load_rules', () => {
  it('loads the example rules file relative to the pipeline folder', async () => {
    const { rules } = await loadRules(
      fakeContext({ rules_file: 'rules.yaml' }, { pipelineDir: EXAMPLE_DIR }),
    );
    expect(rules[0]).toEqual({
      name: 'person-at-night-cam3',
      devices: ['cam3'],
      labels: ['person'],
      min_score: 0.6,
      hours: { start: 20, end: 6 },
      severity: 'high',
      notify: ['email', 'webhook'],
    });
    expect(rules.map((rule) => rule.name)).toEqual([
      'person-at-night-cam3',
      'person-any-camera',
      'vehicle-at-gate-after-hours',
    ]);
  });

  it('loads an absolute path and fills in the defaults', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(join(dir, 'mine.yaml'), 'rules:\n  - name: anything\n    labels: "*"\n    severity: low\n');
    const { rules } = await loadRules(fakeContext({ rules_file: join(dir, 'mine.yaml') }));
    expect(rules).toEqual([
      {
        name: 'anything',
        devices: '*',
        labels: '*',
        min_score: null,
        hours: null,
        severity: 'low',
        notify: [],
      },
    ]);
  });

  it('says which file it cannot read', async () => {
    await expect(
      loadRules(fakeContext({ rules_file: 'missing.yaml' }, { pipelineDir: '/nowhere' })),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: cannot read the rules file /nowhere/missing.yaml: ENOENT: no such file or directory, open '/nowhere/missing.yaml']`,
    );
  });
});

describe('parseRules', () => {
  it('accepts devices and labels as "*" and wrapping or plain hour windows', () => {
    const rules = parseRules(
      [
        'rules:',
        '  - { name: a, devices: "*", labels: [person, dog], hours: "8-17", severity: medium }',
        '  - { name: b, devices: ["*"], labels: ["*"], hours: 22-6, severity: low, notify: [webhook] }',
      ].join('\n'),
      'r.yaml',
    );
    expect(rules.map((rule) => [rule.devices, rule.labels, rule.hours])).toEqual([
      ['*', ['person', 'dog'], { start: 8, end: 17 }],
      ['*', '*', { start: 22, end: 6 }],
    ]);
  });

  it('names file, line and column of unknown keys, wrong types and bad hours, all at once', () => {
    expect(
      problems(
        [
          'rules:',
          '  - name: night',
          '    labels: [person, persn]',
          '    min_score: high',
          '    hours: "20-20"',
          '    severity: critical',
          '    notify: [email, sms]',
          '    camera: cam3',
          '  - name: Night Owl',
          '    devices: cam3',
          '    labels: []',
          '    hours: 7',
          '    severity: low',
        ].join('\n'),
      ),
    ).toMatchInlineSnapshot(`
      "rules.yaml:3:22 rule 'night': 'labels': unknown label 'persn'; the detector reports COCO labels (person, bicycle, car, motorcycle, airplane, bus, …)
      rules.yaml:4:16 rule 'night': 'min_score' must be a number above 0 and at most 1, found "high"
      rules.yaml:5:12 rule 'night': 'hours' must be "FROM-TO" in whole hours 0-24 with FROM before 24 and FROM != TO (e.g. "20-6" wraps past midnight), found "20-20"
      rules.yaml:6:15 rule 'night': 'severity': found "critical"; allowed: low, medium, high
      rules.yaml:7:21 rule 'night': 'notify': found "sms"; allowed: email, webhook
      rules.yaml:8:5 rule 'night': unknown key 'camera'; allowed: name, devices, labels, min_score, hours, severity, notify
      rules.yaml:9:11 rule 'Night Owl': 'name' must be lowercase letters, digits, '-' and '_', found "Night Owl"
      rules.yaml:10:14 rule 'Night Owl': 'devices' must be a non-empty list of names or '*', found "cam3"
      rules.yaml:11:13 rule 'Night Owl': 'labels' must be a non-empty list of names or '*', found an empty list
      rules.yaml:12:12 rule 'Night Owl': 'hours' must be "FROM-TO" in whole hours 0-24 with FROM before 24 and FROM != TO (e.g. "20-6" wraps past midnight), found 7"
    `);
  });

  it('reports missing keys, duplicate names and a wrong top level', () => {
    expect(
      problems(
        [
          'rules:',
          '  - name: a',
          '    labels: [cat]',
          '    severity: low',
          '  - name: a',
          '    severity: low',
        ].join('\n'),
      ),
    ).toMatchInlineSnapshot(`"rules.yaml:5:5 rule 'a': 'labels' is required"`);
    expect(
      problems(
        'rules:\n  - { name: a, labels: [cat], severity: low }\n  - { name: a, labels: [dog], severity: low }\n',
      ),
    ).toMatchInlineSnapshot(`"rules.yaml:3:13 rule 'a': the name is used by an earlier rule"`);
    expect(problems('rule:\n  - name: a\n')).toMatchInlineSnapshot(`
      "rules.yaml:1:1 unknown key 'rule'; allowed: rules
      rules.yaml:1:1 'rules' is required"
    `);
    expect(problems('rules: []\n')).toMatchInlineSnapshot(
      `"rules.yaml:1:8 'rules' must be a non-empty list of rules"`,
    );
    expect(problems('- name: a\n')).toMatchInlineSnapshot(
      `"rules.yaml:1:1 expected a mapping with the key 'rules'"`,
    );
  });

  it('reports invalid YAML with its position', () => {
    expect(problems('rules:\n  - name: a\n    labels: [person\n')).toMatchInlineSnapshot(
      `"rules.yaml:4:1 invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]"`,
    );
    expect(problems('rules:\n  - name: a\n    name: b\n')).toMatchInlineSnapshot(
      `"rules.yaml:3:5 invalid YAML: Map keys must be unique"`,
    );
  });
});
