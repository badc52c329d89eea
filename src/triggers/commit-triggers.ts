/**
 * Commit triggers: a new commit on a repo starts a run of every registered pipeline that
 * reads that repo's branch, and each run's output commit triggers the pipelines reading
 * that output in turn. The long-running scheduler ([service]) calls the same function; the
 * CLI calls it right after `sluice put` and `sluice rm`.
 */
import { SluiceError, toSluiceError } from '../core/index.js';
import type { Engine, RunEventListener } from '../engine/index.js';
import { loadPipeline, type Pipeline } from '../spec/index.js';
import type { CommitRecord, MetadataStore, PipelineRecord, RunRecord } from '../store/index.js';

/** What happened to one triggered pipeline. */
export type TriggerOutcome =
  | { pipeline: string; commit: string; run: RunRecord }
  | { pipeline: string; commit: string; error: { code: string; message: string } };

export interface CommitTriggerOptions {
  store: MetadataStore;
  engine: Engine;
  /** Told when a run starts, with the pipeline and what triggered it. */
  onRunStart?: (pipeline: Pipeline, runId: string, commit: CommitRecord) => void;
  onEvent?: RunEventListener;
  /** Longest chain of pipelines feeding each other (a guard against cycles). */
  maxDepth?: number;
}

/** `repo@branch`, as registered pipelines list their inputs. */
export function repoBranch(repo: string, branch: string): string {
  return `${repo}@${branch}`;
}

/**
 * Whether a commit to `repo` starts a run of `pipeline`, which reads it: a pipeline that
 * declares no triggers runs on every commit to its inputs; one that declares triggers runs
 * on commits only to the repos its `commit` triggers name (a retraining pipeline reading
 * the data but scheduled by cron is not started by each commit).
 */
export function triggeredByCommit(pipeline: Pipeline, repo: string): boolean {
  if (pipeline.triggers.length === 0) return true;
  return pipeline.triggers.some((trigger) => trigger.kind === 'commit' && trigger.repo === repo);
}

/** Loads a registered pipeline's spec, checking it still is the registered version's file. */
export async function loadRegistered(record: PipelineRecord): Promise<Pipeline> {
  if (!record.specFile) {
    throw new SluiceError('SPEC_FILE', `pipeline '${record.name}' was registered without a spec file`);
  }
  return loadPipeline(record.specFile);
}

/** Runs the pipelines triggered by `commits`, and those their output commits trigger, in order. */
export async function runCommitTriggers(
  commits: CommitRecord[],
  options: CommitTriggerOptions,
): Promise<TriggerOutcome[]> {
  const outcomes: TriggerOutcome[] = [];
  const maxDepth = options.maxDepth ?? 16;
  const queue = commits.map((commit) => ({ commit, depth: 0 }));
  for (let item = queue.shift(); item; item = queue.shift()) {
    const { commit, depth } = item;
    const source = repoBranch(commit.repo, commit.branch);
    const pipelines = (await options.store.repos.listPipelines()).filter(
      (record) => record.inputRepos.includes(source) && record.name !== commit.repo,
    );
    for (const record of pipelines) {
      try {
        const pipeline = await loadRegistered(record);
        if (!triggeredByCommit(pipeline, commit.repo)) continue;
        const handle = await options.engine.startRun(pipeline, {
          params: defaultParams(pipeline),
          trigger: { kind: 'commit', repo: commit.repo, branch: commit.branch, commit: commit.id },
          registeredVersion: record.version,
          ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        });
        options.onRunStart?.(pipeline, handle.id, commit);
        const run = await handle.result;
        outcomes.push({ pipeline: record.name, commit: commit.id, run });
        if (run.outputCommit && depth + 1 < maxDepth) {
          const output = await options.store.repos.getCommit(run.outputCommit);
          if (output) queue.push({ commit: output, depth: depth + 1 });
        }
      } catch (error) {
        outcomes.push({ pipeline: record.name, commit: commit.id, error: toSluiceError(error).toJSON() });
      }
    }
  }
  return outcomes;
}

/** Triggered runs take every param's default; a param without one cannot be triggered. */
function defaultParams(pipeline: Pipeline): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const param of Object.values(pipeline.params)) {
    if (param.default === undefined) {
      throw new SluiceError(
        'PARAM_MISSING',
        `param '${param.name}' has no default, so a commit cannot start pipeline '${pipeline.name}'; give it a default`,
      );
    }
    params[param.name] = param.default;
  }
  return params;
}
