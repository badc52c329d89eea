/**
 * Versioned data on the command line: `sluice repo create|list|delete`, `put`, `ls`, `get`,
 * `log`, `diff`, `rm`, `branch create|list|delete`. A commit made by `put` or `rm` starts the
 * registered pipelines that read the branch (unless `--no-trigger`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pc } from '../colors.js';
import { SluiceError } from '../../core/index.js';
import { DEFAULT_BRANCH, parseRepoAddress, type ListEntry, type Repos } from '../../data/index.js';
import type { BranchRecord, CommitRecord, FileDiff, FileEntry, RepoRecord } from '../../store/index.js';
import { runCommitTriggers, type TriggerOutcome } from '../../triggers/index.js';
import type { CliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { json, type Io } from '../io.js';
import { integerFlag } from '../flags.js';
import { formatSeconds } from '../progress.js';
import { serverFor } from '../server-client.js';
import { withWorkspace, type LocalWorkspace } from '../workspace.js';
import { remoteBranch, remoteGet, remotePut } from './remote-data.js';

function shortDate(date: Date): string {
  return new Date(date).toISOString().slice(0, 19).replace('T', ' ');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function describeCommit(commit: CommitRecord): string {
  const parts = [
    commit.added ? `${commit.added} added` : '',
    commit.changed ? `${commit.changed} changed` : '',
    commit.removed ? `${commit.removed} removed` : '',
  ].filter(Boolean);
  return `${commit.repo}@${commit.branch} ${pc.bold(commit.id)} (${parts.join(', ') || 'no file changes'}; ${commit.fileCount} files, ${formatBytes(commit.bytes)})`;
}

/** Prints repos with their head commit (`repo list`). */
export function printRepos(
  rows: (RepoRecord & { branches: BranchRecord[]; head: CommitRecord | null })[],
  options: { json?: boolean },
  io: Io,
): number {
  if (options.json) {
    io.out(json(rows));
    return EXIT.ok;
  }
  if (rows.length === 0) {
    io.out('no repos yet: create one with `sluice repo create NAME`\n');
    return EXIT.ok;
  }
  io.out(
    `${pc.bold('REPO'.padEnd(24))}${pc.bold('BRANCHES'.padEnd(20))}${pc.bold('FILES'.padEnd(10))}${pc.bold('SIZE'.padEnd(12))}${pc.bold('HEAD')}\n`,
  );
  for (const row of rows) {
    io.out(
      `${row.name.padEnd(24)}${row.branches
        .map((branch) => branch.name)
        .join(',')
        .padEnd(
          20,
        )}${String(row.head?.fileCount ?? 0).padEnd(10)}${formatBytes(row.head?.bytes ?? 0).padEnd(12)}${row.head?.id ?? '-'}\n`,
    );
  }
  return EXIT.ok;
}

export async function repoCommand(
  action: 'create' | 'list' | 'delete',
  name: string | undefined,
  options: { description?: string; json?: boolean; force?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const remote = await serverFor(config);
  if (remote) {
    if (action === 'list') return printRepos(await remote.listRepos(), options, io);
    if (!name) throw new SluiceError('USAGE', `repo ${action} needs a repo name`);
    const done =
      action === 'create'
        ? await remote.createRepo(name, options.description)
        : await remote.deleteRepo(name, options.force);
    if (options.json) io.out(json(done));
    else io.out(`${action === 'create' ? 'created' : 'deleted'} repo ${name}\n`);
    return EXIT.ok;
  }
  return withWorkspace(config, `sluice repo ${action}`, async ({ repos, store }) => {
    if (action === 'list') {
      const list = await store.repos.listRepos();
      const rows = await Promise.all(
        list.map(async (repo) => {
          const main = repo.branches.find((branch) => branch.name === DEFAULT_BRANCH) ?? repo.branches[0];
          const head = main?.head ? await store.repos.getCommit(main.head) : undefined;
          return { ...repo, head: head ?? null };
        }),
      );
      return printRepos(rows, options, io);
    }
    if (!name) throw new SluiceError('USAGE', `repo ${action} needs a repo name`);
    if (action === 'create') {
      const repo = await repos.create(name, options.description ?? '');
      if (options.json) io.out(json(repo));
      else io.out(`created repo ${repo.name}\n`);
      return EXIT.ok;
    }
    await repos.require(name);
    const readers = (await store.repos.listPipelines()).filter((record) =>
      record.inputRepos.some((input) => input.startsWith(`${name}@`)),
    );
    if (readers.length > 0 && !options.force) {
      throw new SluiceError(
        'USAGE',
        `repo '${name}' is read by pipeline${readers.length > 1 ? 's' : ''} ${readers.map((record) => record.name).join(', ')}; delete ${readers.length > 1 ? 'them' : 'it'} first or pass --force`,
      );
    }
    await store.repos.deleteRepo(name);
    if (options.json) io.out(json({ deleted: name }));
    else io.out(`deleted repo ${name}\n`);
    return EXIT.ok;
  });
}

/** Starts the pipelines a new commit triggers and reports each run. */
async function trigger(
  workspace: LocalWorkspace,
  commit: CommitRecord,
  io: Io,
  quiet: boolean,
): Promise<TriggerOutcome[]> {
  const started = Date.now();
  const outcomes = await runCommitTriggers([commit], {
    store: workspace.store,
    engine: workspace.engine,
    onRunStart: (pipeline, runId, source) => {
      if (!quiet)
        io.err(
          `${pc.dim('→')} ${source.repo}@${source.branch} ${source.id} triggered pipeline ${pipeline.name}: run ${runId}\n`,
        );
    },
  });
  if (!quiet) {
    for (const outcome of outcomes) {
      if ('error' in outcome)
        io.err(`${pc.red('✗')} pipeline ${outcome.pipeline} could not start: ${outcome.error.message}\n`);
      else {
        const { run } = outcome;
        const mark = run.status === 'succeeded' ? pc.green('✓') : pc.red('✗');
        const output = run.outputCommit ? `; output commit ${run.outputCommit}` : '';
        io.err(
          `${mark} run ${run.id} of ${run.pipeline} ${run.status} in ${formatSeconds((Date.now() - started) / 1000)}${output}\n`,
        );
        if (run.status !== 'succeeded' && run.error)
          io.err(`  ${run.error.message.split('\n').join('\n  ')}\n  see \`sluice datums ${run.id}\`\n`);
      }
    }
  }
  return outcomes;
}

function triggerFailed(outcomes: TriggerOutcome[]): boolean {
  return outcomes.some((outcome) => 'error' in outcome || outcome.run.status !== 'succeeded');
}

function triggerJson(outcomes: TriggerOutcome[]): unknown[] {
  return outcomes.map((outcome) =>
    'error' in outcome
      ? outcome
      : {
          pipeline: outcome.pipeline,
          runId: outcome.run.id,
          status: outcome.run.status,
          outputCommit: outcome.run.outputCommit,
        },
  );
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface PutCommandOptions {
  to?: string;
  message?: string;
  json?: boolean;
  trigger?: boolean;
  quiet?: boolean;
}

export async function putCommand(
  target: string,
  localPath: string,
  options: PutCommandOptions,
  config: CliConfig,
  io: Io,
  stdin: () => Promise<Uint8Array> = readStdin,
): Promise<number> {
  const address = parseRepoAddress(target);
  if (address.path !== undefined) {
    throw new SluiceError(
      'USAGE',
      `put takes REPO[@BRANCH]; give the destination with --to (found ':${address.path}')`,
    );
  }
  const branch = address.ref ?? DEFAULT_BRANCH;
  const source =
    localPath === '-'
      ? { kind: 'bytes' as const, data: await stdin() }
      : { kind: 'path' as const, path: resolve(io.cwd, localPath) };
  const remote = await serverFor(config);
  if (remote) {
    const commit = await remotePut(remote, address.repo, branch, source, options);
    if (options.json) io.out(json({ commit, triggered: 'by the server' }));
    else if (!commit) io.out(`nothing changed in ${address.repo}@${branch}: no commit\n`);
    else
      io.out(
        `committed ${describeCommit(commit)} on ${remote.url}; the server starts the pipelines it triggers\n`,
      );
    return EXIT.ok;
  }
  return withWorkspace(config, `sluice put ${target}`, async (workspace) => {
    const started = Date.now();
    let lastShown = 0;
    const commit = await workspace.repos.put(address.repo, branch, source, {
      ...(options.to !== undefined ? { to: options.to } : {}),
      ...(options.message !== undefined ? { message: options.message } : {}),
      onProgress: (done, total) => {
        if (options.json || options.quiet || total < 200) return;
        const now = Date.now();
        if (now - lastShown < (config.tty ? 100 : 2000) && done < total) return;
        lastShown = now;
        io.err(config.tty ? `\rstoring files ${done}/${total}` : `storing files ${done}/${total}\n`);
        if (config.tty && done === total) io.err('\n');
      },
    });
    const seconds = formatSeconds((Date.now() - started) / 1000);
    if (!commit) {
      if (options.json) io.out(json({ commit: null, triggered: [] }));
      else io.out(`nothing changed in ${address.repo}@${branch}: no commit\n`);
      return EXIT.ok;
    }
    return reportCommit(workspace, commit, ` in ${seconds}`, options, io);
  });
}

/** Prints a new commit, runs the pipelines it triggers (unless `--no-trigger`), and sets the exit code. */
async function reportCommit(
  workspace: LocalWorkspace,
  commit: CommitRecord,
  took: string,
  options: { json?: boolean; trigger?: boolean; quiet?: boolean },
  io: Io,
): Promise<number> {
  if (!options.json) io.out(`committed ${describeCommit(commit)}${took}\n`);
  const outcomes =
    options.trigger === false
      ? []
      : await trigger(workspace, commit, io, Boolean(options.json || options.quiet));
  if (options.json) io.out(json({ commit, triggered: triggerJson(outcomes) }));
  return triggerFailed(outcomes) ? EXIT.runFailed : EXIT.ok;
}

export async function rmCommand(
  target: string,
  options: { message?: string; json?: boolean; trigger?: boolean; quiet?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const address = parseRepoAddress(target);
  if (address.path === undefined || address.path === '/') {
    throw new SluiceError('USAGE', `rm takes REPO[@BRANCH]:PATH naming a file or folder (found '${target}')`);
  }
  const branch = address.ref ?? DEFAULT_BRANCH;
  const remote = await serverFor(config);
  if (remote) {
    const path = (address.path as string).split('/').filter(Boolean).map(encodeURIComponent).join('/');
    const { commit } = await remote.json<{ commit: CommitRecord | null }>(
      'DELETE',
      `/api/repos/${encodeURIComponent(address.repo)}/files/${path}`,
      {
        query: { branch, message: options.message, trigger: options.trigger === false ? 'false' : undefined },
      },
    );
    if (options.json) io.out(json({ commit, triggered: 'by the server' }));
    else if (commit)
      io.out(
        `committed ${describeCommit(commit)} on ${remote.url}; the server starts the pipelines it triggers\n`,
      );
    return EXIT.ok;
  }
  return withWorkspace(config, `sluice rm ${target}`, async (workspace) => {
    const commit = await workspace.repos.remove(
      address.repo,
      branch,
      address.path as string,
      options.message,
    );
    return reportCommit(workspace, commit, '', options, io);
  });
}

export async function lsCommand(
  target: string,
  options: { json?: boolean; recursive?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const address = parseRepoAddress(target);
  const path = address.path ?? '/';
  const remote = await serverFor(config);
  if (remote) {
    const entries = await remote.ls(address.repo, {
      path,
      ...(address.ref ? { ref: address.ref } : {}),
      ...(options.recursive ? { recursive: true } : {}),
    });
    if (options.recursive) return printFiles(entries as FileEntry[], options, io);
    return printEntries(
      entries as ListEntry[],
      `${address.repo}@${address.ref ?? DEFAULT_BRANCH}`,
      options,
      io,
    );
  }
  return withWorkspace(config, `sluice ls ${target}`, async ({ repos }) => {
    const resolved = await repos.resolve(address.repo, address.ref);
    if (options.recursive)
      return printFiles(resolved.commit ? await repos.files(resolved.commit, path) : [], options, io);
    const entries = await repos.list(resolved.commit, path);
    return printEntries(entries, `${address.repo}@${resolved.branch ?? resolved.commit?.id}`, options, io);
  });
}

function printFiles(files: FileEntry[], options: { json?: boolean }, io: Io): number {
  if (options.json) io.out(json(files));
  else for (const file of files) io.out(`${file.path}\t${formatBytes(file.size)}\n`);
  return EXIT.ok;
}

function printEntries(entries: ListEntry[], label: string, options: { json?: boolean }, io: Io): number {
  if (options.json) {
    io.out(json(entries));
    return EXIT.ok;
  }
  if (entries.length === 0) io.out(`${label} is empty\n`);
  for (const entry of entries) {
    const size = formatBytes(entry.size).padStart(10);
    io.out(
      entry.type === 'dir'
        ? `${size}  ${pc.blue(`${entry.path}/`)}  ${pc.dim(`(${entry.files} files)`)}\n`
        : `${size}  ${entry.path}\n`,
    );
  }
  return EXIT.ok;
}

export async function getCommand(
  target: string,
  options: { output?: string; json?: boolean },
  config: CliConfig,
  io: Io,
  writeStdout: (data: Uint8Array) => void = (data) => process.stdout.write(data),
): Promise<number> {
  const address = parseRepoAddress(target);
  if (address.path === undefined)
    throw new SluiceError('USAGE', `get takes REPO[@REF]:PATH (found '${target}')`);
  const path = address.path;
  const remote = await serverFor(config);
  if (remote) return remoteGet(remote, address.repo, address.ref, path, options, io, writeStdout);
  return withWorkspace(config, `sluice get ${target}`, async ({ repos }) => {
    const commit = await repos.resolveCommit(address.repo, address.ref);
    const files = await repos.files(commit, path);
    const single = files.length === 1 && files[0]?.path === path ? files[0] : undefined;
    if (single && !options.output) {
      writeStdout(await repos.read(single));
      return EXIT.ok;
    }
    if (!options.output) {
      throw new SluiceError(
        'USAGE',
        `'${path}' is a folder of ${files.length} files: give -o DIR to write them`,
      );
    }
    const dest = resolve(io.cwd, options.output);
    const written = await writeFiles(repos, files, path, dest, Boolean(single));
    if (options.json) io.out(json({ commit: commit.id, files: written }));
    else
      io.err(
        `wrote ${written.length} file${written.length === 1 ? '' : 's'} from ${commit.repo}@${commit.id} to ${dest}\n`,
      );
    return EXIT.ok;
  });
}

/** Writes files (verified on read) under `dest`, keeping their paths relative to `base`. */
async function writeFiles(
  repos: Repos,
  files: FileEntry[],
  base: string,
  dest: string,
  single: boolean,
): Promise<string[]> {
  const written: string[] = [];
  for (const file of files) {
    const relative = single ? '' : file.path.slice(base === '/' ? 1 : base.length + 1);
    const target = single ? dest : join(dest, ...relative.split('/'));
    const data = await repos.read(file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
    written.push(target);
  }
  return written;
}

export async function logCommand(
  target: string,
  options: { json?: boolean; limit?: string },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const address = parseRepoAddress(target);
  const limit = integerFlag('--limit', options.limit, 1) ?? 50;
  const remote = await serverFor(config);
  if (remote) {
    const commits = await remote.log(address.repo, { limit, ...(address.ref ? { ref: address.ref } : {}) });
    return printCommits(commits, `${address.repo}@${address.ref ?? DEFAULT_BRANCH}`, options, io);
  }
  return withWorkspace(config, `sluice log ${target}`, async ({ repos }) => {
    const resolved = await repos.resolve(address.repo, address.ref);
    const commits = await repos.log(resolved.commit, limit);
    return printCommits(commits, `${address.repo}@${resolved.branch ?? ''}`, options, io);
  });
}

function printCommits(commits: CommitRecord[], label: string, options: { json?: boolean }, io: Io): number {
  if (options.json) {
    io.out(json(commits));
    return EXIT.ok;
  }
  if (commits.length === 0) io.out(`${label} has no commits yet\n`);
  for (const commit of commits) {
    io.out(`${pc.yellow(commit.id)} ${pc.dim(shortDate(commit.createdAt))} ${commit.message}\n`);
    const changes = [`+${commit.added}`, `~${commit.changed}`, `-${commit.removed}`].join(' ');
    io.out(`  ${pc.dim(`${changes}; ${commit.fileCount} files, ${formatBytes(commit.bytes)}`)}\n`);
    if (commit.provenance) {
      const inputs = commit.provenance.inputs.map((input) => `${input.repo}@${input.commit}`).join(', ');
      io.out(
        `  ${pc.dim(`from pipeline ${commit.provenance.pipeline}${commit.provenance.version ? ` v${commit.provenance.version}` : ''}, run ${commit.provenance.runId}; inputs ${inputs || 'none'}`)}\n`,
      );
    }
  }
  return EXIT.ok;
}

export async function diffCommand(
  repo: string,
  from: string,
  to: string,
  options: { json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const address = parseRepoAddress(repo);
  const remote = await serverFor(config);
  if (remote) return printDiffs(await remote.diff(address.repo, from, to), from, to, options, io);
  return withWorkspace(config, `sluice diff ${repo}`, async ({ repos }) => {
    const before = await repos.resolveCommit(address.repo, from);
    const after = await repos.resolveCommit(address.repo, to);
    return printDiffs(await repos.diff(before, after), before.id, after.id, options, io);
  });
}

function printDiffs(
  diffs: FileDiff[],
  from: string,
  to: string,
  options: { json?: boolean },
  io: Io,
): number {
  if (options.json) {
    io.out(json(diffs));
    return EXIT.ok;
  }
  if (diffs.length === 0) io.out(`no differences between ${from} and ${to}\n`);
  for (const entry of diffs) {
    if (!entry.before) io.out(`${pc.green('+')} ${entry.path}  ${formatBytes(entry.after?.size ?? 0)}\n`);
    else if (!entry.after) io.out(`${pc.red('-')} ${entry.path}\n`);
    else
      io.out(
        `${pc.yellow('~')} ${entry.path}  ${formatBytes(entry.before.size)} -> ${formatBytes(entry.after.size)}\n`,
      );
  }
  return EXIT.ok;
}

export async function branchCommand(
  action: 'create' | 'list' | 'delete',
  target: string,
  options: { from?: string; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const address = parseRepoAddress(target);
  const remote = await serverFor(config);
  if (remote) return remoteBranch(remote, action, address, target, options, io);
  return withWorkspace(config, `sluice branch ${action}`, async ({ repos, store }) => {
    if (action === 'list') {
      await repos.require(address.repo);
      const branches = await store.repos.listBranches(address.repo);
      if (options.json) io.out(json(branches));
      else
        for (const branch of branches) io.out(`${branch.name.padEnd(24)}${branch.head ?? '(no commits)'}\n`);
      return EXIT.ok;
    }
    if (!address.ref)
      throw new SluiceError('USAGE', `branch ${action} takes REPO@BRANCH (found '${target}')`);
    if (action === 'create') {
      const branch = await repos.createBranch(address.repo, address.ref, options.from);
      if (options.json) io.out(json(branch));
      else
        io.out(`created branch ${address.repo}@${branch.name}${branch.head ? ` at ${branch.head}` : ''}\n`);
      return EXIT.ok;
    }
    await repos.require(address.repo);
    if (!(await store.repos.deleteBranch(address.repo, address.ref))) {
      throw new SluiceError('BRANCH_NOT_FOUND', `repo '${address.repo}' has no branch '${address.ref}'`);
    }
    if (options.json) io.out(json({ deleted: `${address.repo}@${address.ref}` }));
    else io.out(`deleted branch ${address.repo}@${address.ref}\n`);
    return EXIT.ok;
  });
}
