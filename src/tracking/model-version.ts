/**
 * The shapes the model registry returns, and the naming and value checks it applies.
 */
import { SluiceError } from '../core/index.js';
import { MODEL_ALIAS, MODEL_NAME } from '../spec/index.js';
import type { ModelVersionRecord, ProvenanceInput, TrackedFile } from '../store/index.js';

/** Where a model version came from: the run, step and datum that saved it. */
export interface ModelProvenance {
  runId: string;
  step: string;
  datum: string;
  pipeline: string;
  pipelineVersion: string;
  inputCommits: ProvenanceInput[];
}

/** Options of {@link ModelRegistry.save}. */
export interface SaveModelOptions {
  metrics?: Record<string, number>;
  params?: Record<string, unknown>;
  provenance?: ModelProvenance;
  /** Data commits the version was made from, when no run made it (online training). */
  inputCommits?: ProvenanceInput[];
}

/** One immutable model version with its aliases (`latest` included when it is the newest). */
export interface ModelVersion {
  name: string;
  version: number;
  files: TrackedFile[];
  metrics: Record<string, number>;
  params: Record<string, unknown>;
  aliases: string[];
  runId: string | null;
  step: string | null;
  datum: string | null;
  pipeline: string | null;
  pipelineVersion: string | null;
  inputCommits: ProvenanceInput[];
  createdAt: Date;
}

/** A model in `list()`. */
export interface ModelSummary {
  name: string;
  versions: number;
  /** The newest version (what `latest` names); `null` once every version was removed. */
  latest: number | null;
  /** Alias -> version, `latest` included. */
  aliases: Record<string, number>;
  retention: RetentionRule;
  createdAt: Date;
}

/** A retention rule: keep the newest `keepLast` versions (and, with `keepAliased`, aliased ones). */
export interface RetentionRule {
  keepLast: number | null;
  keepAliased: boolean;
}

/** A version deleted by {@link ModelRegistry.applyRetention}. */
export interface DeletedVersion {
  name: string;
  version: number;
}

/** The alias that always names a model's newest version. */
export const LATEST = 'latest';

export function checkName(name: string): void {
  if (!MODEL_NAME.test(name)) {
    throw new SluiceError(
      'USAGE',
      `model name '${name}' is not valid: use lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters`,
    );
  }
}

export function checkAlias(alias: string): void {
  if (!MODEL_ALIAS.test(alias)) {
    throw new SluiceError(
      'USAGE',
      `alias '${alias}' is not valid: use lowercase letters, digits, '-' and '_', starting with a letter`,
    );
  }
  if (alias === LATEST) {
    throw new SluiceError(
      'USAGE',
      `alias '${LATEST}' always names the newest version; it cannot be set or removed`,
    );
  }
}

export function checkMetrics(metrics: Record<string, unknown>): Record<string, number> {
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new SluiceError(
        'USAGE',
        `model metric '${key}' must be a finite number, found ${JSON.stringify(value) ?? String(value)}`,
      );
    }
  }
  return metrics as Record<string, number>;
}

export function plainJson(value: Record<string, unknown>, what: string): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch (error) {
    throw new SluiceError('USAGE', `${what} must be JSON: ${(error as Error).message}`);
  }
}

/** A stored version without its aliases. */
export function toVersion(record: ModelVersionRecord): Omit<ModelVersion, 'aliases'> {
  return {
    name: record.name,
    version: record.version,
    files: record.files,
    metrics: record.metrics,
    params: record.params,
    runId: record.runId,
    step: record.step,
    datum: record.datum,
    pipeline: record.pipeline,
    pipelineVersion: record.pipelineVersion,
    inputCommits: record.inputCommits,
    createdAt: record.createdAt,
  };
}
