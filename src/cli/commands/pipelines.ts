/**
 * Registered pipelines and their data: `sluice pipeline create|update|list|delete`,
 * `sluice lineage REPO@COMMIT`, `sluice datums RUN`, `sluice restart-datum RUN DATUM`.
 *
 * A registered pipeline runs when a commit lands on a repo it reads. Every update that
 * changes what a step computes is a new version; unchanged steps keep their cached
 * results, so only datums of changed steps run again (`--reprocess` re-runs all).
 */
import { resolve } from 'node:path';
import { pc } from '../colors.js';
import { SluiceError } from '../../core/index.js';
import { repoLeaves } from '../../data/index.js';
import { loadPipeline, resolveParams, type Pipeline } from '../../spec/index.js';
import type { CommitRecord, PipelineRecord, TaskRecord, TaskStatus } from '../../store/index.js';
import { loadRegistered, repoBranch } from '../../triggers/index.js';
import type { CliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { json, type Io } from '../io.js';
import { withWorkspace, type LocalWorkspace } from '../workspace.js';
import { runAndReport, type ReportOptions } from './run.js';

/** `repo@branch` of every repo the pipeline's data inputs read. */
export function inputRepos(pipeline: Pipeline): string[] {
  const repos = new Set<string>();
  for (const input of Object.values(pipeline.inputs)) {
    for (const leaf of repoLeaves(input)) repos.add(repoBranch(leaf.repo, leaf.branch));
  }
  return [...repos].sort();
}

/** What is stored as a version's spec: enough to tell later which steps changed. */
interface RegisteredSpec {
  file: string | null;
  steps: Record<string, string>;
  outputs: string[];
}

export interface PipelineCommandOptions extends ReportOptions {
  reprocess?: boolean;
  run?: boolean;
  param?: string[];
}

export async function pipelineCreateOrUpdate(
  action: 'create' | 'update',
  file: string,
  options: PipelineCommandOptions,
  config: CliConfig,
  io: Io,
): Promise<number> {
  const pipeline = await loadPipeline(resolve(io.cwd, file));
  const params = resolveParams(pipeline, {});
  return withWorkspace(config, `sluice pipeline ${action} ${file}`, async (workspace) => {
    const { store, repos, engine } = workspace;
    const previous = await store.repos.getPipeline(pipeline.name);
    if (action === 'create' && previous) {
      throw new SluiceError(
        'REPO_EXISTS',
        `pipeline '${pipeline.name}' already exists (version ${previous.version}); use \`sluice pipeline update ${file}\``,
      );
    }
    if (action === 'update' && !previous) {
      throw new SluiceError(
        'PIPELINE_NOT_FOUND',
        `pipeline '${pipeline.name}' does not exist; use \`sluice pipeline create ${file}\``,
      );
    }
    const versions = await engine.versions(pipeline);
    const before = (previous?.spec as RegisteredSpec | undefined)?.steps ?? {};
    const changed = Object.keys(versions.steps).filter((step) => before[step] !== versions.steps[step]);
    let record: PipelineRecord;
    if (
      previous &&
      previous.pipelineVersion === versions.pipelineVersion &&
      previous.specFile === pipeline.file
    ) {
      record = previous;
      if (!options.json) io.err(`pipeline ${pipeline.name} is unchanged (version ${previous.version})\n`);
    } else {
      const spec: RegisteredSpec = {
        file: pipeline.file ?? null,
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
      if (!options.json) {
        const what = previous
          ? `; changed steps: ${changed.length > 0 ? changed.join(', ') : 'none (spec settings only)'}`
          : '';
        io.err(`${pc.green('✓')} pipeline ${pipeline.name} version ${record.version} registered${what}\n`);
      }
    }
    if (!(await store.repos.getRepo(pipeline.name)))
      await repos.create(pipeline.name, `outputs of pipeline ${pipeline.name}`);
    const hasData = await anyInputHasData(workspace, pipeline);
    const unchanged = previous !== undefined && record === previous && !options.reprocess;
    if (options.run === false || !hasData || unchanged) {
      if (options.json) io.out(json({ pipeline: record, changedSteps: previous ? changed : [], run: null }));
      else if (!hasData)
        io.err(`its input repos have no commits yet; it runs when data arrives (\`sluice put\`)\n`);
      return EXIT.ok;
    }
    return runAndReport(
      workspace,
      pipeline,
      {
        params,
        noCache: Boolean(options.reprocess),
        trigger: { kind: 'pipeline', action, version: record.version },
        registeredVersion: record.version,
      },
      options,
      config,
      io,
    );
  });
}

async function anyInputHasData(workspace: LocalWorkspace, pipeline: Pipeline): Promise<boolean> {
  for (const input of Object.values(pipeline.inputs)) {
    for (const leaf of repoLeaves(input)) {
      if (!(await workspace.store.repos.getRepo(leaf.repo))) continue;
      const branch = await workspace.store.repos.getBranch(leaf.repo, leaf.branch);
      if (branch?.head) return true;
    }
  }
  return false;
}

export async function pipelineList(options: { json?: boolean }, config: CliConfig, io: Io): Promise<number> {
  return withWorkspace(config, 'sluice pipeline list', async ({ store }) => {
    const pipelines = await store.repos.listPipelines();
    if (options.json) {
      io.out(json(pipelines));
      return EXIT.ok;
    }
    if (pipelines.length === 0) {
      io.out('no pipelines yet: register one with `sluice pipeline create PIPELINE.yaml`\n');
      return EXIT.ok;
    }
    io.out(
      `${pc.bold('PIPELINE'.padEnd(24))}${pc.bold('VERSION'.padEnd(9))}${pc.bold('INPUTS'.padEnd(32))}${pc.bold('SPEC')}\n`,
    );
    for (const record of pipelines) {
      io.out(
        `${record.name.padEnd(24)}${String(record.version).padEnd(9)}${record.inputRepos.join(', ').padEnd(32)}${record.specFile ?? '-'}\n`,
      );
    }
    return EXIT.ok;
  });
}

export async function pipelineDelete(
  target: string,
  options: { json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const name = /\.(ya?ml|ts|js|mjs)$/.test(target)
    ? (await loadPipeline(resolve(io.cwd, target))).name
    : target;
  return withWorkspace(config, `sluice pipeline delete ${name}`, async ({ store }) => {
    if (!(await store.repos.deletePipeline(name))) {
      throw new SluiceError(
        'PIPELINE_NOT_FOUND',
        `pipeline '${name}' does not exist; see \`sluice pipeline list\``,
      );
    }
    if (options.json) io.out(json({ deleted: name }));
    else
      io.out(
        `deleted pipeline ${name}; its output repo '${name}' is kept (\`sluice repo delete ${name}\`)\n`,
      );
    return EXIT.ok;
  });
}

/** One node of a lineage answer. */
interface LineageNode {
  commit: string;
  repo: string;
  branch: string;
  pipeline: string | null;
  runId: string | null;
  children: LineageNode[];
}

export async function lineageCommand(
  target: string,
  options: { json?: boolean; depth?: string },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const at = target.indexOf('@');
  if (at <= 0)
    throw new SluiceError('USAGE', `lineage takes REPO@COMMIT (or REPO@BRANCH), found '${target}'`);
  const maxDepth = options.depth === undefined ? 32 : Number(options.depth);
  return withWorkspace(config, `sluice lineage ${target}`, async ({ repos, store }) => {
    const commit = await repos.resolveCommit(target.slice(0, at), target.slice(at + 1));
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
        const parent = await store.repos.getCommit(input.commit);
        if (parent) here.children.push(await upstream(parent, depth + 1));
      }
      return here;
    }
    async function downstream(c: CommitRecord, depth: number): Promise<LineageNode> {
      const here = node(c);
      if (depth >= maxDepth) return here;
      for (const child of await store.repos.derivedFrom(c.id))
        here.children.push(await downstream(child, depth + 1));
      return here;
    }
    const from = await upstream(commit, 0);
    const to = await downstream(commit, 0);
    if (options.json) {
      io.out(
        json({
          commit: commit.id,
          repo: commit.repo,
          provenance: commit.provenance,
          upstream: from.children,
          downstream: to.children,
        }),
      );
      return EXIT.ok;
    }
    io.out(`${pc.bold(`${commit.repo}@${commit.id}`)}  ${commit.message}\n`);
    if (commit.provenance) {
      io.out(
        `made by pipeline ${commit.provenance.pipeline}${commit.provenance.version ? ` version ${commit.provenance.version}` : ''}, run ${commit.provenance.runId}\n`,
      );
    }
    io.out(`${pc.bold('comes from')}:\n`);
    printTree(from.children, '  ', io, 'input of');
    if (from.children.length === 0) io.out('  (nothing: data put by a user)\n');
    io.out(`${pc.bold('derived')}:\n`);
    printTree(to.children, '  ', io, 'by');
    if (to.children.length === 0) io.out('  (nothing yet)\n');
    return EXIT.ok;
  });
}

function printTree(nodes: LineageNode[], indent: string, io: Io, verb: string): void {
  for (const item of nodes) {
    const by = item.pipeline ? pc.dim(` (pipeline ${item.pipeline}, run ${item.runId})`) : '';
    io.out(`${indent}${item.repo}@${item.commit}${by}\n`);
    printTree(item.children, `${indent}  `, io, verb);
  }
}

/** A task as `datums` shows it: `recovered` is a success that needed more than one attempt. */
export function datumState(task: TaskRecord): TaskStatus | 'recovered' {
  return task.status === 'success' && task.attempts > 1 ? 'recovered' : task.status;
}

/** Datum states in the order `datums` lists them (also the `--state` choices). */
export const STATE_ORDER = [
  'pending',
  'running',
  'success',
  'skipped',
  'failed',
  'recovered',
  'cancelled',
  'upstream_failed',
];

export async function datumsCommand(
  runId: string,
  options: { step?: string; state?: string; json?: boolean; limit?: string },
  config: CliConfig,
  io: Io,
): Promise<number> {
  return withWorkspace(config, `sluice datums ${runId}`, async ({ api }) => {
    const { run, tasks } = await api.runDetail(runId);
    const selected = tasks.filter(
      (task) =>
        (!options.step || task.step === options.step) &&
        (!options.state || datumState(task) === options.state),
    );
    const counts: Record<string, Record<string, number>> = {};
    for (const task of tasks) {
      const step = (counts[task.step] ??= { total: 0 });
      step.total = (step.total ?? 0) + 1;
      const state = datumState(task);
      step[state] = (step[state] ?? 0) + 1;
    }
    if (options.json) {
      io.out(
        json({
          run: run.id,
          counts,
          datums: selected.map((task) => ({
            step: task.step,
            datum: task.datum,
            state: datumState(task),
            attempts: task.attempts,
            id: task.execKey,
            error: task.error,
          })),
        }),
      );
      return EXIT.ok;
    }
    io.out(`${pc.bold(`run ${run.id}`)}  ${run.pipeline}  ${run.status}\n`);
    for (const [step, byState] of Object.entries(counts)) {
      const parts = STATE_ORDER.filter((state) => byState[state]).map(
        (state) => `${byState[state]} ${state}`,
      );
      io.out(`  ${step.padEnd(22)} ${String(byState.total).padStart(6)} datums: ${parts.join(', ')}\n`);
    }
    const limit = options.limit === undefined ? 100 : Number(options.limit);
    const shown = selected
      .filter((task) => options.state || options.step || datumState(task) !== 'success')
      .slice(0, limit);
    if (shown.length > 0) io.out('\n');
    for (const task of shown) {
      const state = datumState(task);
      const colour =
        state === 'failed' || state === 'upstream_failed'
          ? pc.red
          : state === 'skipped'
            ? pc.dim
            : (text: string) => text;
      io.out(`${colour(state.padEnd(16))}${task.step.padEnd(20)}${task.datum || '(once)'}\n`);
      if (task.error) io.out(`  ${pc.red(task.error.message.split('\n').join('\n  '))}\n`);
    }
    return EXIT.ok;
  });
}

export async function restartDatumCommand(
  runId: string,
  datums: string[],
  options: ReportOptions & { step?: string },
  config: CliConfig,
  io: Io,
): Promise<number> {
  return withWorkspace(config, `sluice restart-datum ${runId}`, async (workspace) => {
    const { run, tasks } = await workspace.api.runDetail(runId);
    if (run.status === 'running' || run.status === 'queued') {
      throw new SluiceError(
        'USAGE',
        `run ${run.id} is still ${run.status}; restart datums once it has ended`,
      );
    }
    const failed = tasks.filter(
      (task) =>
        (task.status === 'failed' || task.status === 'upstream_failed' || task.status === 'cancelled') &&
        (!options.step || task.step === options.step),
    );
    for (const datum of datums) {
      if (!tasks.some((task) => task.datum === datum && (!options.step || task.step === options.step))) {
        throw new SluiceError(
          'DATUM_NOT_FOUND',
          `run ${run.id} has no datum '${datum}'${options.step ? ` in step '${options.step}'` : ''}; see \`sluice datums ${run.id}\``,
        );
      }
      if (!failed.some((task) => task.datum === datum)) {
        throw new SluiceError(
          'USAGE',
          `datum '${datum}' of run ${run.id} did not fail; only failed datums restart`,
        );
      }
    }
    if (failed.length === 0) throw new SluiceError('USAGE', `run ${run.id} has no failed datums to restart`);
    const record = await workspace.store.repos.getPipeline(run.pipeline);
    const pipeline = record
      ? await loadRegistered(record)
      : run.specFile
        ? await loadPipeline(run.specFile)
        : undefined;
    if (!pipeline) throw new SluiceError('PIPELINE_NOT_FOUND', `run ${run.id} has no spec file to run again`);
    const restarting = datums.length > 0 ? datums : [...new Set(failed.map((task) => task.datum))];
    if (!options.json && !options.quiet) {
      io.err(
        `restarting ${restarting.length} datum${restarting.length === 1 ? '' : 's'} of run ${run.id} on the same input commits; datums that succeeded are reused\n`,
      );
    }
    const code = await runAndReport(
      workspace,
      pipeline,
      {
        params: run.params,
        inputCommits: run.inputCommits,
        trigger: { kind: 'restart', runId: run.id, datums: restarting },
        ...(datums.length > 0 ? { onlyDatums: datums } : {}),
        ...(record ? { registeredVersion: record.version } : {}),
      },
      options,
      config,
      io,
    );
    return code;
  });
}
