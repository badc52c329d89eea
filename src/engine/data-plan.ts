/**
 * Planning a run's versioned data: each data input's repos are read at one commit (the
 * branch head, or a pinned commit when a run is restarted), and split into datums by their
 * globs and combinators. A datum's value is the manifest of its files, so its hash — and
 * with the step version, its execution key — is the hash of its input files.
 */
import { SluiceError } from '../core/index.js';
import {
  computeDatums,
  datumManifest,
  repoLeaves,
  type FileSetValue,
  type RepoFile,
  type Repos,
} from '../data/index.js';
import type { DataInputSpec, Pipeline, RepoInputSpec } from '../spec/index.js';
import type { CommitRecord, ProvenanceInput } from '../store/index.js';

/** The datums of one data input, ordered by key. */
export interface PlannedInput {
  name: string;
  datums: { key: string; value: FileSetValue }[];
}

export interface DataPlan {
  /** The commit read for each repo leaf, in input order. */
  inputCommits: ProvenanceInput[];
  inputs: PlannedInput[];
}

/** How a repo leaf of an input is named in provenance: `frames`, or `pairs.images` inside a combinator. */
export function leafLabel(input: DataInputSpec, leaf: RepoInputSpec): string {
  return input.kind === 'repo' ? input.name : `${input.name}.${leaf.name}`;
}

/**
 * Reads every data input of `pipeline`. `pinned` maps leaf labels to commit ids to read
 * instead of the branch heads (restarts, backfills).
 */
export async function planData(
  pipeline: Pipeline,
  repos: Repos | undefined,
  pinned: ProvenanceInput[] = [],
): Promise<DataPlan> {
  const inputs = Object.values(pipeline.inputs);
  if (inputs.length === 0) return { inputCommits: [], inputs: [] };
  if (!repos) {
    throw new SluiceError(
      'REPO_NOT_FOUND',
      `pipeline '${pipeline.name}' reads versioned data, and no repos are open`,
    );
  }
  const pinnedByLabel = new Map(pinned.map((item) => [item.input, item.commit]));
  const trees = new Map<string, Promise<RepoFile[]>>();
  const inputCommits: ProvenanceInput[] = [];
  const planned: PlannedInput[] = [];
  for (const input of inputs) {
    const files = new Map<RepoInputSpec, RepoFile[]>();
    for (const leaf of repoLeaves(input)) {
      const label = leafLabel(input, leaf);
      const pin = pinnedByLabel.get(label);
      let commit: CommitRecord | null;
      if (pin) {
        commit = await repos.resolveCommit(leaf.repo, pin);
      } else {
        try {
          commit = (await repos.resolve(leaf.repo, leaf.branch)).commit;
        } catch (error) {
          if (error instanceof SluiceError && error.code === 'REPO_NOT_FOUND') {
            throw new SluiceError(
              'REPO_NOT_FOUND',
              `data input '${label}' reads repo '${leaf.repo}', which does not exist; create it with \`sluice repo create ${leaf.repo}\``,
            );
          }
          throw error;
        }
      }
      if (commit)
        inputCommits.push({ input: label, repo: leaf.repo, branch: commit.branch, commit: commit.id });
      const key = commit?.id ?? '';
      let tree = trees.get(key);
      if (!tree) {
        tree = commit ? repos.records.listFiles(commit) : Promise.resolve([]);
        trees.set(key, tree);
      }
      files.set(leaf, await tree);
    }
    const datums = computeDatums(input, (leaf) => files.get(leaf) ?? []);
    planned.push({
      name: input.name,
      datums: datums.map((datum) => ({ key: datum.key, value: { $files: datumManifest(input, datum) } })),
    });
  }
  return { inputCommits, inputs: planned };
}
