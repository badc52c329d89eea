/**
 * `sluice dev [DIR]` and `sluice server`: the long-running service — scheduler, workers
 * and HTTP API (with the web UI once it exists) on one port. `dev` also registers every
 * pipeline spec under DIR and re-registers on file changes. Both stop gracefully on
 * SIGTERM/SIGINT: no new runs start, running ones get `--grace` to finish and are otherwise
 * recorded `interrupted`, to be resumed by the next start.
 */
import { TopicRates } from '../../server/topic-rates.js';
import { resolve } from 'node:path';
import type { ServerType } from '@hono/node-server';
import { SluiceError, formatDuration } from '../../core/index.js';
import { authModeFor } from '../../server/auth/index.js';
import { createApiApp } from '../../server/http/app.js';
import { modelServerFor, servingOptionsFrom } from './serve.js';
import { registerFolder, watchFolder, type RegistrationReport } from '../../service/dev-watch.js';
import { Service, type BackfillRequest, type ServiceEvent } from '../../service/index.js';
import type { RunRecord } from '../../store/index.js';
import { parseDuration } from '../../spec/index.js';
import { pc } from '../colors.js';
import type { CliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { closeServer, listen } from '../listen.js';
import { json, stopSignal, type Io } from '../io.js';
import { serverFor } from '../server-client.js';
import { openLocalWorkspace, withWorkspace } from '../workspace.js';
import { parseParamFlags } from './run.js';

/** Flags of `sluice dev` and `sluice server`. */
export interface ServeOptions {
  port?: string;
  host?: string;
  maxRuns?: string;
  pool?: string[];
  grace?: string;
  json?: boolean;
}

/** The default port of `sluice dev` and `sluice server`. */
export const DEFAULT_PORT = 7420;

/** Parses `--pool NAME=SIZE` flags (and `SLUICE_POOLS=a=1,b=2`). */
export function parsePools(flags: string[], env: string | undefined): Record<string, number> {
  const pools: Record<string, number> = {};
  const items = [...(env ? env.split(',') : []), ...flags].map((item) => item.trim()).filter(Boolean);
  for (const item of items) {
    const match = /^([A-Za-z0-9_-]+)=(\d+)$/.exec(item);
    const size = match ? Number(match[2]) : 0;
    if (!match || size < 1) {
      throw new SluiceError('USAGE', `--pool: expected NAME=SIZE with SIZE >= 1, found '${item}'`);
    }
    pools[match[1]!] = size;
  }
  return pools;
}

function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new SluiceError('USAGE', `${flag}: expected a whole number, found '${value}'`);
  }
  return number;
}

/** Runs the service until SIGTERM or SIGINT; resolves with the exit code. */
export async function serveCommand(
  mode: 'dev' | 'server',
  dir: string | undefined,
  options: ServeOptions,
  config: CliConfig,
  io: Io,
): Promise<number> {
  const host = options.host ?? io.env.SLUICE_HOST ?? '127.0.0.1';
  const port = positiveInteger('--port', options.port ?? io.env.SLUICE_PORT, DEFAULT_PORT);
  const maxActiveRuns = Math.max(1, positiveInteger('--max-runs', options.maxRuns, 4));
  const pools = parsePools(options.pool ?? [], io.env.SLUICE_POOLS);
  const graceMs = parseDuration(options.grace ?? '30s');
  const project = mode === 'dev' ? resolve(io.cwd, dir ?? '.') : undefined;

  const workspace = await openLocalWorkspace(config, `sluice ${mode}`);
  let server: ServerType | undefined;
  let stopWatching: (() => void) | undefined;
  let topicRates: TopicRates | undefined;
  const { metrics, models } = modelServerFor(workspace, servingOptionsFrom({}, io.env));
  try {
    const hasTokens = (await workspace.store.tokens.listTokens()).some((token) => !token.revokedAt);
    const auth = authModeFor(host, mode === 'dev', hasTokens);
    const service = new Service({
      store: workspace.store,
      engine: workspace.engine,
      repos: workspace.repos,
      logger: workspace.logger,
      maxActiveRuns,
      pools,
      maintenance: () => workspace.registry.applyRetention(),
      topics: workspace.topics,
      ...(workspace.leases ? { cluster: workspace.leases } : {}),
    });
    if (workspace.leases) workspace.leases.onOrphaned = (ids) => service.resumeOrphans(ids);
    if (!options.json) service.events.on('event', (event) => io.err(describeEvent(event)));
    let registered: RegistrationReport[] = [];
    if (project) registered = await registerFolder(project, { ...workspace, service });
    await service.start();

    const rateMs = Number(io.env.SLUICE_TOPIC_RATE_MS);
    topicRates = new TopicRates(workspace.topics, {
      logger: workspace.logger,
      ...(rateMs > 0 ? { intervalMs: rateMs } : {}),
    });
    topicRates.start();
    const app = createApiApp({
      workspace,
      topicRates,
      launcher: service,
      metrics,
      serving: models,
      auth: { mode: auth },
      dev: mode === 'dev',
      logger: workspace.logger,
      ...(io.env.SLUICE_UI_DIR ? { ui: resolve(io.cwd, io.env.SLUICE_UI_DIR) } : {}),
    });
    const listening = await listen(app.fetch, host, port);
    server = listening.server;
    const url = listening.url;
    await workspace.lock.update({ command: `sluice ${mode}`, url });

    if (project) {
      stopWatching = watchFolder(
        project,
        async () => {
          const reports = await registerFolder(project, { ...workspace, service });
          for (const report of reports.filter((item) => item.outcome !== 'unchanged'))
            io.err(describeRegistration(report));
        },
        workspace.logger,
      );
    }
    if (options.json) {
      io.out(`${JSON.stringify({ url, auth, pid: process.pid, pipelines: registered })}\n`);
    } else {
      for (const report of registered) io.err(describeRegistration(report));
      io.err(
        `${pc.green('✓')} sluice ${mode} serving the web UI at ${pc.bold(`${url}/`)} (API reference ${url}/api/docs, metrics ${url}/metrics)` +
          `\n  auth: ${auth === 'open' ? 'open (localhost, no tokens yet)' : 'API tokens required'}; runs at once: ${maxActiveRuns}` +
          `${project ? `; watching ${project}` : ''}\n  stop with Ctrl-C (running attempts get ${formatDuration(graceMs)} to finish)\n`,
      );
    }

    const signal = await stopSignal();
    io.err(`${signal}: stopping; running attempts get ${formatDuration(graceMs)} to finish\n`);
    stopWatching?.();
    await service.stop(graceMs);
    const { queued } = service.status();
    io.err(`stopped${queued.length > 0 ? `; ${queued.length} queued run(s) wait for the next start` : ''}\n`);
    return EXIT.ok;
  } finally {
    stopWatching?.();
    topicRates?.stop();
    await closeServer(server);
    await models.close();
    await workspace.close();
  }
}

function describeEvent(event: ServiceEvent): string {
  const time = new Date().toISOString().slice(11, 19);
  if (event.type === 'queued') {
    const by = event.run.trigger?.kind ?? 'manual';
    return `${pc.dim(time)} queued   ${event.run.pipeline} ${pc.dim(event.run.id)} (${by})\n`;
  }
  if (event.type === 'started') return `${pc.dim(time)} started  ${event.pipeline} ${pc.dim(event.runId)}\n`;
  const { run } = event;
  const took =
    run.startedAt && run.finishedAt
      ? ` in ${formatDuration(run.finishedAt.getTime() - run.startedAt.getTime())}`
      : '';
  const status = run.status === 'succeeded' ? pc.green(run.status) : pc.red(run.status);
  const why = run.error ? `: ${run.error.message.split('\n')[0]}` : '';
  return `${pc.dim(time)} ${status} ${run.pipeline} ${pc.dim(run.id)}${took}${why}\n`;
}

function describeRegistration(report: RegistrationReport): string {
  if (report.outcome === 'failed')
    return `${pc.red('✗')} ${report.file}: not registered (it is retried when saved): ${report.error?.message ?? 'failed'}\n`;
  const changed =
    report.outcome === 'updated' && report.changedSteps?.length
      ? ` (changed: ${report.changedSteps.join(', ')})`
      : '';
  const run = report.runError ? `; its first run did not start: ${report.runError.message}` : '';
  return `${pc.green('✓')} ${report.file}: pipeline ${report.pipeline} version ${report.version} ${report.outcome}${changed}${run}\n`;
}

/** Flags of `sluice backfill`. */
export interface BackfillOptions {
  from: string;
  to: string;
  input?: string;
  concurrency?: string;
  param?: string[];
  json?: boolean;
}

/**
 * `sluice backfill PIPELINE --from --to`: queues one run per cron tick (dates) or input
 * commit (commit ids) of the range, at most `--concurrency` at once, and waits for them with
 * a progress bar (plain lines when not on a terminal).
 */
export async function backfillCommand(
  name: string,
  options: BackfillOptions,
  config: CliConfig,
  io: Io,
): Promise<number> {
  const concurrency = Math.max(1, positiveInteger('--concurrency', options.concurrency, 2));
  const request: BackfillRequest = {
    pipeline: name,
    from: options.from,
    to: options.to,
    concurrency,
    params: parseParamFlags(options.param ?? []),
    ...(options.input ? { input: options.input } : {}),
  };
  const progress = new BackfillProgress(options, config, io);
  const remote = await serverFor(config);
  if (remote) {
    const queued = await remote.json<{ id: string; runs: RunRecord[] }>(
      'POST',
      `/api/pipelines/${encodeURIComponent(name)}/backfill`,
      { json: { ...request, pipeline: undefined } },
    );
    progress.begin(name, queued.runs.length, concurrency, remote.url);
    const pending = new Map(queued.runs.map((run) => [run.id, run]));
    while (pending.size > 0) {
      for (const id of [...pending.keys()]) {
        const { run } = await remote.runDetail(id);
        if (run.status === 'queued' || run.status === 'running') continue;
        pending.delete(id);
        progress.finished(run);
      }
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return progress.report(queued.id, name, queued.runs);
  }
  return withWorkspace(config, `sluice backfill ${name}`, async (workspace) => {
    const service = new Service({
      store: workspace.store,
      engine: workspace.engine,
      repos: workspace.repos,
      logger: workspace.logger,
      maxActiveRuns: concurrency,
      schedule: false,
      resume: false,
    });
    await service.start();
    service.events.on('event', (event) => {
      if (event.type === 'finished') progress.finished(event.run);
    });
    try {
      const queued = await service.backfill(request);
      progress.begin(name, queued.runs.length, concurrency);
      await service.idle();
      return progress.report(queued.id, name, queued.runs);
    } finally {
      await service.stop();
    }
  });
}

/** A backfill's progress: a bar on a terminal, a line per finished run otherwise. */
class BackfillProgress {
  readonly #finished = new Map<string, RunRecord>();
  #total = 0;

  constructor(
    private readonly options: BackfillOptions,
    private readonly config: CliConfig,
    private readonly io: Io,
  ) {}

  begin(name: string, total: number, concurrency: number, url?: string): void {
    this.#total = total;
    if (!this.options.json)
      this.io.err(`backfill of ${name}: ${total} runs, ${concurrency} at once${url ? ` on ${url}` : ''}\n`);
  }

  finished(run: RunRecord): void {
    this.#finished.set(run.id, run);
    if (this.options.json) return;
    const done = this.#finished.size;
    if (this.config.tty) {
      const width = 30;
      const filled = this.#total ? Math.round((done / this.#total) * width) : width;
      const failed = [...this.#finished.values()].filter((item) => item.status !== 'succeeded').length;
      this.io.err(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.#total} runs${failed ? `, ${failed} failed` : ''}`,
      );
    } else {
      const what = run.trigger?.kind === 'backfill' ? (run.trigger.tick ?? run.trigger.commit ?? '') : '';
      this.io.err(`${done}/${this.#total || '?'} ${run.status} ${run.id} ${what}\n`);
    }
  }

  report(id: string, name: string, runs: RunRecord[]): number {
    if (this.config.tty && !this.options.json) this.io.err('\n');
    const results = runs.map((run) => this.#finished.get(run.id) ?? run);
    const failed = results.filter((run) => run.status !== 'succeeded');
    if (this.options.json) {
      this.io.out(
        json({
          backfill: id,
          pipeline: name,
          runs: results.map((run) => ({ id: run.id, status: run.status, trigger: run.trigger })),
        }),
      );
    } else {
      this.io.err(
        `${failed.length === 0 ? pc.green('✓') : pc.red('✗')} ${results.length - failed.length} of ${results.length} runs succeeded\n`,
      );
      for (const run of failed)
        this.io.err(`  ${run.id} ${run.status}: ${run.error?.message.split('\n')[0] ?? ''}\n`);
    }
    return failed.length === 0 ? EXIT.ok : EXIT.runFailed;
  }
}
