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
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
};

/** The schema a `$ref` to `#/$defs/<name>` points at, or the schema itself. */
function resolveRef(root: JsonSchema, schema: JsonSchema): JsonSchema {
  const name = schema.$ref?.replace('#/$defs/', '');
  return name === undefined ? schema : (root.$defs?.[name] ?? schema);
}

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
    const [topic, data] = (properties.inputs?.additionalProperties as JsonSchema).anyOf ?? [];
    const input = resolveRef(schema, data as JsonSchema);
    expect(schema.additionalProperties).toBe(false);
    expect(step.additionalProperties).toBe(false);
    expect(param.additionalProperties).toBe(false);
    expect(topic?.additionalProperties).toBe(false);
    expect(input.anyOf).toHaveLength(5);
    for (const form of input.anyOf ?? []) expect(form.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['name', 'steps']);
    expect(step.required).toEqual(['run']);
    expect(Object.keys(step.properties ?? {})).toEqual(
      expect.arrayContaining(['run', 'inputs', 'outputs', 'parallelism', 'retries', 'timeout', 'cache']),
    );
  });

  it('describes inputs: a topic, or data recursively: a repo, or a combinator of named inputs', () => {
    const schema = pipelineJsonSchema() as JsonSchema;
    const [topic, data] = (schema.properties?.inputs?.additionalProperties as JsonSchema).anyOf ?? [];
    expect(topic?.required).toEqual(['topic']);
    expect(Object.keys(topic?.properties ?? {})).toEqual(
      expect.arrayContaining(['topic', 'group', 'batch', 'timeout', 'wait', 'start']),
    );
    const input = resolveRef(schema, data as JsonSchema);
    const [repo, ...combined] = input.anyOf ?? [];
    expect(repo?.required).toEqual(['repo']);
    expect(Object.keys(repo?.properties ?? {})).toEqual(
      expect.arrayContaining(['repo', 'glob', 'branch', 'join_on', 'group_by', 'outer_join']),
    );
    expect(combined.map((form) => form.required)).toEqual([['cross'], ['union'], ['join'], ['group']]);
    for (const form of combined) {
      const [kind] = form.required ?? [];
      const members = form.properties?.[kind ?? '']?.additionalProperties as JsonSchema;
      expect(resolveRef(schema, members)).toBe(input);
    }
  });

  it('documents the scatter and gather forms in the step descriptions', () => {
    const schema = pipelineJsonSchema() as JsonSchema;
    const step = schema.properties?.steps?.additionalProperties as JsonSchema;
    expect(step.properties?.outputs?.description).toContain("'name[]' scatters");
    expect(step.properties?.inputs?.description).toContain("'name[]' gathers");
  });
});
