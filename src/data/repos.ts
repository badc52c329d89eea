/**
 * Versioned data repos: what `sluice repo|put|ls|get|log|diff|rm|branch` do. File contents
 * go to the object store by SHA-256 (durable before anything refers to them); the tree of
 * each immutable commit is metadata in the store, written in O(files changed).
 */
import { lstat, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SluiceError } from '../core/index.js';
import type {
  BranchRecord,
  CommitRecord,
  FileChange,
  FileDiff,
  FileEntry,
  Provenance,
  RepoRecord,
  RepoStore,
} from '../store/index.js';
import type { ObjectStore } from './object-store.js';
import { REPO_NAME, REPO_NAME_MAX } from '../spec/schema.js';
import { joinRepoPath, normalizeRepoPath, relativeUploadPath } from './paths.js';

export { REPO_NAME };

/** The branch a ref means when none is given. */
export const DEFAULT_BRANCH = 'main';

/** `REPO[@REF][:PATH]` as users type it. */
export interface RepoAddress {
  repo: string;
  ref: string | undefined;
  path: string | undefined;
}

/** Parses `REPO[@REF][:PATH]`; the path is normalised (and refused when unsafe). */
export function parseRepoAddress(text: string): RepoAddress {
  const match = /^([^@:]+)(?:@([^:]+))?(?::(.*))?$/s.exec(text);
  if (!match?.[1]) {
    throw new SluiceError('USAGE', `'${text}' is not REPO[@BRANCH_OR_COMMIT][:PATH]`);
  }
  const repo = match[1];
  checkRepoName(repo);
  const ref = match[2];
  if (ref !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(ref)) {
    throw new SluiceError('USAGE', `'${ref}' in '${text}' is not a branch name or commit id`);
  }
  return { repo, ref, path: match[3] === undefined ? undefined : normalizeRepoPath(match[3]) };
}

export function checkRepoName(name: string): void {
  if (!REPO_NAME.test(name) || name.length > REPO_NAME_MAX) {
    throw new SluiceError(
      'USAGE',
      `'${name}' is not a valid repo name: use 1-63 lowercase letters, digits, '_', '-' or '.', starting with a letter or digit`,
    );
  }
}

/** What a ref resolved to: the commit (null on an empty branch) and the branch, if it was one. */
export interface Resolved {
  repo: string;
  branch: string | null;
  commit: CommitRecord | null;
}

/** One entry of `ls`: a file, or a folder with the totals of what is under it. */
export interface ListEntry {
  path: string;
  type: 'file' | 'dir';
  size: number;
  /** Files under a folder (1 for a file). */
  files: number;
  hash?: string;
}

/** A file or folder to put: a local path, or bytes (stdin). */
export type PutSource = { kind: 'path'; path: string } | { kind: 'bytes'; data: Uint8Array };

/** Options of {@link Repos.put}. */
export interface PutOptions {
  /** Destination in the repo: for a folder, where its contents go; for a file, its path. */
  to?: string;
  message?: string;
  /** Called as files are stored: (stored, total). */
  onProgress?: (done: number, total: number) => void;
}

/** The repo service over a metadata store and an object store. */
export class Repos {
  readonly records: RepoStore;
  readonly objects: ObjectStore;

  constructor(records: RepoStore, objects: ObjectStore) {
    this.records = records;
    this.objects = objects;
  }

  async create(name: string, description = ''): Promise<RepoRecord> {
    checkRepoName(name);
    return this.records.createRepo(name, description);
  }

  async require(name: string): Promise<RepoRecord> {
    const repo = await this.records.getRepo(name);
    if (!repo) {
      const known = (await this.records.listRepos()).map((item) => item.name);
      const hint =
        known.length > 0 ? `; repos: ${known.join(', ')}` : '; create it with `sluice repo create`';
      throw new SluiceError('REPO_NOT_FOUND', `repo '${name}' does not exist${hint}`);
    }
    return repo;
  }

  /** A branch name or a commit id (or a unique prefix of one) to a commit; default `main`. */
  async resolve(repo: string, ref: string = DEFAULT_BRANCH): Promise<Resolved> {
    await this.require(repo);
    const branch = await this.records.getBranch(repo, ref);
    if (branch) {
      const commit = branch.head ? await this.records.getCommit(branch.head) : undefined;
      return { repo, branch: branch.name, commit: commit ?? null };
    }
    const commits = await this.records.findCommits(repo, ref);
    const exact = commits.find((commit) => commit.id === ref);
    if (exact) return { repo, branch: null, commit: exact };
    if (commits.length === 1 && commits[0]) return { repo, branch: null, commit: commits[0] };
    if (commits.length > 1) {
      throw new SluiceError(
        'USAGE',
        `'${ref}' matches several commits of '${repo}': ${commits.map((commit) => commit.id).join(', ')}`,
      );
    }
    const branches = (await this.records.listBranches(repo)).map((item) => item.name);
    if (ref === DEFAULT_BRANCH && branches.length === 0) return { repo, branch: ref, commit: null };
    // NOTE: a concurrent first commit (two runs committing outputs) may create the branch
    // between the lookups above; resolve again rather than report it missing.
    if (branches.includes(ref)) return this.resolve(repo, ref);
    throw new SluiceError(
      /^[0-9a-hjkmnp-tv-z]{12}$/.test(ref) ? 'COMMIT_NOT_FOUND' : 'BRANCH_NOT_FOUND',
      `repo '${repo}' has no branch or commit '${ref}'${branches.length > 0 ? `; branches: ${branches.join(', ')}` : ''}`,
    );
  }

  /** Like {@link resolve}, but the commit must exist. */
  async resolveCommit(repo: string, ref?: string): Promise<CommitRecord> {
    const resolved = await this.resolve(repo, ref);
    if (!resolved.commit) {
      throw new SluiceError(
        'COMMIT_NOT_FOUND',
        `branch '${resolved.branch ?? ref ?? DEFAULT_BRANCH}' of repo '${repo}' has no commits yet`,
      );
    }
    return resolved.commit;
  }

  /**
   * Puts a file, a folder's contents or bytes into `repo@branch` as one commit. The whole
   * tree is checked first (no symlinks, no unsafe names), contents are stored durably, then
   * the commit is recorded. Returns `null` when nothing changed.
   */
  async put(
    repo: string,
    branch: string,
    source: PutSource,
    options: PutOptions = {},
  ): Promise<CommitRecord | null> {
    await this.require(repo);
    checkBranchName(branch);
    const planned = await planPut(source, options.to);
    const local = planned.filter((item) => item.local !== undefined);
    const hashes = await this.objects.putFiles(
      local.map((item) => item.local as string),
      options.onProgress,
    );
    const changes: FileChange[] = [];
    let index = 0;
    for (const item of planned) {
      const hash = item.data ? await this.objects.put(item.data) : (hashes[index++] as string);
      changes.push({ path: item.path, hash, size: item.size });
    }
    const message =
      options.message ??
      defaultMessage(
        'put',
        planned.map((item) => item.path),
      );
    return this.records.commit({ repo, branch, message, changes });
  }

  /** Removes a file, or a folder and everything under it, as one commit. */
  async remove(repo: string, branch: string, path: string, message?: string): Promise<CommitRecord> {
    const head = await this.resolveCommit(repo, branch);
    const target = normalizeRepoPath(path);
    const files = await this.records.listFiles(head, target);
    if (files.length === 0) {
      throw new SluiceError('PATH_NOT_FOUND', `${repo}@${branch} has no file or folder '${target}'`);
    }
    const commit = await this.records.commit({
      repo,
      branch,
      message: message ?? defaultMessage('rm', [target]),
      changes: files.map((file) => ({ path: file.path, hash: null })),
    });
    if (!commit) throw new SluiceError('INTERNAL', 'removing existing files changed nothing');
    return commit;
  }

  /** Commits a whole tree computed elsewhere (a pipeline's outputs), writing only what differs. */
  async commitTree(
    repo: string,
    branch: string,
    files: FileEntry[],
    message: string,
    provenance: Provenance,
  ): Promise<CommitRecord | null> {
    const resolved = await this.resolve(repo, branch);
    const before = resolved.commit ? await this.records.listFiles(resolved.commit) : [];
    const wanted = new Map(files.map((file) => [file.path, file]));
    const changes: FileChange[] = [];
    for (const file of before) if (!wanted.has(file.path)) changes.push({ path: file.path, hash: null });
    for (const file of files) changes.push(file);
    // NOTE: identical outputs still get a commit, so every run's provenance is recorded.
    return this.records.commit({ repo, branch, message, changes, provenance, allowEmpty: true });
  }

  /** The direct children of a folder (or the file itself) at a commit. */
  async list(commit: CommitRecord | null, path = '/'): Promise<ListEntry[]> {
    const dir = normalizeRepoPath(path);
    if (!commit) {
      if (dir === '/') return [];
      throw new SluiceError('PATH_NOT_FOUND', `there is no '${dir}': the branch has no commits yet`);
    }
    const files = await this.records.listFiles(commit, dir);
    if (files.length === 0 && dir !== '/') {
      throw new SluiceError('PATH_NOT_FOUND', `${commit.repo}@${commit.id} has no file or folder '${dir}'`);
    }
    const single = files.length === 1 && files[0]?.path === dir;
    if (single && files[0]) return [{ ...files[0], type: 'file', files: 1 }];
    const base = dir === '/' ? '/' : `${dir}/`;
    const entries = new Map<string, ListEntry>();
    for (const file of files) {
      const rest = file.path.slice(base.length);
      const slash = rest.indexOf('/');
      if (slash === -1) {
        entries.set(file.path, { path: file.path, type: 'file', size: file.size, files: 1, hash: file.hash });
      } else {
        const child = base + rest.slice(0, slash);
        const entry = entries.get(child) ?? { path: child, type: 'dir', size: 0, files: 0 };
        entry.size += file.size;
        entry.files += 1;
        entries.set(child, entry);
      }
    }
    return [...entries.values()];
  }

  /** Every file at or under `path` at a commit (what `get` of a folder writes). */
  async files(commit: CommitRecord, path = '/'): Promise<FileEntry[]> {
    const files = await this.records.listFiles(commit, normalizeRepoPath(path));
    if (files.length === 0) {
      throw new SluiceError(
        'PATH_NOT_FOUND',
        `${commit.repo}@${commit.id} has no file or folder '${normalizeRepoPath(path)}'`,
      );
    }
    return files;
  }

  /** A file's content, verified against its hash (`OBJECT_CORRUPT` otherwise). */
  async read(file: FileEntry): Promise<Uint8Array> {
    return this.objects.get(file.hash);
  }

  async log(commit: CommitRecord | null, limit = 100): Promise<CommitRecord[]> {
    return commit ? this.records.log(commit.id, limit) : [];
  }

  async diff(from: CommitRecord | null, to: CommitRecord): Promise<FileDiff[]> {
    if (from && from.repo !== to.repo)
      throw new SluiceError('USAGE', 'diff compares two commits of one repo');
    return this.records.diff(from, to);
  }

  async createBranch(repo: string, name: string, from?: string): Promise<BranchRecord> {
    await this.require(repo);
    checkBranchName(name);
    const start = from === undefined ? null : await this.resolveCommit(repo, from);
    return this.records.createBranch(repo, name, start);
  }
}

export function checkBranchName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name) || /^[0-9a-z]{12}$/.test(name)) {
    throw new SluiceError(
      'USAGE',
      `'${name}' is not a valid branch name: use letters, digits, '_', '-' or '.' (and not 12 characters that look like a commit id)`,
    );
  }
}

/** A file {@link planPut} found: its repo path, size, and where its bytes are. */
export interface PlannedFile {
  path: string;
  size: number;
  local?: string;
  data?: Uint8Array;
}

/** Walks what will be put, refusing the whole put on the first unsafe entry. */
/**
 * The files a put would commit, checked (no symlinks, safe names) but not stored yet: each
 * with its repo path, size, and its local file or bytes. Also what a remote put uploads.
 */
export async function planPut(source: PutSource, to: string | undefined): Promise<PlannedFile[]> {
  if (source.kind === 'bytes') {
    if (to === undefined || normalizeRepoPath(to) === '/') {
      throw new SluiceError('USAGE', 'putting standard input needs --to PATH naming the file to create');
    }
    return [{ path: normalizeRepoPath(to), size: source.data.byteLength, data: source.data }];
  }
  let stat;
  try {
    stat = await lstat(source.path);
  } catch (error) {
    throw new SluiceError('IO', `cannot read ${source.path}: ${(error as Error).message}`, { cause: error });
  }
  if (stat.isSymbolicLink()) {
    throw new SluiceError(
      'INVALID_PATH',
      `${source.path} is a symbolic link; put the file it points to instead`,
    );
  }
  if (stat.isFile()) {
    const name = relativeUploadPath(basename(source.path));
    const dest =
      to === undefined
        ? name
        : to.endsWith('/')
          ? joinRepoPath(normalizeRepoPath(to), name.slice(1))
          : normalizeRepoPath(to);
    if (dest === '/') throw new SluiceError('INVALID_PATH', "a file cannot be put at the repo root '/'");
    return [{ path: dest, size: stat.size, local: source.path }];
  }
  if (!stat.isDirectory())
    throw new SluiceError('INVALID_PATH', `${source.path} is not a regular file or folder`);
  const root = normalizeRepoPath(to ?? '/');
  const planned: PlannedFile[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const local = join(dir, entry.name);
      const relative = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        throw new SluiceError(
          'INVALID_PATH',
          `${local} is a symbolic link; uploaded trees may not contain symlinks (nothing was put)`,
        );
      }
      if (entry.isDirectory()) {
        await walk(local, relative);
      } else if (entry.isFile()) {
        let path: string;
        try {
          path = joinRepoPath(root, relativeUploadPath(relative).slice(1));
        } catch (error) {
          throw new SluiceError('INVALID_PATH', `${local}: ${(error as Error).message} (nothing was put)`, {
            cause: error,
          });
        }
        planned.push({ path, size: (await lstat(local)).size, local });
      } else {
        throw new SluiceError('INVALID_PATH', `${local} is not a regular file or folder (nothing was put)`);
      }
    }
  }
  await walk(source.path, '');
  if (planned.length === 0) throw new SluiceError('USAGE', `${source.path} holds no files; nothing to put`);
  return planned;
}

function defaultMessage(verb: string, paths: string[]): string {
  const [first] = paths;
  return paths.length === 1 && first ? `${verb} ${first}` : `${verb} ${paths.length} files`;
}
