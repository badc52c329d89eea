/**
 * `sluice run FILE -p key=value ...`: checks the spec and params, runs the pipeline on the
 * embedded engine with live progress, prints the desired outputs. Ctrl-C cancels the run
 * (a second Ctrl-C exits at once).
 */
import { resolve } from 'node:path';
import { pc } from '../colors.js';
import { SluiceError } from '../../core/index.js';
import type { RunEvent, RunOptions } from '../../engine/index.js';
import type { RunRecord } from '../../store/index.js';
import { loadPipeline, parseDuration, resolveParams, type Pipeline } from '../../spec/index.js';
import type { CliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { json, type Io } from '../io.js';
import { ProgressView, formatSeconds } from '../progress.js';
import { openLocalWorkspace, type LocalWorkspace } from '../workspace.js';

export interface RunCommandOptions {
  param?: string[];
  json?: boolean;
  cache?: boolean;
  quiet?: boolean;
  timeout?: string;
  /** Print the run's log lines as they come (default on a terminal: off). */
  logs?: boolean;
}

/** Parses `-p key=value` flags; the value may contain '='. */
export function parseParamFlags(flags: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0) throw new SluiceError('USAGE', `-p ${flag}: expected key=value`);
    params[flag.slice(0, at)] = flag.slice(at + 1);
  }
  return params;
}

export async function runCommand(
  file: string,
  options: RunCommandOptions,
  config: CliConfig,
  io: Io,
): Promise<number> {
  const pipeline = await loadPipeline(resolve(io.cwd, file));
  const params = resolveParams(pipeline, parseParamFlags(options.param ?? []));
  const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout);
  const workspace = await openLocalWorkspace(config, `sluice run ${file}`);
  try {
    return await runAndReport(
      workspace,
      pipeline,
      { params, noCache: options.cache === false, ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
      options,
      config,
      io,
    );
  } finally {
    await workspace.close();
  }
}

/** How a run is shown: what `sluice run` prints, also used by `pipeline create|update` and restarts. */
export type ReportOptions = Pick<RunCommandOptions, 'json' | 'quiet' | 'logs'>;

/** Outputs printed in full up to this size; larger ones are summarised (see the output commit). */
const PRINT_LIMIT = 4096;

/**
 * Starts a run with live progress, Ctrl-C cancelling it, and prints its outcome; resolves
 * to the exit code.
 */
export async function runAndReport(
  workspace: LocalWorkspace,
  pipeline: Pipeline,
  runOptions: RunOptions,
  options: ReportOptions,
  config: CliConfig,
  io: Io,
): Promise<number> {
  const showProgress = !options.json && !options.quiet;
  const progress = showProgress
    ? new ProgressView(Object.keys(pipeline.steps), { tty: config.tty, write: io.err })
    : undefined;
  const onEvent = (event: RunEvent): void => {
    progress?.onEvent(event);
    if (options.logs && event.type === 'log') {
      const { step, datum, stream, line } = event.record;
      io.err(`${pc.dim(`[${step}${datum ? `:${datum}` : ''} ${stream}]`)} ${line}\n`);
    }
  };
  let interrupts = 0;
  let handle: Awaited<ReturnType<typeof workspace.engine.startRun>> | undefined;
  const onSigint = (): void => {
    interrupts += 1;
    if (interrupts > 1) {
      io.err('interrupted again: exiting without waiting\n');
      process.exit(EXIT.cancelled);
    }
    io.err('\ncancelling the run (Ctrl-C again to exit at once)\n');
    handle?.cancel('interrupted (Ctrl-C)');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const started = Date.now();
    handle = await workspace.engine.startRun(pipeline, { ...runOptions, onEvent });
    if (!options.json && !options.quiet) {
      io.err(
        `${pc.bold(`run ${handle.id}`)} of ${pipeline.name} started; cancel with \`sluice cancel ${handle.id}\`\n`,
      );
    }
    progress?.begin();
    const run = await handle.result;
    progress?.stop();
    return reportRunOutcome(run, formatSeconds((Date.now() - started) / 1000), options, io);
  } finally {
    progress?.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

/** Prints how a run ended (outputs, or the error and where to look) and returns the exit code. */
export function reportRunOutcome(run: RunRecord, seconds: string, options: ReportOptions, io: Io): number {
  if (options.json) {
    io.out(
      json({
        runId: run.id,
        pipeline: run.pipeline,
        status: run.status,
        outputs: run.outputs,
        error: run.error,
        inputCommits: run.inputCommits,
        outputCommit: run.outputCommit,
      }),
    );
  } else if (run.status === 'succeeded') {
    if (!options.quiet) io.err(`${pc.green('✓')} run ${run.id} succeeded in ${seconds}\n`);
    if (run.outputCommit) io.err(`outputs committed to ${run.pipeline}@${run.outputCommit}\n`);
    for (const [name, value] of Object.entries(run.outputs ?? {})) {
      const text = JSON.stringify(value, null, 2) ?? 'null';
      if (text.length <= PRINT_LIMIT) io.out(`${pc.bold(name)}: ${text}\n`);
      else {
        const count = Array.isArray(value) ? `${value.length} datums, ` : '';
        io.out(
          `${pc.bold(name)}: (${count}${text.length} characters; see \`sluice show ${run.id} --json\`${run.outputCommit ? ` or \`sluice ls ${run.pipeline}@${run.outputCommit}\`` : ''})\n`,
        );
      }
    }
  } else {
    io.err(`${pc.red('✗')} run ${run.id} ${run.status} after ${seconds}\n${run.error?.message ?? ''}\n`);
    io.err(`see \`sluice datums ${run.id}\`, \`sluice show ${run.id}\` and \`sluice logs ${run.id}\`\n`);
  }
  return run.status === 'succeeded' ? EXIT.ok : run.status === 'cancelled' ? EXIT.cancelled : EXIT.runFailed;
}
