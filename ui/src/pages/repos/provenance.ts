/** Reading a commit's provenance (typed loosely by the API) as the fields the UI shows. */
import type { Commit } from '../../api/types';

/** A commit (the API's schema type also admits null). */
export type CommitRow = NonNullable<Commit>;

/** One input commit a run read. */
export interface ProvenanceInput {
  input: string;
  repo: string;
  branch: string;
  commit: string;
}

/** Where an output commit came from. */
export interface CommitProvenance {
  pipeline: string;
  runId: string;
  version: number | null;
  inputs: ProvenanceInput[];
}

function isInput(value: unknown): value is ProvenanceInput {
  const record = value as Partial<ProvenanceInput> | null;
  return Boolean(record && typeof record.repo === 'string' && typeof record.commit === 'string');
}

/** The well-formed input commits of a list (a provenance's `inputs`, a model version's `inputCommits`). */
export function readInputs(list: unknown): ProvenanceInput[] {
  return Array.isArray(list) ? list.filter(isInput) : [];
}

/** The provenance of a commit (or of a lineage answer), or null when it was uploaded. */
export function readProvenance(value: unknown): CommitProvenance | null {
  const record = value as Record<string, unknown> | null | undefined;
  if (!record || typeof record.runId !== 'string' || typeof record.pipeline !== 'string') return null;
  return {
    pipeline: record.pipeline,
    runId: record.runId,
    version: typeof record.version === 'number' ? record.version : null,
    inputs: readInputs(record.inputs),
  };
}

/** The provenance of `commit`. */
export function provenanceOf(commit: CommitRow): CommitProvenance | null {
  return readProvenance(commit.provenance);
}
