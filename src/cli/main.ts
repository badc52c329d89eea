/**
 * The `sluice` command: parses the command line, compiles the configuration once, runs one
 * command and maps any error to a message on stderr and an exit code ({@link EXIT}).
 */
import { Command, CommanderError, Option } from 'commander';
import { pc, useColors } from './colors.js';
import { SpecError, formatProblem, toSluiceError } from '../core/index.js';
import { cancelCommand, logsCommand, runsCommand, showCommand } from './commands/runs.js';
import { runCommand } from './commands/run.js';
import { tokenCreateCommand, tokenListCommand, tokenRevokeCommand } from './commands/tokens.js';
import { isPipelineName, runRegistered } from './commands/run-registered.js';
import {
  branchCommand,
  diffCommand,
  getCommand,
  logCommand,
  lsCommand,
  putCommand,
  repoCommand,
  rmCommand,
} from './commands/data.js';
import {
  datumsCommand,
  lineageCommand,
  pipelineCreateOrUpdate,
  pipelineDelete,
  pipelineList,
  restartDatumCommand,
  STATE_ORDER,
} from './commands/pipelines.js';
import { validateCommand } from './commands/validate.js';
import {
  modelsAlias,
  modelsDownload,
  modelsList,
  modelsRemove,
  modelsRetention,
  modelsShow,
} from './commands/models.js';
import { tableExport, tableList, tableShow } from './commands/tables.js';
import {
  topicConsume,
  topicCreate,
  topicDelete,
  topicLag,
  topicList,
  topicMqtt,
  topicProduce,
  topicRead,
  topicReset,
  topicShow,
} from './commands/topic.js';
import { batchesExec, batchesLoader, batchesRead, type BatchFlags } from './commands/batches.js';
import {
  DEFAULT_PORT,
  backfillCommand,
  serveCommand,
  type BackfillOptions,
  type ServeOptions,
} from './commands/service.js';
import { workerCommand, workersCommand, type WorkerCommandOptions } from './commands/worker.js';
import { DEFAULT_SERVE_PORT, serveModelCommand, type ServeModelOptions } from './commands/serve.js';
import { initCommand } from './commands/init.js';
import { compileConfig, type CliConfig } from './config.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { json, processIo, type Io } from './io.js';

const VERSION = '0.1.0';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Runs the CLI with `argv` (without `node` and the script) and resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const wantsJson = argv.includes('--json');
  useColors(io.tty && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb');
  const program = new Command('sluice')
    .description('Machine-learning data pipelines: versioned data, pipelines, runs.')
    .version(VERSION)
    .option('--home <dir>', 'data directory (default: $SLUICE_HOME or ./.sluice)')
    .option('--concurrency <n>', 'running attempts at once (default: $SLUICE_CONCURRENCY or 2 x cores)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .showHelpAfterError('(add --help for usage)');

  const config = (): CliConfig =>
    compileConfig(program.opts<{ home?: string; concurrency?: string }>(), io.env, io.cwd, io.tty);

  program
    .command('validate')
    .description('check a pipeline spec and report every problem with file:line:column')
    .argument('<file>', 'pipeline spec (.yaml, .yml, .ts, .js)')
    .option('--json', 'machine-readable report')
    .action(async (file: string, options: { json?: boolean }) => {
      exitCode = await validateCommand(file, options, io);
    });

  program
    .command('run')
    .description(
      'run a pipeline and print its desired outputs (a registered one by name runs on the server when SLUICE_URL is set)',
    )
    .argument('<file>', 'pipeline spec (.yaml, .yml, .ts, .js), or the name of a registered pipeline')
    .option('-p, --param <key=value>', 'a run parameter (repeatable)', collect)
    .option('--json', 'print the result as JSON (no progress)')
    .option('--no-cache', 're-execute steps even when a stored result matches')
    .option('--timeout <duration>', 'fail the run if it has not ended after this long (e.g. 10m)')
    .option('--logs', "print the steps' log lines as they come")
    .option('-q, --quiet', 'no progress output')
    .action(async (file: string, options: Parameters<typeof runCommand>[1]) => {
      exitCode = isPipelineName(file)
        ? await runRegistered(file, options, config(), io)
        : await runCommand(file, options, config(), io);
    });

  program
    .command('runs')
    .description('list runs, newest first')
    .option('--pipeline <name>', 'only runs of this pipeline')
    .addOption(
      new Option('--status <status>', 'only runs in this state').choices([
        'queued',
        'running',
        'succeeded',
        'failed',
        'cancelled',
        'interrupted',
      ]),
    )
    .option('--limit <n>', 'how many (default 20)')
    .option('--json', 'machine-readable output')
    .action(async (options: Parameters<typeof runsCommand>[0]) => {
      exitCode = await runsCommand(options, config(), io);
    });

  program
    .command('show')
    .description('show a run: params, steps with task counts, errors, outputs, metrics')
    .argument('<run>', 'run id or a unique prefix')
    .option('--json', 'machine-readable output')
    .action(async (run: string, options: { json?: boolean }) => {
      exitCode = await showCommand(run, options, config(), io);
    });

  program
    .command('logs')
    .description("print a run's logs; --follow keeps printing until the run ends")
    .argument('<run>', 'run id or a unique prefix')
    .option('-f, --follow', 'wait for new lines until the run ends')
    .option('--step <name>', 'only this step')
    .option('--json', 'one JSON object per line')
    .action(async (run: string, options: { follow?: boolean; step?: string; json?: boolean }) => {
      exitCode = await logsCommand(run, options, config(), io);
    });

  program
    .command('cancel')
    .description('cancel a running run (also from another shell)')
    .argument('<run>', 'run id or a unique prefix')
    .option('--json', 'machine-readable output')
    .action(async (run: string, options: { json?: boolean }) => {
      exitCode = await cancelCommand(run, options, config(), io);
    });

  const repo = program.command('repo').description('versioned data repos: create, list, delete');
  repo
    .command('create')
    .description('create an empty repo')
    .argument('<name>', "lowercase letters, digits, '_', '-', '.'")
    .option('-d, --description <text>', 'what the data is')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { description?: string; json?: boolean }) => {
      exitCode = await repoCommand('create', name, options, config(), io);
    });
  repo
    .command('list')
    .description('list repos with their branches, file counts and sizes')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      exitCode = await repoCommand('list', undefined, options, config(), io);
    });
  repo
    .command('delete')
    .description('delete a repo with all its commits (file contents shared with others stay)')
    .argument('<name>', 'the repo')
    .option('--force', 'delete even when registered pipelines read it')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { force?: boolean; json?: boolean }) => {
      exitCode = await repoCommand('delete', name, options, config(), io);
    });

  program
    .command('put')
    .description(
      "commit a file, a folder's contents or stdin (-) to REPO[@BRANCH]; starts the pipelines that read it",
    )
    .argument('<repo>', 'REPO[@BRANCH] (default branch main)')
    .argument('<path>', "local file or folder, or '-' for standard input")
    .option('--to <path>', "destination in the repo (default '/'; a file keeps its name)")
    .option('-m, --message <text>', 'commit message')
    .option('--no-trigger', 'do not start the pipelines that read this branch')
    .option('-q, --quiet', 'no progress output')
    .option('--json', 'machine-readable output')
    .action(async (target: string, path: string, options: Parameters<typeof putCommand>[2]) => {
      exitCode = await putCommand(target, path, options, config(), io);
    });

  program
    .command('rm')
    .description('commit the removal of a file or folder')
    .argument('<target>', 'REPO[@BRANCH]:PATH')
    .option('-m, --message <text>', 'commit message')
    .option('--no-trigger', 'do not start the pipelines that read this branch')
    .option('-q, --quiet', 'no progress output')
    .option('--json', 'machine-readable output')
    .action(async (target: string, options: Parameters<typeof rmCommand>[1]) => {
      exitCode = await rmCommand(target, options, config(), io);
    });

  program
    .command('ls')
    .description('list files and folders at a commit')
    .argument('<target>', 'REPO[@BRANCH_OR_COMMIT][:PATH]')
    .option('-r, --recursive', 'every file under the path')
    .option('--json', 'machine-readable output')
    .action(async (target: string, options: { json?: boolean; recursive?: boolean }) => {
      exitCode = await lsCommand(target, options, config(), io);
    });

  program
    .command('get')
    .description('print a file (verified against its hash), or write files to -o')
    .argument('<target>', 'REPO[@BRANCH_OR_COMMIT]:PATH')
    .option('-o, --output <path>', 'write to this file or folder instead of stdout')
    .option('--json', 'machine-readable summary (with -o)')
    .action(async (target: string, options: { output?: string; json?: boolean }) => {
      exitCode = await getCommand(target, options, config(), io);
    });

  program
    .command('log')
    .description("a branch's commits, newest first, with provenance")
    .argument('<repo>', 'REPO[@BRANCH_OR_COMMIT]')
    .option('--limit <n>', 'how many (default 50)')
    .option('--json', 'machine-readable output')
    .action(async (target: string, options: { json?: boolean; limit?: string }) => {
      exitCode = await logCommand(target, options, config(), io);
    });

  program
    .command('diff')
    .description('files added, changed and removed between two commits')
    .argument('<repo>', 'the repo')
    .argument('<from>', 'branch or commit')
    .argument('<to>', 'branch or commit')
    .option('--json', 'machine-readable output')
    .action(async (target: string, from: string, to: string, options: { json?: boolean }) => {
      exitCode = await diffCommand(target, from, to, options, config(), io);
    });

  const branch = program.command('branch').description('branches of a repo: create, list, delete');
  branch
    .command('create')
    .description('create a branch, empty or starting at a commit')
    .argument('<target>', 'REPO@BRANCH')
    .option('--from <ref>', 'branch or commit to start from')
    .option('--json', 'machine-readable output')
    .action(async (target: string, options: { from?: string; json?: boolean }) => {
      exitCode = await branchCommand('create', target, options, config(), io);
    });
  branch
    .command('list')
    .argument('<repo>', 'the repo')
    .option('--json', 'machine-readable output')
    .action(async (target: string, options: { json?: boolean }) => {
      exitCode = await branchCommand('list', target, options, config(), io);
    });
  branch
    .command('delete')
    .argument('<target>', 'REPO@BRANCH')
    .option('--json', 'machine-readable output')
    .action(async (target: string, options: { json?: boolean }) => {
      exitCode = await branchCommand('delete', target, options, config(), io);
    });

  const pipeline = program
    .command('pipeline')
    .description('registered pipelines: run on every commit to the repos they read');
  for (const action of ['create', 'update'] as const) {
    pipeline
      .command(action)
      .description(
        action === 'create'
          ? 'register a pipeline and run it on the current data'
          : 'register a new version; only changed steps lose their cached results',
      )
      .argument('<file>', 'pipeline spec')
      .option('--reprocess', 're-run every datum, even those already processed')
      .option('--no-run', 'register only; run on the next commit')
      .option('--logs', "print the steps' log lines as they come")
      .option('-q, --quiet', 'no progress output')
      .option('--json', 'machine-readable output')
      .action(async (file: string, options: Parameters<typeof pipelineCreateOrUpdate>[2]) => {
        exitCode = await pipelineCreateOrUpdate(action, file, options, config(), io);
      });
  }
  pipeline
    .command('list')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      exitCode = await pipelineList(options, config(), io);
    });
  pipeline
    .command('delete')
    .description('unregister a pipeline (its output repo stays)')
    .argument('<name>', 'pipeline name or spec file')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { json?: boolean }) => {
      exitCode = await pipelineDelete(name, options, config(), io);
    });

  program
    .command('lineage')
    .description('where a commit came from, and what was derived from it')
    .argument('<target>', 'REPO@COMMIT (or REPO@BRANCH for its head)')
    .option('--depth <n>', 'how many levels to follow (default 32)')
    .option('--json', 'machine-readable output')
    .action(async (target: string, options: { json?: boolean; depth?: string }) => {
      exitCode = await lineageCommand(target, options, config(), io);
    });

  program
    .command('datums')
    .description("a run's datums with their states and errors; counts per step add up to the total")
    .argument('<run>', 'run id or a unique prefix')
    .option('--step <name>', 'only this step')
    .addOption(new Option('--state <state>', 'only datums in this state').choices(STATE_ORDER))
    .option('--limit <n>', 'datums listed (default 100)')
    .option('--json', 'machine-readable output')
    .action(async (run: string, options: Parameters<typeof datumsCommand>[1]) => {
      exitCode = await datumsCommand(run, options, config(), io);
    });

  program
    .command('restart-datum')
    .description('run failed datums of a run again, on the same input commits (all failed ones by default)')
    .argument('<run>', 'run id or a unique prefix')
    .argument('[datums...]', 'datum keys to restart (see `sluice datums RUN`)')
    .option('--step <name>', 'the step the datums failed in')
    .option('--logs', "print the steps' log lines as they come")
    .option('-q, --quiet', 'no progress output')
    .option('--json', 'machine-readable output')
    .action(async (run: string, datums: string[], options: Parameters<typeof restartDatumCommand>[2]) => {
      exitCode = await restartDatumCommand(run, datums, options, config(), io);
    });

  for (const mode of ['dev', 'server'] as const) {
    const command = program
      .command(mode)
      .description(
        mode === 'dev'
          ? 'serve the scheduler, workers and HTTP API on one port; registers and watches the pipelines under DIR'
          : 'serve the scheduler, workers and HTTP API (no file watching), for deployment',
      );
    if (mode === 'dev')
      command.argument('[dir]', 'project folder whose pipeline specs are registered and watched', '.');
    command
      .option(
        '--port <port>',
        `port to listen on (default: $SLUICE_PORT or ${DEFAULT_PORT}; 0 picks a free one)`,
      )
      .option(
        '--host <host>',
        'address to bind (default: $SLUICE_HOST or 127.0.0.1; others require API tokens)',
      )
      .option('--max-runs <n>', 'runs executing at once across pipelines (default 4)')
      .option(
        '--pool <name=size>',
        'a run pool pipelines can name with `pool:` (repeatable; also $SLUICE_POOLS)',
        collect,
      )
      .option('--grace <duration>', 'on SIGTERM, how long running attempts may finish (default 30s)')
      .option('--json', 'print the URL and registered pipelines as one JSON line; no event lines')
      .action(async (...args: unknown[]) => {
        const dir = mode === 'dev' ? (args[0] as string) : undefined;
        const options = (mode === 'dev' ? args[1] : args[0]) as ServeOptions;
        exitCode = await serveCommand(mode, dir, options, config(), io);
      });
  }

  program
    .command('serve')
    .description(
      'serve one model over HTTP (POST /api/models/NAME/predict), swapping versions when the alias moves',
    )
    .argument('<model>', 'NAME (its latest version), NAME@ALIAS or NAME:VERSION')
    .option(
      '--port <port>',
      `port to listen on (default: $SLUICE_SERVE_PORT or ${DEFAULT_SERVE_PORT}; 0 picks a free one)`,
    )
    .option(
      '--host <host>',
      'address to bind (default: $SLUICE_HOST or 127.0.0.1; others require API tokens)',
    )
    .option('--max-batch <rows>', 'rows per batch at most; 1 turns batching off (default 32)')
    .option('--max-wait <duration>', 'how long a request waits for others to batch with (default 2ms)')
    .option('--replicas <n>', 'model threads for TF.js and ONNX versions, each with a copy (default 1)')
    .option('--threads <n>', 'compute threads inside each model thread (default 1)')
    .option('--json', 'print the URL, version and options as one JSON line')
    .action(async (model: string, options: ServeModelOptions) => {
      exitCode = await serveModelCommand(model, options, config(), io);
    });

  program
    .command('backfill')
    .description(
      'run a pipeline over a past range: the cron ticks between two dates, or the input commits between two commits',
    )
    .argument('<pipeline>', 'a registered pipeline')
    .requiredOption('--from <date|commit>', 'first day (2026-11-01), date-time, or commit of the range')
    .requiredOption('--to <date|commit>', 'last day, date-time, or commit of the range (inclusive)')
    .option('--input <name>', 'for a pipeline reading several repos: the input whose commits the range names')
    .option('--concurrency <n>', 'runs of the backfill at once (default 2)')
    .option('-p, --param <key=value>', 'a param for every run (repeatable)', collect)
    .option('--json', 'machine-readable output')
    .action(async (pipeline: string, options: BackfillOptions) => {
      exitCode = await backfillCommand(pipeline, options, config(), io);
    });

  program
    .command('init')
    .description('create a new project: a sample pipeline, a TypeScript step, a command step, .gitignore')
    .argument('<dir>', 'folder to create the project in')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, options: { json?: boolean }) => {
      exitCode = await initCommand(dir, options, io);
    });

  const models = program.command('models').description('the model registry: versions, aliases, retention');
  models
    .command('list')
    .description('models with their version counts, latest versions, aliases and retention rules')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      exitCode = await modelsList(options, config(), io);
    });
  models
    .command('show')
    .description(
      "a model's versions (NAME), or one version's files, metrics and provenance (NAME@ALIAS, NAME:VERSION)",
    )
    .argument('<ref>', 'NAME, NAME@ALIAS or NAME:VERSION')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, options: { json?: boolean }) => {
      exitCode = await modelsShow(ref, options, config(), io);
    });
  models
    .command('alias')
    .description(
      "point an alias (e.g. production) at a version, or remove it with --delete; 'latest' moves by itself",
    )
    .argument('<name>', 'the model')
    .argument('<alias>', 'the alias')
    .argument('[version]', 'the version the alias names')
    .option('--delete', 'remove the alias')
    .option('--json', 'machine-readable output')
    .action(
      async (
        name: string,
        alias: string,
        version: string | undefined,
        options: { delete?: boolean; json?: boolean },
      ) => {
        exitCode = await modelsAlias(name, alias, version, options, config(), io);
      },
    );
  models
    .command('rm')
    .description('remove a model version (refused while an alias names it, unless --force)')
    .argument('<ref>', 'NAME:VERSION')
    .option('--force', 'remove it with its aliases')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, options: { force?: boolean; json?: boolean }) => {
      exitCode = await modelsRemove(ref, options, config(), io);
    });
  models
    .command('retention')
    .description(
      'keep only the newest N versions (and, with --keep-aliased, aliased ones); applied now and on every save',
    )
    .argument('<name>', 'the model')
    .option('--keep-last <n>', 'versions to keep')
    .option('--keep-aliased', 'never delete a version an alias names')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { keepLast?: string; keepAliased?: boolean; json?: boolean }) => {
      exitCode = await modelsRetention(name, options, config(), io);
    });
  models
    .command('download')
    .description("write a model version's files to a folder")
    .argument('<ref>', 'NAME, NAME@ALIAS or NAME:VERSION')
    .option('-o, --output <dir>', 'the folder to write to')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, options: { output?: string; json?: boolean }) => {
      exitCode = await modelsDownload(ref, options, config(), io);
    });

  const table = program.command('table').description('tables steps write rows to: list, show, export');
  table
    .command('list')
    .description('tables with their columns and row counts')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      exitCode = await tableList(options, config(), io);
    });
  table
    .command('show')
    .description("a table's rows, oldest first")
    .argument('<name>', 'the table')
    .option('--limit <n>', 'rows shown (default 20)')
    .option('--offset <n>', 'rows skipped first')
    .option('--where <column=value>', 'only rows where column equals value (repeatable)', collect)
    .option('--run <run>', 'only rows written by this run')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: Parameters<typeof tableShow>[1]) => {
      exitCode = await tableShow(name, options, config(), io);
    });
  table
    .command('export')
    .description('every row as CSV or JSON, to stdout or a file')
    .argument('<name>', 'the table')
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--where <column=value>', 'only rows where column equals value (repeatable)', collect)
    .option('--run <run>', 'only rows written by this run')
    .action(async (name: string, options: Parameters<typeof tableExport>[1]) => {
      exitCode = await tableExport(name, options, config(), io);
    });

  const topic = program
    .command('topic')
    .description('topics (streams): create, list, show, delete, produce, read, consume, lag, reset, mqtt');
  topic
    .command('create')
    .description('create a topic')
    .argument('<name>', 'the topic')
    .option('--max-age <duration>', 'drop messages older than this (e.g. 7d, 12h)')
    .option('--max-bytes <size>', 'keep at most this much data (e.g. 512MB, 1GB)')
    .option('--max-deliveries <n>', 'deliveries to a group before a message is dead-lettered (default 5)')
    .option('--ack-wait <duration>', 'redeliver after this long without an ack (default 30s)')
    .option('--dead-letter <topic>', 'where messages out of deliveries go (default NAME.dlq)')
    .option('--no-dead-letter', 'drop messages out of deliveries')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: Parameters<typeof topicCreate>[1]) => {
      exitCode = await topicCreate(name, options, config(), io);
    });
  topic
    .command('list')
    .description('topics with their messages, groups and lag')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      exitCode = await topicList(options, config(), io);
    });
  topic
    .command('show')
    .description("a topic's config, extent and consumer groups")
    .argument('<name>', 'the topic')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { json?: boolean }) => {
      exitCode = await topicShow(name, options, config(), io);
    });
  topic
    .command('delete')
    .description('delete a topic with its messages and groups')
    .argument('<name>', 'the topic')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { json?: boolean }) => {
      exitCode = await topicDelete(name, options, config(), io);
    });
  topic
    .command('produce')
    .description(
      "produce messages: JSON values as arguments, '-' for JSON lines on stdin, or --file for bytes",
    )
    .argument('<name>', 'the topic')
    .argument('[values...]', 'JSON values, one message each')
    .option('--key <key>', 'the key of every message')
    .option('--header <name=value>', 'a header of every message (repeatable)', collect)
    .option('--file <path>', "one message holding this file's bytes")
    .option('--json', 'machine-readable output')
    .action(async (name: string, values: string[], options: Parameters<typeof topicProduce>[2]) => {
      exitCode = await topicProduce(name, values, options, config(), io);
    });
  topic
    .command('read')
    .description('retained messages as JSON lines, without a group')
    .argument('<name>', 'the topic')
    .option('--from-seq <n>', 'first sequence number')
    .option('--from-time <iso>', 'first publish time')
    .option('--limit <n>', 'at most this many (default 100)')
    .action(async (name: string, options: Parameters<typeof topicRead>[1]) => {
      exitCode = await topicRead(name, options, config(), io);
    });
  topic
    .command('consume')
    .description('consume as a member of a group: JSON lines on stdout, acked after printing')
    .argument('<name>', 'the topic')
    .requiredOption('--group <group>', 'the consumer group')
    .option('--max <n>', 'stop after this many messages')
    .option('--timeout <duration>', 'stop once nothing came for this long (default 5s)')
    .option('--no-ack', 'print without acknowledging (they are delivered again)')
    .option('--follow', 'keep consuming until Ctrl-C')
    .action(async (name: string, options: Parameters<typeof topicConsume>[1]) => {
      exitCode = await topicConsume(name, options, config(), io);
    });
  topic
    .command('lag')
    .description('how far each consumer group is behind')
    .argument('<name>', 'the topic')
    .option('--group <group>', 'only this group')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { group?: string; json?: boolean }) => {
      exitCode = await topicLag(name, options, config(), io);
    });
  topic
    .command('reset')
    .description('move a group to a seq, a time, the earliest or the latest message (replay)')
    .argument('<name>', 'the topic')
    .argument('<group>', 'the consumer group')
    .option('--to-seq <n>', 'the first sequence number to deliver again')
    .option('--to-time <iso>', 'the first publish time to deliver again')
    .option('--earliest', 'from the oldest retained message')
    .option('--latest', 'skip everything waiting')
    .option('--json', 'machine-readable output')
    .action(async (name: string, group: string, options: Parameters<typeof topicReset>[2]) => {
      exitCode = await topicReset(name, group, options, config(), io);
    });
  topic
    .command('mqtt')
    .description('feed messages from an MQTT broker into a topic until stopped')
    .argument('<name>', 'the topic')
    .requiredOption('--url <url>', 'the broker, e.g. mqtt://127.0.0.1:1883')
    .requiredOption('--filter <filter>', "an MQTT topic filter, e.g. 'sensors/#' (repeatable)", collect)
    .option('--qos <qos>', '1 (default): acked after produce; 0: at most once')
    .action(async (name: string, options: Parameters<typeof topicMqtt>[1]) => {
      exitCode = await topicMqtt(name, options, config(), io);
    });

  const batches = program
    .command('batches')
    .description(
      "random training batches of a repo's datapoints, loaded by worker processes: read, exec, loader",
    );
  const sessionFlags = (command: Command): Command =>
    command
      .requiredOption('--repo <repo>', 'the repo holding the datapoints (e.g. cardiac-mri)')
      .option('--ref <ref>', 'branch or commit (default main)')
      .option('--path <path>', 'only datapoints under this path (default /)')
      .option('--suffix <suffix>', 'only files ending so (default .arrays)')
      .option('--size <n>', 'datapoints per batch (default 8)')
      .option('--epochs <n>', 'passes over the datapoints (default 1)')
      .option('--seed <n>', 'fixes the order (default random, printed)')
      .option('--drop-last', "leave out each epoch's short last batch")
      .option('--prefetch <n>', 'batches requested ahead of the one in use (default 4)')
      .option('--loaders <n>', 'loader processes to fork (default 2)')
      .option('--name <name>', 'session name, naming its topics (default random)')
      .option('--ack-wait <ms>', 'redeliver a request after this many ms without its loader (default 10000)');
  sessionFlags(batches.command('read').description('print the batches of a session (shapes and datapoints)'))
    .option('--limit <n>', 'stop after this many batches')
    .option('--json', 'one JSON line per batch')
    .action(async (options: BatchFlags & { limit?: string; json?: boolean }) => {
      exitCode = await batchesRead(options, config(), io);
    });
  sessionFlags(
    batches
      .command('exec')
      .description('run a program (e.g. python3 train.py) that reads the batches from $SLUICE_BATCHES_SOCKET')
      .argument('<program...>', 'the program and its arguments, after --'),
  ).action(async (programArgs: string[], options: BatchFlags) => {
    exitCode = await batchesExec(programArgs, options, config(), io);
  });
  batches
    .command('loader')
    .description("load a session's batch requests until stopped (on another machine: topics in NATS)")
    .requiredOption('--name <name>', 'the session name')
    .option('--concurrency <n>', 'requests loaded at once (default 2)')
    .option('--objects <dir>', 'the object store folder (default <home>/objects)')
    .action(async (options: Parameters<typeof batchesLoader>[0]) => {
      exitCode = await batchesLoader(options, config(), io);
    });

  program
    .command('worker')
    .description('execute attempts queued by cluster schedulers (needs SLUICE_DATABASE_URL)')
    .option('--concurrency <n>', 'attempts at once (default 2 x cores)')
    .option('--grace <duration>', 'on SIGTERM, how long running attempts may finish', '30s')
    .option('--json', 'one JSON line per attempt event')
    .action(async (options: WorkerCommandOptions) => {
      // NOTE: `--concurrency` is also the program's own flag, which commander may give it to.
      const concurrency = options.concurrency ?? program.opts<{ concurrency?: string }>().concurrency;
      exitCode = await workerCommand({ ...options, ...(concurrency ? { concurrency } : {}) }, config(), io);
    });
  program
    .command('workers')
    .description("a cluster's workers seen within the last minute, with their leases")
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      exitCode = await workersCommand(options, config(), io);
    });

  const token = program.command('token').description('API tokens for the HTTP API: create, list, revoke');
  token
    .command('create')
    .description('create a token and print its secret (shown only once)')
    .addOption(
      new Option(
        '--role <role>',
        'viewer reads; editor also launches and uploads; admin also deletes and manages tokens',
      )
        .choices(['viewer', 'editor', 'admin'])
        .makeOptionMandatory(),
    )
    .option('--name <name>', 'what the token is for')
    .option('--json', 'machine-readable output')
    .action(async (options: { role: string; name?: string; json?: boolean }) => {
      exitCode = await tokenCreateCommand(options, config(), io);
    });
  token
    .command('list')
    .description('tokens with their roles and last use (never their secrets)')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      exitCode = await tokenListCommand(options, config(), io);
    });
  token
    .command('revoke')
    .description('revoke a token: requests with it are refused from now on')
    .argument('<id>', 'token id (see `sluice token list`)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { json?: boolean }) => {
      exitCode = await tokenRevokeCommand(id, options, config(), io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      if (error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    const failure = toSluiceError(error);
    if (wantsJson) {
      io.err(json({ error: failure.toJSON() }));
    } else if (failure instanceof SpecError) {
      for (const problem of failure.problems) io.err(`${formatProblem(problem)}\n`);
      io.err(
        `${pc.red('✗')} ${failure.problems.length} problem${failure.problems.length === 1 ? '' : 's'}; see \`sluice validate\`\n`,
      );
    } else {
      io.err(`${pc.red('error')} [${failure.code}] ${failure.message}\n`);
      if (failure.code === 'INTERNAL' && failure.cause instanceof Error && failure.cause.stack) {
        io.err(`${pc.dim(failure.cause.stack)}\n`);
      }
    }
    return exitCodeFor(failure.code);
  }
}
