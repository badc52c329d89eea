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
import { commitLineage, type LineageNode } from '../../data/index.js';
import { registerPipeline } from '../../server/pipelines.js';
import { datumListing, datumState, restartableTasks, STATE_ORDER } from '../../server/datums.js';
import { loadPipeline, resolveParams } from '../../spec/index.js';
import { loadRegistered } from '../../triggers/index.js';
import type { CliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { json, type Io } from '../io.js';
import { serverFor } from '../server-client.js';
import { openRunsApi, withWorkspace } from '../workspace.js';
import { runAndReport, type ReportOptions } from './run.js';

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
  const remote = await serverFor(config);
  if (remote) {
    const specFile = resolve(io.cwd, file);
    const { name } = await loadPipeline(specFile);
    const answer = await remote.registerPipeline(action, name, specFile, options.run !== false);
    if (options.json) io.out(json(answer));
    else {
      io.err(
        answer.unchanged
          ? `pipeline ${name} is unchanged (version ${answer.pipeline.version})\n`
          : `${pc.green('✓')} pipeline ${name} version ${answer.pipeline.version} registered on ${remote.url}\n`,
      );
      if (answer.run)
        io.err(`run ${answer.run.id} queued; follow it with \`sluice logs -f ${answer.run.id}\`\n`);
    }
    return EXIT.ok;
  }
  return withWorkspace(config, `sluice pipeline ${action} ${file}`, async (workspace) => {
    const registration = await registerPipeline(workspace, action, resolve(io.cwd, file));
    const { pipeline, record, previous, changedSteps, hasData } = registration;
    if (!options.json) {
      if (registration.unchanged)
        io.err(`pipeline ${pipeline.name} is unchanged (version ${record.version})\n`);
      else {
        const what = previous
          ? `; changed steps: ${changedSteps.length > 0 ? changedSteps.join(', ') : 'none (spec settings only)'}`
          : '';
        io.err(`${pc.green('✓')} pipeline ${pipeline.name} version ${record.version} registered${what}\n`);
      }
    }
    const unchanged = registration.unchanged && !options.reprocess;
    if (options.run === false || !hasData || unchanged) {
      if (options.json) io.out(json({ pipeline: record, changedSteps, run: null }));
      else if (!hasData)
        io.err(`its input repos have no commits yet; it runs when data arrives (\`sluice put\`)\n`);
      return EXIT.ok;
    }
    return runAndReport(
      workspace,
      pipeline,
      {
        params: resolveParams(pipeline, {}),
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

export async function pipelineList(options: { json?: boolean }, config: CliConfig, io: Io): Promise<number> {
  const remote = await serverFor(config);
  const pipelines = remote
    ? await remote.listPipelines()
    : await withWorkspace(config, 'sluice pipeline list', ({ store }) => store.repos.listPipelines());
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
  const remote = await serverFor(config);
  if (remote) {
    await remote.deletePipeline(name);
    if (options.json) io.out(json({ deleted: name }));
    else io.out(`deleted pipeline ${name} on ${remote.url}\n`);
    return EXIT.ok;
  }
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
  const [repo, ref] = [target.slice(0, at), target.slice(at + 1)];
  const remote = await serverFor(config);
  const lineage = remote
    ? await remote.lineage(repo, ref, maxDepth)
    : await withWorkspace(config, `sluice lineage ${target}`, async ({ repos, store }) =>
        commitLineage(store.repos, await repos.resolveCommit(repo, ref), maxDepth),
      );
  if (options.json) {
    io.out(json(lineage));
    return EXIT.ok;
  }
  io.out(`${pc.bold(`${lineage.repo}@${lineage.commit}`)}  ${lineage.message}\n`);
  const made = lineage.provenance;
  if (made) {
    io.out(
      `made by pipeline ${made.pipeline}${made.version ? ` version ${made.version}` : ''}, run ${made.runId}\n`,
    );
  }
  io.out(`${pc.bold('comes from')}:\n`);
  printTree(lineage.upstream, '  ', io, 'input of');
  if (lineage.upstream.length === 0) io.out('  (nothing: data put by a user)\n');
  io.out(`${pc.bold('derived')}:\n`);
  printTree(lineage.downstream, '  ', io, 'by');
  if (lineage.downstream.length === 0) io.out('  (nothing yet)\n');
  return EXIT.ok;
}

function printTree(nodes: LineageNode[], indent: string, io: Io, verb: string): void {
  for (const item of nodes) {
    const by = item.pipeline ? pc.dim(` (pipeline ${item.pipeline}, run ${item.runId})`) : '';
    io.out(`${indent}${item.repo}@${item.commit}${by}\n`);
    printTree(item.children, `${indent}  `, io, verb);
  }
}

export { datumState, STATE_ORDER };

export async function datumsCommand(
  runId: string,
  options: { step?: string; state?: string; json?: boolean; limit?: string },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const opened = await openRunsApi(config);
  const detail = await opened.api.runDetail(runId).finally(() => opened.close());
  const { run, tasks } = detail;
  const listing = datumListing(run.id, tasks, { step: options.step, state: options.state });
  if (options.json) {
    io.out(json(listing));
    return EXIT.ok;
  }
  const { counts } = listing;
  const selected = tasks.filter(
    (task) =>
      (!options.step || task.step === options.step) && (!options.state || datumState(task) === options.state),
  );
  io.out(`${pc.bold(`run ${run.id}`)}  ${run.pipeline}  ${run.status}\n`);
  for (const [step, byState] of Object.entries(counts)) {
    const parts = STATE_ORDER.filter((state) => byState[state]).map((state) => `${byState[state]} ${state}`);
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
    const failed = restartableTasks(tasks, options.step);
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
