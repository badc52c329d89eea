/**
 * Data inputs: the checks a schema cannot make (repo and member names, globs, join and
 * group templates, member counts) and the compiled {@link DataInputSpec} model.
 *
 * An input is a repo (`{ repo, glob, branch }`) or a combinator key (`cross`, `union`,
 * `join`, `group`) mapping member names to inputs, nested at will. A member's name is its
 * folder inside the datum, so repo members need unique names within one input.
 */
// NOTE: a deep import, as glob.ts depends on core only; data/index.ts pulls in the store.
import { compileGlob, templateGroups, type CompiledGlob } from '../data/glob.js';
import { SluiceError } from '../core/index.js';
import type { DataInputSpec } from './model.js';
import type { Problems } from './problems.js';
import {
  COMBINATORS,
  MEMBER_NAME,
  REPO_NAME,
  REPO_NAME_MAX,
  dataInputSchema,
  type RawCombinedInput,
  type RawDataInput,
} from './schema.js';

type Path = (string | number)[];
type Combinator = (typeof COMBINATORS)[number];

const COMBINATOR_SET = new Set<unknown>(COMBINATORS);
const MINIMUM_MEMBERS: Record<Combinator, number> = { cross: 2, union: 2, join: 2, group: 1 };

/** The combinator key of a combined input (the schema allows exactly one). */
export function combinatorOf(input: RawCombinedInput): Combinator {
  for (const kind of COMBINATORS) if (input[kind] !== undefined) return kind;
  throw new SluiceError('INTERNAL', 'a combined input without a combinator key passed the schema');
}

/**
 * How many leading parts of `path` name the data input (or member) it is in:
 * `['inputs', 'pairs', 'cross', 'images', 'glob']` gives 4. `undefined` outside `inputs`.
 */
export function inputPlaceLength(path: Path): number | undefined {
  if (path[0] !== 'inputs' || path.length < 2) return undefined;
  let length = 2;
  while (COMBINATOR_SET.has(path[length]) && path[length + 1] !== undefined) length += 2;
  return length;
}

/** "data input 'pairs'" or "data input 'pairs' member 'more.images'" for a path. */
export function inputLabel(path: Path): string {
  const length = inputPlaceLength(path) ?? 2;
  const members: string[] = [];
  for (let index = 3; index < length; index += 2) members.push(String(path[index]));
  const member = members.length > 0 ? ` member '${members.join('.')}'` : '';
  return `data input '${String(path[1])}'${member}`;
}

function describeGroups(glob: CompiledGlob): string {
  return `the glob '${glob.pattern}' has ${glob.groups === 0 ? 'no' : glob.groups} capture group${glob.groups === 1 ? '' : 's'}`;
}

interface Context {
  /** The combinator the input is a member of, if any. */
  parent: Combinator | undefined;
  /** Repo leaf names already seen in this input, for duplicates. */
  leaves: Set<string>;
}

function checkTemplate(
  key: 'join_on' | 'group_by',
  template: string,
  glob: CompiledGlob | undefined,
  path: Path,
  problems: Problems,
): void {
  const subject = inputLabel(path);
  const refs = templateGroups(template);
  if (refs.length === 0) {
    problems.at(
      [...path, key],
      'SPEC_TYPE',
      `${subject}: '${key}' ${JSON.stringify(template)} refers to no capture; expected a template of glob captures like '$1' or '$1-$2'`,
    );
    return;
  }
  if (!glob) return;
  for (const ref of refs) {
    if (ref < 1 || ref > glob.groups) {
      problems.at(
        [...path, key],
        'SPEC_TYPE',
        `${subject}: '${key}' refers to $${ref}, but ${describeGroups(glob)}; add '(...)' around the part to capture`,
      );
      return;
    }
  }
}

function checkRepoInput(
  name: string,
  input: Extract<RawDataInput, { repo: string }>,
  path: Path,
  context: Context,
  problems: Problems,
): void {
  const subject = inputLabel(path);
  if (!REPO_NAME.test(input.repo) || input.repo.length > REPO_NAME_MAX) {
    problems.at(
      [...path, 'repo'],
      'SPEC_TYPE',
      `${subject}: repo ${JSON.stringify(input.repo)} is not a valid repo name; expected lowercase letters, digits, '_', '.' and '-', starting with a letter or digit, at most ${REPO_NAME_MAX} characters`,
    );
  }
  let glob: CompiledGlob | undefined;
  try {
    glob = compileGlob(input.glob);
  } catch (error) {
    problems.at([...path, 'glob'], 'INVALID_GLOB', `${subject}: ${(error as Error).message}`);
  }
  const { parent } = context;
  const rules = [
    { key: 'join_on', value: input.join_on, needed: 'join' },
    { key: 'group_by', value: input.group_by, needed: 'group' },
  ] as const;
  for (const { key, value, needed } of rules) {
    if (value !== undefined && parent !== needed) {
      problems.at(
        [...path, key],
        'SPEC_TYPE',
        `${subject}: '${key}' only applies to a member of a '${needed}'; remove it or put the input in a ${needed}`,
      );
    } else if (value !== undefined) {
      checkTemplate(key, value, glob, path, problems);
    } else if (parent === needed) {
      problems.at(
        path,
        'SPEC_REQUIRED',
        `${subject}: a ${needed} member needs '${key}', a template of its glob captures like '$1'`,
      );
    }
  }
  if (input.outer_join !== undefined && parent !== 'join') {
    problems.at(
      [...path, 'outer_join'],
      'SPEC_TYPE',
      `${subject}: 'outer_join' only applies to a member of a 'join'`,
    );
  }
  if (context.leaves.has(name)) {
    problems.atKey(
      path,
      'SPEC_DUPLICATE_NAME',
      `${subject}: the name '${name}' is used by another repo member of this input; repo members need unique names (they name the datum's files)`,
    );
  }
  context.leaves.add(name);
}

function checkInput(
  name: string,
  input: RawDataInput,
  path: Path,
  context: Context,
  problems: Problems,
): void {
  if ('repo' in input) {
    checkRepoInput(name, input, path, context, problems);
    return;
  }
  const kind = combinatorOf(input);
  const members = input[kind] ?? {};
  const subject = inputLabel(path);
  if (context.parent === 'join' || context.parent === 'group') {
    problems.at(
      path,
      'SPEC_TYPE',
      `${subject}: a ${context.parent} member must be a repo input with '${context.parent === 'join' ? 'join_on' : 'group_by'}', found a ${kind}`,
    );
  }
  const count = Object.keys(members).length;
  const minimum = MINIMUM_MEMBERS[kind];
  if (count < minimum) {
    problems.at(
      [...path, kind],
      'SPEC_TYPE',
      `${subject}: a ${kind} needs at least ${minimum} member${minimum === 1 ? '' : 's'}, found ${count}`,
    );
  }
  for (const [memberName, member] of Object.entries(members)) {
    const memberPath = [...path, kind, memberName];
    if (!MEMBER_NAME.test(memberName)) {
      problems.atKey(
        memberPath,
        'SPEC_TYPE',
        `${subject}: member name '${memberName}' is not valid (it names a folder); use lowercase letters, digits, '_' and '-'`,
      );
    }
    checkInput(memberName, member, memberPath, { parent: kind, leaves: context.leaves }, problems);
  }
}

/**
 * Checks every data input of a raw spec that passes the schema (the others are reported
 * by the schema checks), so these problems come even when other parts of the spec fail.
 */
export function checkDataInputs(raw: unknown, problems: Problems): void {
  if (typeof raw !== 'object' || raw === null) return;
  const inputs = (raw as { inputs?: unknown }).inputs;
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) return;
  for (const [name, value] of Object.entries(inputs as Record<string, unknown>)) {
    const parsed = dataInputSchema.safeParse(value);
    if (parsed.success) {
      checkInput(name, parsed.data, ['inputs', name], { parent: undefined, leaves: new Set() }, problems);
    }
  }
}

/** The model of a checked data input; `name` is its input or member name. */
export function compileDataInput(name: string, input: RawDataInput): DataInputSpec {
  if ('repo' in input) {
    return {
      kind: 'repo',
      name,
      repo: input.repo,
      glob: input.glob,
      branch: input.branch,
      ...(input.join_on !== undefined ? { joinOn: input.join_on } : {}),
      ...(input.group_by !== undefined ? { groupBy: input.group_by } : {}),
      outerJoin: input.outer_join ?? false,
    };
  }
  const kind = combinatorOf(input);
  return {
    kind,
    name,
    inputs: Object.entries(input[kind] ?? {}).map(([member, value]) => compileDataInput(member, value)),
  };
}
