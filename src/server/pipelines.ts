/**
 * Registering pipelines (`sluice pipeline create|update`, `POST /api/pipelines`): loads the
 * spec, computes step versions and records a new version when something changed. Whether
 * and how the first run starts is the caller's choice (the CLI runs it in process, the API
 * queues it through the service).
 */
import { readFile } from 'node:fs/promises';
import { SluiceError } from '../core/index.js';
import { repoLeaves, type Repos } from '../data/index.js';
import type { Engine } from '../engine/index.js';
import { loadPipeline, type Pipeline } from '../spec/index.js';
import type { MetadataStore, PipelineRecord } from '../store/index.js';
import { repoBranch } from '../triggers/index.js';

/** `repo@branch` of every repo the pipeline's data inputs read. */
export function inputRepos(pipeline: Pipeline): string[] {
  const repos = new Set<string>();
  for (const input of Object.values(pipeline.inputs)) {
    for (const leaf of repoLeaves(input)) repos.add(repoBranch(leaf.repo, leaf.branch));
  }
  return [...repos].sort();
}

/** What is stored as a version's spec: enough to tell later which steps changed. */
export interface RegisteredSpec {
  file: string | null;
  /** The spec file's text as registered (for showing and diffing versions); absent before 0.1 UI. */
  source?: string;
  steps: Record<string, string>;
  outputs: string[];
}

/** The outcome of {@link registerPipeline}. */
export interface Registration {
  pipeline: Pipeline;
  /** The version now current (the previous one when nothing changed). */
  record: PipelineRecord;
  previous: PipelineRecord | undefined;
  /** Steps whose version differs from the previous version's (empty on create). */
  changedSteps: string[];
  /** Nothing changed: no new version was recorded. */
  unchanged: boolean;
  /** Whether any input repo has a commit (a first run has something to read). */
  hasData: boolean;
}

/**
 * Registers `specFile` as a new version of its pipeline (creating its output repo).
 * `create` fails with `REPO_EXISTS` when the pipeline exists; `update` with
 * `PIPELINE_NOT_FOUND` when it does not.
 */
export async function registerPipeline(
  parts: { store: MetadataStore; repos: Repos; engine: Engine },
  action: 'create' | 'update',
  specFile: string,
): Promise<Registration> {
  const { store, repos, engine } = parts;
  const pipeline = await loadPipeline(specFile);
  const previous = await store.repos.getPipeline(pipeline.name);
  if (action === 'create' && previous) {
    throw new SluiceError(
      'REPO_EXISTS',
      `pipeline '${pipeline.name}' already exists (version ${previous.version}); use \`sluice pipeline update ${specFile}\``,
    );
  }
  if (action === 'update' && !previous) {
    throw new SluiceError(
      'PIPELINE_NOT_FOUND',
      `pipeline '${pipeline.name}' does not exist; use \`sluice pipeline create ${specFile}\``,
    );
  }
  const versions = await engine.versions(pipeline);
  const before = (previous?.spec as RegisteredSpec | undefined)?.steps ?? {};
  const changedSteps = previous
    ? Object.keys(versions.steps).filter((step) => before[step] !== versions.steps[step])
    : [];
  let record: PipelineRecord;
  const unchanged =
    previous !== undefined &&
    previous.pipelineVersion === versions.pipelineVersion &&
    previous.specFile === (pipeline.file ?? null);
  if (previous && unchanged) {
    record = previous;
  } else {
    const spec: RegisteredSpec = {
      file: pipeline.file ?? null,
      source: await readFile(specFile, 'utf8'),
      steps: versions.steps,
      outputs: pipeline.outputs,
    };
    record = await store.repos.addPipelineVersion({
      name: pipeline.name,
      pipelineVersion: versions.pipelineVersion,
      specFile: pipeline.file ?? null,
      spec,
      inputRepos: inputRepos(pipeline),
    });
  }
  if (!(await store.repos.getRepo(pipeline.name)))
    await repos.create(pipeline.name, `outputs of pipeline ${pipeline.name}`);
  return {
    pipeline,
    record,
    previous,
    changedSteps,
    unchanged,
    hasData: await anyInputHasData(store, pipeline),
  };
}

async function anyInputHasData(store: MetadataStore, pipeline: Pipeline): Promise<boolean> {
  for (const input of Object.values(pipeline.inputs)) {
    for (const leaf of repoLeaves(input)) {
      if (!(await store.repos.getRepo(leaf.repo))) continue;
      const branch = await store.repos.getBranch(leaf.repo, leaf.branch);
      if (branch?.head) return true;
    }
  }
  return false;
}
