/**
 * Runs the zod schema over a raw spec and turns its issues into located problems whose
 * messages say where, what was found and what is allowed. When the schema fails, it also
 * salvages the names and edges it can, so the graph checks still run and every problem is
 * reported at once.
 */
import type { z } from 'zod';
import type { Problems } from './problems.js';
import { inputLabel, inputPlaceLength } from './data-inputs.js';
import {
  ALLOWED_KEYS,
  COMBINATORS,
  combinedInputBranches,
  commandRunSchema,
  moduleRunSchema,
  pipelineSchema,
  repoInputSchema,
  runSchema,
  topicInputSchema,
  triggerBranches,
  type RawPipeline,
} from './schema.js';

type Path = (string | number)[];

const DURATION_KEYS = new Set(['timeout', 'retry_delay', 'retry_max_delay']);
const INTEGER_MINIMUM: Record<string, number> = { parallelism: 1, retries: 0 };

/** How a found value reads in a message: `"four"`, `12`, `a list`, `a mapping`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(raw: unknown, path: Path): unknown {
  let value = raw;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

/** "step 'train'" / "param 'x'" / "trigger 2" / "the pipeline" for a path. */
function where(path: Path): string {
  const [section, name] = path;
  if (section === 'steps' && name !== undefined) return `step '${name}'`;
  if (section === 'params' && name !== undefined) return `param '${name}'`;
  if (section === 'inputs' && name !== undefined) return inputLabel(path);
  if (section === 'triggers' && name !== undefined) return `trigger ${Number(name) + 1}`;
  if (section === 'tables' && name !== undefined) return `table '${name}'`;
  return 'the pipeline';
}

/** The combinator key a data input value uses, if any. */
function combinatorIn(found: unknown): (typeof COMBINATORS)[number] | undefined {
  return isRecord(found) ? COMBINATORS.find((kind) => kind in found) : undefined;
}

/** Whether `path` is the place of a data input or of a member of one. */
function isInputPlace(path: Path): boolean {
  return path[0] === 'inputs' && path.length >= 2 && inputPlaceLength(path) === path.length;
}

function allowedKeysFor(path: Path, found: unknown): string[] {
  const [section] = path;
  if (path.length === 0) return ALLOWED_KEYS.pipeline;
  if (section === 'params' && path.length === 2) return ALLOWED_KEYS.param;
  if (isInputPlace(path)) {
    if (path.length === 2 && isRecord(found) && 'topic' in found) return ALLOWED_KEYS.topicInput;
    return combinatorIn(found) ? ALLOWED_KEYS.combinedInput : ALLOWED_KEYS.input;
  }
  if (section === 'steps' && path.length === 2) return ALLOWED_KEYS.step;
  if (section === 'steps' && path[2] === 'run' && path.length === 3) return ALLOWED_KEYS.run;
  if (section === 'triggers' && path.length === 2) return ALLOWED_KEYS.trigger;
  if (section === 'tables' && path.length === 2) return ALLOWED_KEYS.table;
  return [];
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  expected?: string;
  minimum?: number | bigint;
  origin?: string;
  values?: unknown[];
}

/** For a union-typed place, the branch the value was meant for (by its keys). */
function branchFor(path: Path, found: unknown): z.ZodType | undefined {
  if (!isRecord(found)) return undefined;
  if (path[0] === 'steps' && path.length === 3 && path[2] === 'run') {
    if ('command' in found) return commandRunSchema;
    if ('module' in found) return moduleRunSchema;
  }
  if (path[0] === 'triggers' && path.length === 2) {
    for (const [key, schema] of Object.entries(triggerBranches)) if (key in found) return schema;
  }
  if (isInputPlace(path)) {
    if (path.length === 2 && 'topic' in found) return topicInputSchema;
    const kind = combinatorIn(found);
    return kind ? combinedInputBranches[kind] : repoInputSchema;
  }
  return undefined;
}

function report(issues: ZodIssueLike[], raw: unknown, base: Path, problems: Problems): void {
  for (const issue of issues) {
    const path = [...base, ...issue.path.filter((part): part is string | number => typeof part !== 'symbol')];
    const found = valueAt(raw, path);
    const subject = where(path);
    const last = path.at(-1);
    const rest =
      path[0] === 'inputs' && path.length >= 2
        ? path.slice(inputPlaceLength(path))
        : path.length >= 2 && path[0] !== 'outputs'
          ? path.slice(2)
          : path;
    const field = rest.length > 0 ? `'${rest.join('.')}'` : 'the value';
    const missing = found === undefined && issue.code !== 'unrecognized_keys';
    if (missing) {
      problems.at(path.slice(0, -1), 'SPEC_REQUIRED', `${subject}: missing required key '${String(last)}'`);
      continue;
    }
    if (typeof last === 'string' && path[0] === 'steps' && path.length === 3 && DURATION_KEYS.has(last)) {
      problems.at(
        path,
        'SPEC_TYPE',
        `${subject}: ${field} expected a duration like 500ms, 1.5s, 2m, 1h or a number of seconds, found ${describeValue(found)}`,
      );
      continue;
    }
    const minimum =
      typeof last === 'string' && path[0] === 'steps' && path.length === 3
        ? INTEGER_MINIMUM[last]
        : undefined;
    if (minimum !== undefined) {
      problems.at(
        path,
        'SPEC_TYPE',
        `${subject}: ${field} expected integer >= ${minimum}, found ${describeValue(found)}`,
      );
      continue;
    }
    if (path.length === 1 && path[0] === 'name' && issue.code === 'invalid_format') {
      problems.at(
        path,
        'SPEC_TYPE',
        `pipeline name ${describeValue(found)} is not valid: use lowercase letters, digits, '-' or '_', starting with a letter`,
      );
      continue;
    }
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys ?? []) {
          problems.atKey(
            [...path, key],
            'SPEC_UNKNOWN_KEY',
            `${subject}: unknown key '${key}'; allowed: ${allowedKeysFor(path, found).join(', ')}`,
          );
        }
        break;
      case 'invalid_type':
        problems.at(
          path,
          'SPEC_TYPE',
          `${subject}: ${field} expected ${issue.expected ?? 'another type'}, found ${describeValue(found)}`,
        );
        break;
      case 'invalid_union': {
        const branch = branchFor(path, found);
        const parsed = branch?.safeParse(found);
        if (parsed && !parsed.success) {
          report(parsed.error.issues as ZodIssueLike[], raw, path, problems);
        } else if (last === 'run') {
          problems.at(
            path,
            'SPEC_TYPE',
            `${subject}: 'run' expected a module path, { module, export } or { command: [program, ...args], env }, found ${describeValue(found)}`,
          );
        } else if (path[0] === 'inputs') {
          problems.at(
            path,
            'SPEC_TYPE',
            `${subject}: expected { repo, glob, branch } or { cross | union | join | group: { member: input } }, found ${describeValue(found)}`,
          );
        } else {
          problems.at(
            path,
            'SPEC_TYPE',
            `${subject}: expected one of { commit: repo }, { cron: expression, tz }, { after: pipeline }, found ${describeValue(found)}`,
          );
        }
        break;
      }
      case 'too_small':
        problems.at(
          path,
          'SPEC_TYPE',
          `${subject}: ${field} expected ${issue.origin === 'array' ? `at least ${String(issue.minimum)} item(s)` : issue.origin === 'string' ? 'a non-empty string' : `a number >= ${String(issue.minimum)}`}, found ${describeValue(found)}`,
        );
        break;
      case 'invalid_value':
        problems.at(
          path,
          'SPEC_TYPE',
          `${subject}: ${field} must be one of ${(issue.values ?? []).join(', ')}, found ${describeValue(found)}`,
        );
        break;
      default:
        problems.at(
          path,
          'SPEC_TYPE',
          `${subject}: ${field} ${issue.message.replace(/^Invalid input: /, '')}, found ${describeValue(found)}`,
        );
    }
  }
}

function strings(value: unknown): string[] | undefined {
  if (value === undefined) return [];
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return {};
  return isRecord(value) ? value : undefined;
}

/**
 * The names and edges of a spec that failed the schema, when they are well-formed enough
 * for the graph checks (each step's `inputs`/`outputs` a list of names); else `undefined`.
 * Steps whose `run` is malformed get none, so their files are not checked.
 */
function salvage(raw: Record<string, unknown>): RawPipeline | undefined {
  const params = record(raw.params);
  const inputs = record(raw.inputs);
  const steps = record(raw.steps);
  const outputs = raw.outputs === undefined ? undefined : strings(raw.outputs);
  if (!params || !inputs || !steps || (raw.outputs !== undefined && !outputs)) return undefined;
  const salvaged: RawPipeline = {
    name: typeof raw.name === 'string' ? raw.name : '',
    params: Object.fromEntries(Object.keys(params).map((name) => [name, { type: 'string' as const }])),
    inputs: Object.fromEntries(
      Object.keys(inputs).map((name) => [name, { repo: '', glob: '/*', branch: 'main' }]),
    ),
    steps: {},
    ...(outputs ? { outputs } : {}),
    triggers: [],
  };
  for (const [name, step] of Object.entries(steps)) {
    if (!isRecord(step)) return undefined;
    const stepInputs = strings(step.inputs);
    const stepOutputs = strings(step.outputs);
    if (!stepInputs || !stepOutputs) return undefined;
    const run = runSchema.safeParse(step.run);
    salvaged.steps[name] = {
      run: (run.success ? run.data : undefined) as RawPipeline['steps'][string]['run'],
      inputs: stepInputs,
      outputs: stepOutputs,
      parallelism: 1,
      retries: 0,
      cache: true,
    };
  }
  return salvaged;
}

/** The outcome of the schema: the parsed spec, or a salvaged one for the graph checks. */
export interface SchemaCheck {
  spec?: RawPipeline;
  salvaged?: RawPipeline;
}

/** Checks `raw` against the schema, adding a problem for each issue. */
export function checkSchema(raw: unknown, problems: Problems): SchemaCheck {
  if (!isRecord(raw)) {
    problems.at(
      [],
      'SPEC_TYPE',
      `a pipeline spec must be a mapping with name and steps; found ${describeValue(raw)}`,
    );
    return {};
  }
  const parsed = pipelineSchema.safeParse(raw);
  if (parsed.success) return { spec: parsed.data };
  report(parsed.error.issues as ZodIssueLike[], raw, [], problems);
  const salvaged = salvage(raw);
  return salvaged ? { salvaged } : {};
}
