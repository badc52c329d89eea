/**
 * What the web UI shows of a registered pipeline beyond its stored record: the compiled
 * spec (params with types and defaults for the launch form, steps wired by their values for
 * the DAG, data inputs, triggers) and the spec file's text. Registered pipelines run from
 * their spec file, so that file is what is described; a file that no longer loads is
 * reported as problems. Loads are cached by the file's size and modification time.
 */
import { readFile, stat } from 'node:fs/promises';
import { relative, isAbsolute } from 'node:path';
import { z } from '@hono/zod-openapi';
import { repoLeaves } from '../../../data/index.js';
import { loadPipelineFile, type Pipeline, type StepRun, type TriggerSpec } from '../../../spec/index.js';

const ParamDefinitionSchema = z
  .object({
    name: z.string(),
    type: z.enum(['string', 'number', 'integer', 'boolean', 'json', 'model']),
    required: z.boolean().openapi({ description: 'no default: a launch must give a value' }),
    default: z.unknown().optional(),
    description: z.string().nullable(),
    enum: z.array(z.unknown()).nullable().openapi({ description: 'the allowed values, if restricted' }),
  })
  .openapi('PipelineParam');

const DataInputDefinitionSchema = z
  .object({
    name: z.string(),
    kind: z.enum(['repo', 'cross', 'union', 'join', 'group', 'topic']),
    repos: z.array(z.object({ member: z.string(), repo: z.string(), branch: z.string(), glob: z.string() })),
    topic: z.string().optional().openapi({ description: 'a stream input: the topic it consumes' }),
    group: z.string().optional().openapi({ description: 'a stream input: its consumer group' }),
  })
  .openapi('PipelineDataInput');

const StepDefinitionSchema = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    runtime: z.enum(['ts', 'command']),
    run: z.string().openapi({ description: 'the module (relative to the spec) or the command line' }),
    inputs: z.array(
      z.object({
        name: z.string(),
        gather: z.boolean(),
        kind: z.enum(['param', 'input', 'step']),
        producer: z.string().openapi({ description: "'param', 'input', or the step that outputs it" }),
      }),
    ),
    outputs: z.array(z.object({ name: z.string(), scatter: z.boolean() })),
    parallelism: z.number(),
    retries: z.number(),
    timeoutMs: z.number().nullable(),
    cache: z.boolean(),
  })
  .openapi('PipelineStep');

/** A declared trigger (commit, cron, after or topic). */
export const TriggerDefinitionSchema = z
  .object({
    kind: z.enum(['commit', 'cron', 'after', 'topic']),
    topic: z.string().optional(),
    repo: z.string().optional(),
    cron: z.string().optional(),
    tz: z.string().optional(),
    catchup: z.string().optional(),
    pipelines: z.array(z.string()).optional(),
  })
  .openapi('PipelineTrigger');

/** The compiled spec as the UI needs it. */
export const PipelineDefinitionSchema = z
  .object({
    description: z.string().nullable(),
    params: z.array(ParamDefinitionSchema),
    inputs: z.array(DataInputDefinitionSchema),
    steps: z.array(StepDefinitionSchema).openapi({ description: 'in a topological order' }),
    outputs: z.array(z.string()),
    pruned: z.array(z.string()),
    triggers: z.array(TriggerDefinitionSchema),
    maxActiveRuns: z.number().nullable(),
    pool: z.string().nullable(),
  })
  .openapi('PipelineDefinition');

/** A pipeline's definition, the spec file's text, and why either is missing. */
export interface Described {
  definition: z.infer<typeof PipelineDefinitionSchema> | null;
  source: string | null;
  problems: string[];
}

function runText(run: StepRun, dir: string): string {
  const local = (path: string) => (isAbsolute(path) && path.startsWith(dir) ? relative(dir, path) : path);
  if (run.kind === 'ts')
    return run.export === 'default' ? local(run.module) : `${local(run.module)}#${run.export}`;
  return run.command.map(local).join(' ');
}

function describeTrigger(trigger: TriggerSpec): z.infer<typeof TriggerDefinitionSchema> {
  switch (trigger.kind) {
    case 'commit':
      return { kind: 'commit', repo: trigger.repo };
    case 'cron':
      return {
        kind: 'cron',
        cron: trigger.cron,
        catchup: trigger.catchup,
        ...(trigger.tz ? { tz: trigger.tz } : {}),
      };
    case 'after':
      return { kind: 'after', pipelines: trigger.pipelines };
    case 'topic':
      return { kind: 'topic', topic: trigger.topic };
    default: {
      const never: never = trigger;
      throw new Error(`unknown trigger ${JSON.stringify(never)}`);
    }
  }
}

/** The UI's view of a compiled pipeline. */
export function describePipeline(pipeline: Pipeline): z.infer<typeof PipelineDefinitionSchema> {
  return {
    description: pipeline.description ?? null,
    params: Object.values(pipeline.params).map((param) => ({
      name: param.name,
      type: param.type,
      required: !('default' in param),
      ...('default' in param ? { default: param.default } : {}),
      description: param.description ?? null,
      enum: param.enum ?? null,
    })),
    inputs: [
      ...Object.values(pipeline.inputs).map((input) => ({
        name: input.name,
        kind: input.kind,
        repos: repoLeaves(input).map((leaf) => ({
          member: leaf.name,
          repo: leaf.repo,
          branch: leaf.branch,
          glob: leaf.glob,
        })),
      })),
      ...Object.values(pipeline.streams).map((input) => ({
        name: input.name,
        kind: 'topic' as const,
        repos: [],
        topic: input.topic,
        group: input.group,
      })),
    ],
    steps: Object.values(pipeline.steps).map((step) => ({
      name: step.name,
      description: step.description ?? null,
      runtime: step.run.kind,
      run: runText(step.run, pipeline.dir),
      inputs: step.inputs.map((input) => {
        const value = pipeline.values[input.name];
        return {
          name: input.name,
          gather: input.gather,
          kind: value?.kind ?? 'param',
          producer: value?.producer ?? 'param',
        };
      }),
      outputs: step.outputs.map((output) => ({ name: output.name, scatter: output.scatter })),
      parallelism: step.parallelism,
      retries: step.retries,
      timeoutMs: step.timeoutMs ?? null,
      cache: step.cache,
    })),
    outputs: pipeline.outputs,
    pruned: pipeline.pruned,
    triggers: pipeline.triggers.map(describeTrigger),
    maxActiveRuns: pipeline.concurrency.maxActiveRuns ?? null,
    pool: pipeline.concurrency.pool ?? null,
  };
}

const MAX_SOURCE = 1024 * 1024;
const MAX_CACHED = 500;

/** Describes spec files, reloading one only when its size or modification time changed. */
export function createDescriber(): (specFile: string | null) => Promise<Described> {
  const cache = new Map<string, { stamp: string; described: Described }>();
  return async (specFile) => {
    if (specFile === null)
      return { definition: null, source: null, problems: ['the pipeline was registered from code'] };
    let stamp: string;
    let size: number;
    try {
      const info = await stat(specFile);
      size = info.size;
      stamp = `${info.size}:${info.mtimeMs}`;
    } catch {
      return { definition: null, source: null, problems: [`spec file ${specFile} does not exist`] };
    }
    const hit = cache.get(specFile);
    if (hit?.stamp === stamp) return hit.described;
    const report = await loadPipelineFile(specFile, { checkFiles: false });
    const source = size <= MAX_SOURCE ? await readFile(specFile, 'utf8').catch(() => null) : null;
    const described: Described = {
      definition: report.pipeline ? describePipeline(report.pipeline) : null,
      source,
      problems: report.problems.map((problem) => `${problem.line}:${problem.column} ${problem.message}`),
    };
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(specFile, { stamp, described });
    return described;
  };
}
