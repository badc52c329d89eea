/**
 * `sluice run NAME -p key=value`: runs a registered pipeline by name. Against a server
 * (`SLUICE_URL`, or the server owning the data directory) the run is queued there and
 * followed until it ends; otherwise it runs here on the registered spec.
 */
import { pc } from '../colors.js';
import type { SluiceClient } from '../../client/index.js';
import { SluiceError } from '../../core/index.js';
import { parseDuration, resolveParams } from '../../spec/index.js';
import type { LogRecord, RunRecord, RunStatus } from '../../store/index.js';
import { loadRegistered } from '../../triggers/index.js';
import type { CliConfig } from '../config.js';
import type { Io } from '../io.js';
import { formatSeconds } from '../progress.js';
import { serverFor } from '../server-client.js';
import { withWorkspace } from '../workspace.js';
import { parseParamFlags, reportRunOutcome, runAndReport, type RunCommandOptions } from './run.js';

const TERMINAL: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);
const POLL_MS = 250;

/** Whether `sluice run`'s argument names a registered pipeline rather than a spec file. */
export function isPipelineName(target: string): boolean {
  return /^[a-z0-9][a-z0-9-]*$/.test(target);
}

/** Runs the registered pipeline `name`; resolves to the exit code. */
export async function runRegistered(
  name: string,
  options: RunCommandOptions,
  config: CliConfig,
  io: Io,
): Promise<number> {
  const params = parseParamFlags(options.param ?? []);
  const remote = await serverFor(config);
  if (remote) return launchAndFollow(remote, name, params, options, io);
  const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout);
  return withWorkspace(config, `sluice run ${name}`, async (workspace) => {
    const record = await workspace.store.repos.getPipeline(name);
    if (!record) {
      throw new SluiceError(
        'PIPELINE_NOT_FOUND',
        `'${name}' is neither a spec file (.yaml, .yml, .ts, .js) nor a registered pipeline; see \`sluice pipeline list\``,
      );
    }
    const pipeline = await loadRegistered(record);
    return runAndReport(
      workspace,
      pipeline,
      {
        params: resolveParams(pipeline, params),
        noCache: options.cache === false,
        registeredVersion: record.version,
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      },
      options,
      config,
      io,
    );
  });
}

/** Queues a run on the server, prints its logs (with `--logs`) and its outcome once it ends. */
async function launchAndFollow(
  client: SluiceClient,
  name: string,
  params: Record<string, string>,
  options: RunCommandOptions,
  io: Io,
): Promise<number> {
  const started = Date.now();
  const queued = await client.launch(name, params);
  if (!options.json && !options.quiet) {
    io.err(
      `${pc.bold(`run ${queued.id}`)} of ${name} queued on ${client.url}; cancel with \`sluice cancel ${queued.id}\`\n`,
    );
  }
  let after = 0;
  const printLogs = async (): Promise<void> => {
    if (!options.logs) return;
    let records: LogRecord[];
    do {
      records = await client.logs(queued.id, { afterSeq: after, limit: 5000 });
      for (const record of records) {
        io.err(
          `${pc.dim(`[${record.step}${record.datum ? `:${record.datum}` : ''} ${record.stream}]`)} ${record.line}\n`,
        );
        after = record.seq;
      }
    } while (records.length === 5000);
  };
  let run: RunRecord = queued;
  let lastStatus = run.status;
  while (!TERMINAL.has(run.status)) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    await printLogs();
    run = (await client.runDetail(queued.id)).run;
    if (run.status !== lastStatus && !options.json && !options.quiet && !TERMINAL.has(run.status))
      io.err(`run ${run.id} ${run.status}\n`);
    lastStatus = run.status;
  }
  await printLogs();
  return reportRunOutcome(run, formatSeconds((Date.now() - started) / 1000), options, io);
}
