/**
 * Lineage of a commit, both ways: the input commits it was computed from (and theirs), and
 * the commits derived from it (and theirs), following provenance records.
 */
import type { CommitRecord, RepoStore } from '../store/index.js';

/** One node of a lineage tree. */
export interface LineageNode {
  commit: string;
  repo: string;
  branch: string;
  pipeline: string | null;
  runId: string | null;
  children: LineageNode[];
}

/** A commit with where it came from and what was derived from it. */
export interface Lineage {
  commit: string;
  repo: string;
  message: string;
  provenance: CommitRecord['provenance'];
  upstream: LineageNode[];
  downstream: LineageNode[];
}

/** Follows provenance from `commit` up to `maxDepth` levels each way (default 32). */
export async function commitLineage(
  records: RepoStore,
  commit: CommitRecord,
  maxDepth = 32,
): Promise<Lineage> {
  const node = (c: CommitRecord): LineageNode => ({
    commit: c.id,
    repo: c.repo,
    branch: c.branch,
    pipeline: c.provenance?.pipeline ?? null,
    runId: c.provenance?.runId ?? null,
    children: [],
  });
  async function upstream(c: CommitRecord, depth: number): Promise<LineageNode> {
    const here = node(c);
    if (depth >= maxDepth) return here;
    for (const input of c.provenance?.inputs ?? []) {
      const parent = await records.getCommit(input.commit);
      if (parent) here.children.push(await upstream(parent, depth + 1));
    }
    return here;
  }
  async function downstream(c: CommitRecord, depth: number): Promise<LineageNode> {
    const here = node(c);
    if (depth >= maxDepth) return here;
    for (const child of await records.derivedFrom(c.id))
      here.children.push(await downstream(child, depth + 1));
    return here;
  }
  return {
    commit: commit.id,
    repo: commit.repo,
    message: commit.message,
    provenance: commit.provenance,
    upstream: (await upstream(commit, 0)).children,
    downstream: (await downstream(commit, 0)).children,
  };
}
