/**
 * Compiles a raw spec into the {@link Pipeline} model, reporting every problem at once:
 * schema (unknown keys, types), names, the graph (missing inputs, cycles, unreachable
 * outputs, per-datum rules), and referenced files. Both the YAML loader and the builder
 * come through here, so both give the same model and the same messages.
 */
import type { SpecProblem } from '../core/index.js';
import { parseDuration } from './duration.js';
import { resolve } from 'node:path';
import { checkStepFiles, findModule } from './files.js';
import type {
  DataInputSpec,
  ParamSpec,
  Pipeline,
  StepSpec,
  TopicInputSpec,
  TriggerSpec,
  ValueSpec,
} from './model.js';
import { checkSchema } from './schema-problems.js';
import type { RawPipeline } from './schema.js';
import type { Locator } from './yaml.js';
import { Problems, sortProblems } from './problems.js';
import { analyseGraph } from './graph.js';
import { checkDataInputs, compileDataInput } from './data-inputs.js';
import { checkTopicUse, compileTopicInput } from './topic-inputs.js';
import { checkTriggers } from './triggers.js';
import { checkTables, compileTables } from './tables.js';
import { parseModelRef } from './model-ref.js';

/** The outcome of checking a spec. `pipeline` is set exactly when there are no problems. */
export interface ValidationReport {
  file: string;
  valid: boolean;
  pipeline?: Pipeline;
  problems: SpecProblem[];
  /** Steps removed because they cannot contribute to the desired outputs. */
  pruned: string[];
  /** The desired outputs, as far as they could be determined (extension). */
  outputs?: string[];
}

/** Options of {@link compileRaw}. */
export interface CompileOptions {
  file: string;
  dir: string;
  /** Absolute path of the spec file, `undefined` for a pipeline built in code. */
  specFile: string | undefined;
  locator: Locator;
  /** Check that modules and programs exist (default true). */
  checkFiles?: boolean;
}

const VALUE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

type Path = (string | number)[];

/** Parses `name` or `name[]`. */
function parseRef(ref: string): { name: string; many: boolean } {
  return ref.endsWith('[]') ? { name: ref.slice(0, -2), many: true } : { name: ref, many: false };
}

const PARAM_CHECKS: Record<RawPipeline['params'][string]['type'], (value: unknown) => boolean> = {
  string: (value) => typeof value === 'string',
  number: (value) => typeof value === 'number' && Number.isFinite(value),
  integer: (value) => typeof value === 'number' && Number.isSafeInteger(value),
  boolean: (value) => typeof value === 'boolean',
  json: () => true,
  model: (value) => typeof value === 'string' && !('error' in parseModelRef(value)),
};

/** A param's default must have its type and be one of its `enum` values. */
function checkParamDefaults(spec: RawPipeline, problems: Problems): void {
  for (const [name, param] of Object.entries(spec.params)) {
    if (param.default === undefined) continue;
    const found = JSON.stringify(param.default);
    if (!PARAM_CHECKS[param.type](param.default)) {
      const parsed =
        param.type === 'model' && typeof param.default === 'string'
          ? parseModelRef(param.default)
          : undefined;
      problems.at(
        ['params', name, 'default'],
        'SPEC_TYPE',
        parsed && 'error' in parsed
          ? `param '${name}': 'default' ${parsed.error}`
          : `param '${name}': 'default' expected ${param.type === 'model' ? 'a model reference NAME, NAME@ALIAS or NAME:VERSION' : param.type}, found ${found}`,
      );
    } else if (param.enum && !param.enum.some((item) => JSON.stringify(item) === found)) {
      problems.at(
        ['params', name, 'default'],
        'SPEC_TYPE',
        `param '${name}': 'default' ${found} is not one of its enum values ${param.enum.map((item) => JSON.stringify(item)).join(', ')}`,
      );
    }
  }
}

/** Compiles a raw spec; never throws for bad input. */
export function compileRaw(raw: unknown, options: CompileOptions): ValidationReport {
  const problems = new Problems(options.locator);
  const { spec: parsed, salvaged } = checkSchema(raw, problems);
  const fail = (): ValidationReport => ({
    file: options.file,
    valid: false,
    problems: sortProblems(problems.list),
    pruned: [],
  });
  // NOTE: a spec that failed the schema still goes through the graph checks when its names
  // and edges could be salvaged, so that every problem is reported in one go.
  const spec = parsed ?? salvaged;
  if (!spec) return fail();

  if (Object.keys(spec.steps).length === 0)
    problems.at(['steps'], 'SPEC_REQUIRED', 'the pipeline has no steps; expected at least one');
  checkParamDefaults(spec, problems);
  checkDataInputs(raw, problems);
  checkTriggers(spec, problems);
  checkTables(spec, problems);
  checkTopicUse(spec, problems);

  // Names: params, data inputs and step outputs share one namespace.
  const values = new Map<string, ValueSpec & { path: Path }>();
  const define = (name: string, value: ValueSpec, path: Path, what: string): void => {
    if (!VALUE_NAME.test(name)) {
      problems.at(
        path,
        'SPEC_TYPE',
        `${what} '${name}' is not a valid name: use letters, digits, '_' and '-'`,
      );
    }
    const previous = values.get(name);
    if (previous) {
      const first =
        previous.kind === 'step'
          ? `an output of step '${previous.producer}'`
          : `a ${previous.kind === 'param' ? 'param' : 'data input'}`;
      problems.at(
        path,
        'SPEC_DUPLICATE_NAME',
        `${what} '${name}' is already defined as ${first}; names must be unique`,
      );
      return;
    }
    values.set(name, { ...value, path });
  };
  for (const name of Object.keys(spec.params))
    define(name, { name, producer: 'param', kind: 'param', origin: null }, ['params', name], 'param');
  for (const name of Object.keys(spec.inputs))
    define(name, { name, producer: 'input', kind: 'input', origin: name }, ['inputs', name], 'data input');
  for (const [stepName, step] of Object.entries(spec.steps)) {
    if (!VALUE_NAME.test(stepName)) {
      problems.atKey(
        ['steps', stepName],
        'SPEC_TYPE',
        `step name '${stepName}' is not valid: use letters, digits, '_' and '-'`,
      );
    }
    step.outputs.forEach((ref, index) => {
      const { name } = parseRef(ref);
      define(
        name,
        { name, producer: stepName, kind: 'step', origin: null },
        ['steps', stepName, 'outputs', index],
        `step '${stepName}': output`,
      );
    });
  }

  const graph = analyseGraph(spec, values, problems);
  if (options.checkFiles !== false) {
    for (const [stepName, step] of Object.entries(spec.steps))
      checkStepFiles(stepName, step.run, options.dir, problems);
  }
  for (const [stepName, step] of Object.entries(spec.steps)) {
    for (const key of ['timeout', 'retry_delay', 'retry_max_delay'] as const) {
      const value = step[key];
      if (value !== undefined) {
        try {
          if (key === 'timeout' && parseDuration(value) === 0) {
            problems.at(
              ['steps', stepName, key],
              'SPEC_TYPE',
              `step '${stepName}': 'timeout' must be longer than 0 (leave it out for no timeout)`,
            );
          }
        } catch (error) {
          problems.at(
            ['steps', stepName, key],
            'SPEC_TYPE',
            `step '${stepName}': '${key}' ${(error as Error).message}`,
          );
        }
      }
    }
  }
  if (problems.list.length > 0 || !parsed) return { ...fail(), pruned: graph.pruned, outputs: graph.desired };

  const params: Record<string, ParamSpec> = {};
  for (const [name, param] of Object.entries(spec.params)) {
    params[name] = {
      name,
      type: param.type,
      ...(param.default !== undefined ? { default: param.default } : {}),
      ...(param.description !== undefined ? { description: param.description } : {}),
      ...(param.enum !== undefined ? { enum: param.enum } : {}),
    };
  }
  const inputs: Record<string, DataInputSpec> = {};
  const streams: Record<string, TopicInputSpec> = {};
  for (const [name, input] of Object.entries(spec.inputs)) {
    if ('topic' in input) streams[name] = compileTopicInput(spec.name, name, input);
    else inputs[name] = compileDataInput(name, input);
  }
  const steps: Record<string, StepSpec> = {};
  for (const stepName of graph.order) {
    const step = spec.steps[stepName];
    if (!step) continue;
    const run: StepSpec['run'] =
      typeof step.run === 'string'
        ? { kind: 'ts', module: resolveModule(options.dir, step.run), export: 'default' }
        : 'command' in step.run
          ? { kind: 'command', command: step.run.command, env: step.run.env ?? {} }
          : {
              kind: 'ts',
              module: resolveModule(options.dir, step.run.module),
              export: step.run.export ?? 'default',
            };
    steps[stepName] = {
      name: stepName,
      run,
      inputs: step.inputs.map((ref) => {
        const { name, many } = parseRef(ref);
        return { name, gather: many };
      }),
      outputs: step.outputs.map((ref) => {
        const { name, many } = parseRef(ref);
        return { name, scatter: many };
      }),
      parallelism: step.parallelism,
      retries: step.retries,
      retryDelayMs: step.retry_delay === undefined ? 1000 : parseDuration(step.retry_delay),
      retryMaxDelayMs: step.retry_max_delay === undefined ? 60_000 : parseDuration(step.retry_max_delay),
      timeoutMs: step.timeout === undefined ? undefined : parseDuration(step.timeout),
      cache: step.cache,
      ...(step.description !== undefined ? { description: step.description } : {}),
      tables: step.tables ?? [],
      topics: step.topics ?? [],
      publish: step.publish ?? {},
    };
  }
  const kept = new Set(graph.order);
  const modelValues: Record<string, ValueSpec> = {};
  for (const [name, value] of values) {
    if (value.kind === 'step' && !kept.has(value.producer)) continue;
    modelValues[name] = {
      name,
      producer: value.producer,
      kind: value.kind,
      origin: graph.origins.get(name) ?? value.origin,
    };
  }
  const triggers: TriggerSpec[] = spec.triggers.map((trigger) =>
    'commit' in trigger
      ? { kind: 'commit', repo: trigger.commit }
      : 'cron' in trigger
        ? {
            kind: 'cron',
            cron: trigger.cron,
            ...(trigger.tz !== undefined ? { tz: trigger.tz } : {}),
            catchup: trigger.catchup ?? 'latest',
          }
        : 'topic' in trigger
          ? { kind: 'topic', topic: trigger.topic }
          : { kind: 'after', pipelines: typeof trigger.after === 'string' ? [trigger.after] : trigger.after },
  );
  const pipeline: Pipeline = {
    name: spec.name,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    file: options.specFile,
    dir: options.dir,
    params,
    inputs,
    streams,
    values: modelValues,
    steps,
    outputs: graph.desired,
    pruned: graph.pruned,
    triggers,
    tables: compileTables(spec),
    concurrency: {
      ...(spec.max_active_runs !== undefined ? { maxActiveRuns: spec.max_active_runs } : {}),
      ...(spec.pool !== undefined ? { pool: spec.pool } : {}),
    },
  };
  return {
    file: options.file,
    valid: true,
    pipeline,
    problems: [],
    pruned: graph.pruned,
    outputs: graph.desired,
  };
}

function resolveModule(dir: string, module: string): string {
  return findModule(dir, module) ?? resolve(dir, module);
}
