/**
 * The `sluice` command: parses the command line, compiles the configuration once, runs one
 * command and maps any error to a message on stderr and an exit code ({@link EXIT}).
 */
import { Command, CommanderError, Option } from 'commander';
import pc from 'picocolors';
import { SpecError, formatProblem, toSluiceError } from '../core/index.js';
import { cancelCommand, logsCommand, runsCommand, showCommand } from './commands/runs.js';
import { runCommand } from './commands/run.js';
import { validateCommand } from './commands/validate.js';
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
  const program = new Command('sluice')
    .description('Machine-learning data pipelines: run, validate and inspect pipelines.')
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
    .description('run a pipeline on the embedded engine and print its desired outputs')
    .argument('<file>', 'pipeline spec (.yaml, .yml, .ts, .js)')
    .option('-p, --param <key=value>', 'a run parameter (repeatable)', collect)
    .option('--json', 'print the result as JSON (no progress)')
    .option('--no-cache', 're-execute steps even when a stored result matches')
    .option('--timeout <duration>', 'fail the run if it has not ended after this long (e.g. 10m)')
    .option('--logs', "print the steps' log lines as they come")
    .option('-q, --quiet', 'no progress output')
    .action(async (file: string, options: Parameters<typeof runCommand>[1]) => {
      exitCode = await runCommand(file, options, config(), io);
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
