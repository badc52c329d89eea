/**
 * The raw pipeline spec as users write it (YAML or the builder), in zod. It is the single
 * source of the JSON Schema in `schema/pipeline.schema.json`. Cross-field rules (names,
 * graph, files) are checked by `compile.ts`, which can say more than a schema can.
 */
import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';

const duration = z
  .union([z.string().regex(DURATION_PATTERN), z.number().nonnegative()])
  .describe('a duration: 500ms, 30s, 5m, 1h, or a number of seconds');

export const PARAM_TYPES = ['string', 'number', 'integer', 'boolean', 'json', 'model'] as const;

/** Column types of tables steps write. */
export const COLUMN_TYPES = ['text', 'integer', 'bigint', 'double', 'boolean', 'timestamp', 'json'] as const;
/** A table or column name: lowercase letters, digits and '_', starting with a letter (max 63). */
export const TABLE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export const tableSchema = z
  .strictObject({
    columns: z
      .record(z.string(), z.enum(COLUMN_TYPES))
      .describe('column name -> type: text, integer, bigint, double, boolean, timestamp or json'),
    description: z.string().optional().describe('what the rows are'),
  })
  .describe('a table steps write rows to (schema sluice_tables), created on first use');

export const paramSchema = z
  .strictObject({
    type: z
      .enum(PARAM_TYPES)
      .default('string')
      .describe(
        "the value type; CLI values are converted to it. 'model': a registry reference NAME, NAME@ALIAS or NAME:VERSION, resolved when the run starts",
      ),
    default: z
      .unknown()
      .optional()
      .describe('the value when none is given; without it the param is required'),
    description: z.string().optional().describe('shown by the CLI help and the UI launch form'),
    enum: z.array(z.unknown()).optional().describe('the allowed values'),
  })
  .describe('a run parameter: -p key=value on the CLI, the launch form in the UI');

/** A repo name: lowercase letters, digits, '_', '.' and '-', starting with a letter or digit. */
export const REPO_NAME = /^[a-z0-9][a-z0-9_.-]*$/;
/** The longest repo name. */
export const REPO_NAME_MAX = 63;
/** A member name inside a combined input: its folder in the datum. */
export const MEMBER_NAME = /^[a-z0-9_-]+$/;

export const repoInputSchema = z
  .strictObject({
    repo: z.string().min(1).describe('the versioned data repo to read'),
    glob: z
      .string()
      .default('/*')
      .describe('splits the repo into datums, e.g. /*, /*/*, /**/*.jpg; (...) captures for join_on/group_by'),
    branch: z.string().default('main').describe('the branch to read (default main)'),
    description: z.string().optional().describe('what the data is'),
    join_on: z
      .string()
      .optional()
      .describe("in a join: the glob captures to match across members, e.g. '$1' or '$1-$2'"),
    group_by: z
      .string()
      .optional()
      .describe("in a group: the glob captures whose equal values form one datum, e.g. '$1'"),
    outer_join: z
      .boolean()
      .optional()
      .describe("in a join: also yield this member's datums that have no partner (default false)"),
  })
  .describe('versioned data from one repo, split into datums by a glob');

/** The combinator kinds, each a key whose value maps member names to inputs. */
export const COMBINATORS = ['cross', 'union', 'join', 'group'] as const;

const membersDescription: Record<(typeof COMBINATORS)[number], string> = {
  cross: "every combination of the members' datums; each member's files sit in a folder named after it",
  union: "every member's datums, one member at a time, in a folder named after it",
  join: "the members' datums whose join_on captures are equal, crossed; members need join_on",
  group: 'one datum per group_by value, holding every member datum with that value; members need group_by',
};

/** A combined input, by its combinator key. */
export interface RawCombinedInput {
  cross?: Record<string, RawDataInput>;
  union?: Record<string, RawDataInput>;
  join?: Record<string, RawDataInput>;
  group?: Record<string, RawDataInput>;
  description?: string | undefined;
}
/** A data input after schema parsing: a repo input or a combined one. */
export type RawDataInput = z.output<typeof repoInputSchema> | RawCombinedInput;
/** A data input as written. */
export type RawDataInputInput = z.input<typeof repoInputSchema> | RawCombinedInputInput;
/** A combined input as written. */
export interface RawCombinedInputInput {
  cross?: Record<string, RawDataInputInput>;
  union?: Record<string, RawDataInputInput>;
  join?: Record<string, RawDataInputInput>;
  group?: Record<string, RawDataInputInput>;
  description?: string | undefined;
}

function combinedInputSchema(kind: (typeof COMBINATORS)[number]) {
  return z
    .strictObject({
      get [kind]() {
        return z
          .record(z.string(), dataInputSchema)
          .describe(`the members, by name: ${membersDescription[kind]}`);
      },
      description: z.string().optional().describe('what the data is'),
    })
    .describe(`a ${kind} of data inputs`);
}

/** The combined input forms, by their combinator key. */
export const combinedInputBranches = {
  cross: combinedInputSchema('cross'),
  union: combinedInputSchema('union'),
  join: combinedInputSchema('join'),
  group: combinedInputSchema('group'),
};

export const dataInputSchema: z.ZodType<RawDataInput, RawDataInputInput> = z
  .union([
    repoInputSchema,
    combinedInputBranches.cross,
    combinedInputBranches.union,
    combinedInputBranches.join,
    combinedInputBranches.group,
  ])
  .meta({
    id: 'dataInput',
    description:
      'versioned data: { repo, glob, branch } split into datums by a glob, or { cross | union | join | group: { member: input } } combining inputs',
  });

/** A stream input: each batch of messages from a topic is one datum. */
export const topicInputSchema = z
  .strictObject({
    topic: z.string().min(1).describe('the topic to consume'),
    group: z
      .string()
      .optional()
      .describe('the consumer group (default <pipeline>.<input>); each message goes to one member'),
    batch: z.number().int().min(1).max(10_000).default(100).describe('messages per datum (at most)'),
    timeout: z
      .union([duration, z.strictObject({ param: z.string().min(1).describe('an integer param in ms') })])
      .default('5s')
      .describe(
        'the run stops consuming once no message came for this long: a duration, or { param: name } naming an integer param in milliseconds',
      ),
    wait: duration.optional().describe('how long a batch waits to fill up before it starts (default 1s)'),
    start: z
      .enum(['earliest', 'latest'])
      .default('earliest')
      .describe('where a new consumer group starts reading (default earliest)'),
    description: z.string().optional().describe('what the messages are'),
  })
  .describe(
    'a stream: batches of messages from a topic, each batch one datum; acked once its outputs are committed',
  );

export const commandRunSchema = z.strictObject({
  command: z
    .array(z.string())
    .min(1)
    .describe('program and arguments; project-relative files resolve against the spec folder'),
  env: z.record(z.string(), z.string()).optional().describe('extra environment variables'),
});

export const moduleRunSchema = z.strictObject({
  module: z.string().min(1).describe('TS/JS module path relative to the spec'),
  export: z.string().optional().describe('the exported step function (default: the default export)'),
});

export const runSchema = z
  .union([
    z
      .string()
      .min(1)
      .describe('TS/JS module path relative to the spec; its default export is the step function'),
    moduleRunSchema,
    commandRunSchema,
  ])
  .describe('how the step runs: a TS module, { module, export }, or { command: [program, ...args] }');

export const stepSchema = z
  .strictObject({
    run: runSchema,
    description: z.string().optional().describe('what the step does, shown by the CLI and UI'),
    inputs: z
      .array(z.string())
      .default([])
      .describe(
        "names of params, data inputs or other steps' outputs; 'name[]' gathers all datums of a per-datum value",
      ),
    outputs: z
      .array(z.string())
      .default([])
      .describe(
        "names this step produces; 'name[]' scatters: the step returns an array, one datum per element",
      ),
    parallelism: z.number().int().min(1).default(1).describe('concurrent datums of this step'),
    retries: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('extra attempts after a failure, with exponential backoff'),
    retry_delay: duration.optional().describe('the first retry delay (default 1s); doubles each attempt'),
    retry_max_delay: duration.optional().describe('the longest retry delay (default 60s)'),
    timeout: duration.optional().describe('per attempt; the attempt is killed when it runs longer'),
    cache: z.boolean().default(true).describe('reuse a stored result whose execution key matches'),
    tables: z
      .array(z.string())
      .optional()
      .describe("the tables (declared under the pipeline's 'tables') this step writes rows to"),
    topics: z
      .array(z.string().min(1))
      .optional()
      .describe('the topics this step may publish messages to (ctx.publish, $SLUICE_TOPICS)'),
    publish: z
      .record(z.string(), z.string().min(1))
      .optional()
      .describe(
        "output -> topic: each datum's value of the output is published as one message (each element, for 'name[]')",
      ),
  })
  .describe('a step of the pipeline');

/** The trigger forms, by their distinguishing key. */
export const triggerBranches = {
  commit: z.strictObject({ commit: z.string().min(1).describe('a data repo whose new commits start a run') }),
  cron: z.strictObject({
    cron: z.string().min(1).describe("a cron expression, e.g. '0 16 * * *'"),
    tz: z.string().optional().describe('an IANA time zone, e.g. Europe/Paris (default: UTC)'),
    catchup: z
      .enum(['latest', 'all', 'none'])
      .optional()
      .describe(
        'ticks missed while the service was down: run the latest one (default), all of them (at most 100), or none',
      ),
  }),
  topic: z.strictObject({
    topic: z
      .string()
      .min(1)
      .describe(
        "a topic one of the pipeline's stream inputs consumes: a run starts when it has messages the input's group has not acked",
      ),
  }),
  after: z.strictObject({
    after: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe(
        'a pipeline whose successful runs start a run; a list fans in: a run starts once every one of them has succeeded since the last such run',
      ),
  }),
};

export const triggerSchema = z
  .union([triggerBranches.commit, triggerBranches.cron, triggerBranches.after, triggerBranches.topic])
  .describe(
    'what starts a run: new commits on a repo, a cron schedule, another pipeline, or messages on a topic',
  );

/** A pipeline name: lowercase letters, digits, '-' and '_', starting with a letter. */
export const PIPELINE_NAME = /^[a-z][a-z0-9_-]*$/;

export const pipelineSchema = z
  .strictObject({
    name: z
      .string()
      .regex(PIPELINE_NAME)
      .describe("the pipeline's name: lowercase letters, digits, '-' and '_', starting with a letter"),
    description: z.string().optional().describe('what the pipeline does, shown by the CLI and UI'),
    params: z
      .record(z.string(), paramSchema)
      .default({})
      .describe('per-run values, by name; steps list them in their inputs'),
    inputs: z
      .record(z.string(), z.union([topicInputSchema, dataInputSchema]))
      .default({})
      .describe(
        'versioned data or topics, by name; a step reading one runs once per datum (a topic: once per batch)',
      ),
    steps: z
      .record(z.string(), stepSchema)
      .describe('the steps, by name; the graph follows from the names in their inputs and outputs'),
    outputs: z
      .array(z.string())
      .optional()
      .describe(
        'the desired outputs; steps that cannot contribute to them are pruned. Default: every step output no step consumes',
      ),
    triggers: z.array(triggerSchema).default([]).describe('what starts runs besides a manual launch'),
    tables: z
      .record(z.string(), tableSchema)
      .optional()
      .describe('tables steps write rows to, by name: { columns: { name: type } }'),
    max_active_runs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'runs of this pipeline that may run at once; more wait queued (default: no limit of its own)',
      ),
    pool: z
      .string()
      .min(1)
      .optional()
      .describe("the service's run pool this pipeline's runs take a slot of (`--pool NAME=SIZE`)"),
  })
  .describe('A Sluice pipeline: params, versioned data inputs and steps wired by named values');

/** The raw spec after schema parsing (defaults filled in). */
export type RawPipeline = z.output<typeof pipelineSchema>;
/** The raw spec as written (what the builder accepts). */
export type RawPipelineInput = z.input<typeof pipelineSchema>;
export type RawStepInput = z.input<typeof stepSchema>;
export type RawParamInput = z.input<typeof paramSchema>;
export type RawTopicInput = z.output<typeof topicInputSchema>;

/** Allowed keys at each kind of place, for "unknown key" messages. */
export const ALLOWED_KEYS = {
  pipeline: Object.keys(pipelineSchema.shape),
  param: Object.keys(paramSchema.shape),
  input: Object.keys(repoInputSchema.shape),
  topicInput: Object.keys(topicInputSchema.shape),
  combinedInput: [...COMBINATORS, 'description'],
  step: Object.keys(stepSchema.shape),
  run: ['module', 'export', 'command', 'env'],
  trigger: ['commit', 'cron', 'tz', 'catchup', 'after', 'topic'],
  table: Object.keys(tableSchema.shape),
};

/** The JSON Schema of the spec, for editors (`# yaml-language-server: $schema=...`). */
export function pipelineJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(pipelineSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...schema,
    $id: 'https://sluice.dev/schema/pipeline.schema.json',
    title: 'Sluice pipeline',
  };
}
