/**
 * Splitting versioned-data inputs into datums, with Pachyderm's combinators.
 *
 * A repo input's glob picks datum roots: for each file, the shortest prefix of its path (a
 * folder, or the file itself) that the glob matches. Every file under one root forms one
 * datum; files under no matching prefix belong to none. Combined inputs then mix the
 * members' datums:
 *
 * | kind    | datums                                                                  |
 * |---------|-------------------------------------------------------------------------|
 * | `cross` | one per combination of the members' datums (cartesian product)          |
 * | `union` | every member's datums, each alone                                      |
 * | `join`  | per `join_on` value, the combinations of the members' datums that have it; a value some member lacks yields datums only when a member that has it is `outer_join` (then with the members that have it) |
 * | `group` | one per `group_by` value, holding every member datum with that value    |
 *
 * Datum keys are unique, deterministic and readable:
 * - repo input: the datum root, `/cam1` or `/cam1/f1.jpg` (`/` for a glob of `/`);
 * - a member inside a combined input: `<member>:<its key>`, parenthesised when the member
 *   is itself combined: `b:(x:/1|y:/2)`;
 * - `cross`: the members' keys joined by `|`: `images:/a.jpg|labels:/`;
 * - `union`: the one member's key: `images:/a.jpg`;
 * - `join`: `on=<value>|` then the present members' keys: `on=a|images:/a.jpg|labels:/a.txt`;
 * - inside combined keys, `\`, `|`, `(` and `)` of paths and values are escaped by `\`;
 * - `group`: `by=<value>`.
 */
import { SluiceError } from '../core/index.js';
import type { CombinedInputSpec, DataInputSpec, RepoInputSpec } from '../spec/index.js';
import { compileGlob, expandTemplate } from './glob.js';

/** A file of a repo at a commit. */
export interface RepoFile {
  /** Canonical path, `/a/b.jpg`. */
  path: string;
  hash: string;
  size: number;
}

/** A file of a datum. */
export interface DatumFile extends RepoFile {
  /** The repo leaf input's name. */
  input: string;
}

/** One unit of work: a tuple of input files. */
export interface Datum {
  key: string;
  /** Sorted by input, then path. */
  files: DatumFile[];
}

/** A datum while combining: its key, files, and glob captures (repo inputs only). */
interface Part {
  key: string;
  files: DatumFile[];
  captures: string[];
}

/** The repo inputs of a data input, depth first in spec order (the spec's own objects). */
export function repoLeaves(spec: DataInputSpec): RepoInputSpec[] {
  if (spec.kind === 'repo') return [spec];
  return spec.inputs.flatMap(repoLeaves);
}

/** The datums of one repo input, from all its repo's files (sorted by path). */
function repoParts(leaf: RepoInputSpec, files: RepoFile[]): Part[] {
  const glob = compileGlob(leaf.glob);
  const byRoot = new Map<string, Part>();
  const add = (root: string, captures: string[], file: RepoFile): void => {
    let part = byRoot.get(root);
    if (!part) {
      part = { key: root, files: [], captures };
      byRoot.set(root, part);
    }
    part.files.push({ path: file.path, hash: file.hash, size: file.size, input: leaf.name });
  };
  const rootCaptures = glob.match('/');
  if (rootCaptures) {
    for (const file of files) add('/', rootCaptures, file);
    return [...byRoot.values()];
  }
  // NOTE: folders are shared by many files; each is matched once, so the work is one
  // match per folder and per file, not per file and datum.
  const folders = new Map<string, string[] | null>();
  for (const file of files) {
    let found = false;
    for (let slash = file.path.indexOf('/', 1); slash !== -1; slash = file.path.indexOf('/', slash + 1)) {
      const folder = file.path.slice(0, slash);
      let captures = folders.get(folder);
      if (captures === undefined) {
        captures = glob.match(folder);
        folders.set(folder, captures);
      }
      if (captures) {
        add(folder, captures, file);
        found = true;
        break;
      }
    }
    if (found) continue;
    const captures = glob.match(file.path);
    if (captures) add(file.path, captures, file);
  }
  return [...byRoot.values()];
}

function memberKey(member: DataInputSpec, key: string): string {
  return `${member.name}:${member.kind === 'repo' ? escapeKey(key) : `(${key})`}`;
}

/**
 * A repo path or glob capture inside a combined key, with `\`, `|`, `(` and `)` escaped by
 * `\`: the separators stay unambiguous (a folder named `a.jpg|labels:` cannot make two
 * datums share a key), and keys of ordinary paths are unchanged.
 */
function escapeKey(text: string): string {
  return text.replace(/[\\|()]/g, (char) => `\\${char}`);
}

/** Every combination of one part per list, in order. */
function product(lists: { member: DataInputSpec; parts: Part[] }[], prefix: string): Part[] {
  let combos: { keys: string[]; files: DatumFile[] }[] = [{ keys: [], files: [] }];
  for (const { member, parts } of lists) {
    const next: typeof combos = [];
    for (const combo of combos) {
      for (const part of parts) {
        next.push({
          keys: [...combo.keys, memberKey(member, part.key)],
          files: combo.files.concat(part.files),
        });
      }
    }
    combos = next;
  }
  return combos.map((combo) => ({ key: prefix + combo.keys.join('|'), files: combo.files, captures: [] }));
}

/** The `join_on`/`group_by` template of a join or group member. */
function templateOf(spec: CombinedInputSpec, member: DataInputSpec): string {
  const template =
    member.kind === 'repo' ? (spec.kind === 'join' ? member.joinOn : member.groupBy) : undefined;
  if (template === undefined) {
    const key = spec.kind === 'join' ? 'join_on' : 'group_by';
    throw new SluiceError(
      'SPEC_TYPE',
      `data input '${spec.name}': ${spec.kind} member '${member.name}' must be a repo input with '${key}'`,
    );
  }
  return template;
}

/** Members' parts by their template value, in first-seen order. */
function byValue(spec: CombinedInputSpec, member: DataInputSpec, parts: Part[]): Map<string, Part[]> {
  const template = templateOf(spec, member);
  const map = new Map<string, Part[]>();
  for (const part of parts) {
    const value = expandTemplate(template, part.captures);
    const list = map.get(value);
    if (list) list.push(part);
    else map.set(value, [part]);
  }
  return map;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function combinedParts(spec: CombinedInputSpec, filesOf: (leaf: RepoInputSpec) => RepoFile[]): Part[] {
  const members = spec.inputs.map((member) => ({ member, parts: parts(member, filesOf) }));
  switch (spec.kind) {
    case 'cross':
      return product(members, '');
    case 'union':
      return members.flatMap(({ member, parts: list }) =>
        list.map((part) => ({ key: memberKey(member, part.key), files: part.files, captures: [] })),
      );
    case 'join': {
      const maps = members.map(({ member, parts: list }) => ({ member, map: byValue(spec, member, list) }));
      const values = [...new Set(maps.flatMap(({ map }) => [...map.keys()]))].sort(compareStrings);
      return values.flatMap((value) => {
        const present = maps.filter(({ map }) => map.has(value));
        const complete = present.length === maps.length;
        if (!complete && !present.some(({ member }) => member.kind === 'repo' && member.outerJoin)) return [];
        return product(
          present.map(({ member, map }) => ({ member, parts: map.get(value) ?? [] })),
          `on=${escapeKey(value)}|`,
        );
      });
    }
    case 'group': {
      const groups = new Map<string, DatumFile[]>();
      for (const { member, parts: list } of members) {
        for (const [value, group] of byValue(spec, member, list)) {
          const files = groups.get(value) ?? [];
          for (const part of group) files.push(...part.files);
          groups.set(value, files);
        }
      }
      return [...groups].map(([value, files]) => ({ key: `by=${value}`, files, captures: [] }));
    }
    default: {
      const never: never = spec.kind;
      throw new SluiceError('INTERNAL', `unknown combined input kind ${String(never)}`);
    }
  }
}

function parts(spec: DataInputSpec, filesOf: (leaf: RepoInputSpec) => RepoFile[]): Part[] {
  return spec.kind === 'repo' ? repoParts(spec, filesOf(spec)) : combinedParts(spec, filesOf);
}

function compareFiles(a: DatumFile, b: DatumFile): number {
  return compareStrings(a.input, b.input) || compareStrings(a.path, b.path);
}

function sortFiles(files: DatumFile[]): DatumFile[] {
  for (let index = 1; index < files.length; index += 1) {
    // NOTE: files usually arrive sorted (one leaf, path order); sort only when they do not.
    if (compareFiles(files[index - 1] as DatumFile, files[index] as DatumFile) > 0)
      return files.sort(compareFiles);
  }
  return files;
}

/**
 * Splits a data input into datums, sorted by key (keys are unique; see the module comment
 * for their form).
 *
 * @param filesOf - all files of a repo leaf's repo at the commit being read, sorted by
 *   path; called once per leaf, with the leaf objects of `spec` itself.
 * @throws SluiceError `INVALID_GLOB` for a glob that does not compile (the spec compiler
 *   refuses those first).
 */
export function computeDatums(spec: DataInputSpec, filesOf: (leaf: RepoInputSpec) => RepoFile[]): Datum[] {
  return parts(spec, filesOf)
    .map((part) => ({ key: part.key, files: sortFiles(part.files) }))
    .sort((a, b) => compareStrings(a.key, b.key));
}

/** The folder of each repo leaf in a datum's directory: '' for a plain repo input. */
function leafFolders(spec: DataInputSpec, prefix: string, folders: Map<string, string>): Map<string, string> {
  if (spec.kind === 'repo') folders.set(spec.name, prefix);
  else for (const member of spec.inputs) leafFolders(member, `${prefix}${member.name}/`, folders);
  return folders;
}

/**
 * The files a step sees for a datum: relative path -> hash. A plain repo input lays files
 * at their repo paths (`a/b.jpg`); a combined input puts each member's files under
 * `<member name>/<repo path>` (nested members one folder deeper each).
 *
 * @example
 * datumManifest(pairs, datum); // { 'images/a.jpg': 'sha256...', 'labels/a.txt': 'sha256...' }
 */
export function datumManifest(spec: DataInputSpec, datum: Datum): Record<string, string> {
  const folders = leafFolders(spec, '', new Map());
  const manifest: Record<string, string> = {};
  for (const file of datum.files) {
    const folder = folders.get(file.input);
    if (folder === undefined) {
      throw new SluiceError('INTERNAL', `datum '${datum.key}' has a file of unknown input '${file.input}'`);
    }
    manifest[`${folder}${file.path.slice(1)}`] = file.hash;
  }
  return manifest;
}
