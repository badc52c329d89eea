/** The documents workload end to end: the YAML and the builder twin, every sample document, and the broken variant. */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineFile } from '../src/spec/index.js';
import { sluice } from './helpers.js';

const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'documents');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-documents-'));
  await cp(EXAMPLE, dir, { recursive: true, filter: (source) => !source.includes('node_modules') });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Outputs {
  summary: { language: string; category: string; sentences: string[]; keywords: string[] };
  category: { label: string };
  language: { code: string };
}

describe('examples/documents', () => {
  it('runs page 0 of D0 and produces the summary, category and language', async () => {
    const result = await sluice(
      ['run', 'pipeline.yaml', '-p', 'document_id=D0', '-p', 'page_num=0', '--json'],
      dir,
    );
    expect(result.code).toBe(0);
    const { outputs, runId } = JSON.parse(result.stdout) as { outputs: Outputs; runId: string };
    expect(outputs.language.code).toBe('en');
    expect(outputs.category.label).toBe('invoice');
    expect(outputs.summary.sentences.length).toBeGreaterThan(0);
    expect(outputs.summary.keywords).toContain('invoice');
    const show = JSON.parse((await sluice(['show', runId, '--json'], dir)).stdout) as {
      tasks: { step: string; status: string }[];
      metrics: { key: string; value: number }[];
    };
    expect(show.tasks.filter((task) => task.step === 'keywords').length).toBeGreaterThan(1);
    expect(show.tasks.some((task) => task.step === 'translate')).toBe(false);
    expect(show.metrics.map((metric) => metric.key)).toContain('chars');
    const logs = await sluice(['logs', runId, '--step', 'extract_text'], dir);
    expect(logs.stdout).toContain('extracted');
  });

  it.each([
    ['D1', 'de', 'letter'],
    ['D2', 'fr', 'scientific'],
    ['D3', 'en', 'legal'],
  ])('detects the language and category of %s', async (document, language, category) => {
    const result = await sluice(['run', 'pipeline.yaml', '-p', `document_id=${document}`, '--json'], dir);
    expect(result.code).toBe(0);
    const { outputs } = JSON.parse(result.stdout) as { outputs: Outputs };
    expect([outputs.language.code, outputs.category.label]).toEqual([language, category]);
  });

  it('fails clearly for a page that does not exist', async () => {
    const result = await sluice(['run', 'pipeline.yaml', '-p', 'document_id=D0', '-p', 'page_num=7'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("step 'load_page' failed: no page 7 of document 'D0'");
    expect(result.stderr).toContain('its pages: page-0.txt, page-1.txt');
  });

  it('the builder twin (pipeline.ts) compiles to the same model as pipeline.yaml', async () => {
    const yaml = await loadPipelineFile(join(dir, 'pipeline.yaml'));
    const built = await loadPipelineFile(join(dir, 'pipeline.ts'));
    expect(built.problems).toEqual([]);
    expect({ ...built.pipeline, file: undefined }).toEqual({ ...yaml.pipeline, file: undefined });
  });

  it('validate reports every mistake of the broken variant', async () => {
    const result = await sluice(['validate', 'pipeline.broken.yaml', '--json'], dir);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as { problems: { code: string; line: number }[] };
    expect(report.problems.map((problem) => `${problem.line} ${problem.code}`)).toEqual([
      '16 SPEC_UNKNOWN_KEY',
      '21 SPEC_TYPE',
      '24 SPEC_MISSING_INPUT',
      '27 SPEC_MODULE_NOT_FOUND',
      '30 SPEC_CYCLE',
      '36 SPEC_NOT_PER_DATUM',
      '38 SPEC_UNREACHABLE_OUTPUT',
    ]);
  });
});
