/**
 * Records of versioned data: repos, branches, immutable commits and the file rows that make
 * their trees, plus registered pipelines. Contents live in the object store by hash; these
 * records are the metadata half, in the same store as runs.
 */

export interface RepoRecord {
  name: string;
  description: string;
  createdAt: Date;
}

export interface BranchRecord {
  repo: string;
  name: string;
  /** The newest commit; `null` for a branch without commits yet. */
  head: string | null;
  createdAt: Date;
}

/** One input commit an output commit was computed from. */
export interface ProvenanceInput {
  /** The pipeline's data input (for a combined input, the member's path, e.g. `pairs.images`). */
  input: string;
  repo: string;
  branch: string;
  commit: string;
}

/** Where an output commit came from. */
export interface Provenance {
  pipeline: string;
  /** The registered version number, when the pipeline was created with `pipeline create`. */
  version: number | null;
  pipelineVersion: string;
  runId: string;
  inputs: ProvenanceInput[];
}

export interface CommitRecord {
  id: string;
  repo: string;
  branch: string;
  /** Increasing per repo; orders commits and bounds the file rows valid at this commit. */
  seq: number;
  parent: string | null;
  message: string;
  fileCount: number;
  bytes: number;
  added: number;
  changed: number;
  removed: number;
  /** Set on commits a pipeline made. */
  provenance: Provenance | null;
  createdAt: Date;
}

/** A file in a tree. Paths are canonical: `/a/b.jpg`. */
export interface FileEntry {
  path: string;
  hash: string;
  size: number;
}

/** A change to commit: a new content for `path`, or its removal (`hash: null`). */
export type FileChange = FileEntry | { path: string; hash: null; size?: number };

/** A path that differs between two commits. */
export interface FileDiff {
  path: string;
  before: FileEntry | null;
  after: FileEntry | null;
}

export interface NewCommit {
  repo: string;
  branch: string;
  message: string;
  changes: FileChange[];
  provenance?: Provenance;
  /** Record a commit even when nothing changed (a pipeline run with identical outputs). */
  allowEmpty?: boolean;
}

/** A registered pipeline version (`sluice pipeline create|update`). */
export interface PipelineRecord {
  name: string;
  version: number;
  /** Hash of the compiled steps and their code. */
  pipelineVersion: string;
  specFile: string | null;
  /** The raw spec as registered (for display and diffs between versions). */
  spec: unknown;
  /** `repo@branch` of every data input, for commit triggers. */
  inputRepos: string[];
  createdAt: Date;
  deletedAt: Date | null;
}

/** Versioned-data metadata. */
export interface RepoStore {
  /** `REPO_EXISTS` when the name is taken. */
  createRepo(name: string, description?: string): Promise<RepoRecord>;
  getRepo(name: string): Promise<RepoRecord | undefined>;
  listRepos(): Promise<(RepoRecord & { branches: BranchRecord[] })[]>;
  /** Deletes a repo with its branches, commits and file rows; objects stay (shared by hash). */
  deleteRepo(name: string): Promise<boolean>;
  listBranches(repo: string): Promise<BranchRecord[]>;
  getBranch(repo: string, name: string): Promise<BranchRecord | undefined>;
  /** A branch starting at `from` (or empty); copies the file rows valid there (O(files)). */
  createBranch(repo: string, name: string, from: CommitRecord | null): Promise<BranchRecord>;
  deleteBranch(repo: string, name: string): Promise<boolean>;
  getCommit(id: string): Promise<CommitRecord | undefined>;
  /** Commits of `repo` whose id starts with `prefix`. */
  findCommits(repo: string, prefix: string): Promise<CommitRecord[]>;
  /**
   * Applies changes on top of the branch head in one transaction, in O(changes). Returns
   * `null`, committing nothing, when no change differs from the head. Creates the branch
   * when it does not exist yet.
   */
  commit(commit: NewCommit): Promise<CommitRecord | null>;
  /** Files of the tree at `commit`, sorted by path; only those at or under `prefix`. */
  listFiles(commit: CommitRecord, prefix?: string): Promise<FileEntry[]>;
  /** Paths that differ between two commits of one repo. */
  diff(from: CommitRecord | null, to: CommitRecord): Promise<FileDiff[]>;
  /** Commits reachable from `head` by parent links, newest first. */
  log(head: string, limit: number): Promise<CommitRecord[]>;
  /** Commits that list `commitId` among their input commits. */
  derivedFrom(commitId: string): Promise<CommitRecord[]>;
  /** Registers a new version of a pipeline (version = previous + 1). */
  addPipelineVersion(
    record: Omit<PipelineRecord, 'version' | 'createdAt' | 'deletedAt'>,
  ): Promise<PipelineRecord>;
  /** The newest version of a live pipeline. */
  getPipeline(name: string): Promise<PipelineRecord | undefined>;
  /** The newest version of every live pipeline, by name. */
  listPipelines(): Promise<PipelineRecord[]>;
  deletePipeline(name: string): Promise<boolean>;
}
