import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pipelineJsonSchema } from './index.js';

const SCHEMA_FILE = fileURLToPath(new URL('../../schema/pipeline.schema.json', import.meta.url));

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  description?: string;
  anyOf?: JsonSchema[];
};

describe('the published JSON Schema', () => {
  it('is the committed schema/pipeline.schema.json', () => {
    const expected = `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, expected);
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (committed !== expected) {
      expect.fail(
        'schema/pipeline.schema.json is stale: run UPDATE_SCHEMA=1 npx vitest run src/spec/json-schema.test.ts',
      );
    }
  });

  it('names itself and its dialect', () => {
    expect(pipelineJsonSchema()).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: expect.stringContaining('pipeline.schema.json'),
      title: 'Sluice pipeline',
    });
  });

  it('refuses unknown keys on the pipeline, params, inputs and steps', () => {
    const schema = pipelineJsonSchema() as JsonSchema;
    const properties = schema.properties ?? {};
    const step = properties.steps?.additionalProperties as JsonSchema;
    const param = properties.params?.additionalProperties as JsonSchema;
    const input = properties.inputs?.additionalProperties as JsonSchema;
    expect(schema.additionalProperties).toBe(false);
    expect(step.additionalProperties).toBe(false);
    expect(param.additionalProperties).toBe(false);
    expect(input.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['name', 'steps']);
    expect(step.required).toEqual(['run']);
    expect(Object.keys(step.properties ?? {})).toEqual(
      expect.arrayContaining(['run', 'inputs', 'outputs', 'parallelism', 'retries', 'timeout', 'cache']),
    );
  });

  it('documents the scatter and gather forms in the step descriptions', () => {
    const schema = pipelineJsonSchema() as JsonSchema;
    const step = schema.properties?.steps?.additionalProperties as JsonSchema;
    expect(step.properties?.outputs?.description).toContain("'name[]' scatters");
    expect(step.properties?.inputs?.description).toContain("'name[]' gathers");
  });
});
