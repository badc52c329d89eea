/**
 * `sluice serve MODEL[@ALIAS|:VERSION]`: a standalone model server (MLflow's `models serve`)
 * over the workspace's registry. The version is loaded before the port opens, so a model
 * that cannot be served fails at once with its reason. An alias is re-read every second and
 * the served version swapped without dropping requests. Stops on SIGTERM/SIGINT once the
 * requests it holds are answered.
 */
import type { ServerType } from '@hono/node-server';
import { SluiceError } from '../../core/index.js';
import { authModeFor } from '../../server/auth/index.js';
import { createMetrics, type ApiMetrics } from '../../server/http/metrics.js';
import { createServingApp } from '../../server/http/serving-app.js';
import { ModelServer, type ServingOptions } from '../../serving/index.js';
import { parseDuration, parseModelRef } from '../../spec/index.js';
import { pc } from '../colors.js';
import type { CliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { closeServer, listen } from '../listen.js';
import { stopSignal, type Io } from '../io.js';
import { openLocalWorkspace, type LocalWorkspace } from '../workspace.js';

/** Flags of `sluice serve` (and the serving flags `sluice dev`/`server` read from the environment). */
export interface ServeModelOptions {
  port?: string;
  host?: string;
  maxBatch?: string;
  maxWait?: string;
  replicas?: string;
  threads?: string;
  json?: boolean;
}

/** The default port of `sluice serve`. */
export const DEFAULT_SERVE_PORT = 7421;

function wholeNumber(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) {
    throw new SluiceError('USAGE', `${flag}: expected a whole number >= ${min}, found '${value}'`);
  }
  return number;
}

/** Serving options from flags, then `SLUICE_SERVE_*` variables; defaults for the rest. */
export function servingOptionsFrom(
  options: ServeModelOptions,
  env: NodeJS.ProcessEnv,
): Partial<ServingOptions> {
  const maxBatch = wholeNumber('--max-batch', options.maxBatch ?? env.SLUICE_SERVE_MAX_BATCH, 1);
  const wait = options.maxWait ?? env.SLUICE_SERVE_MAX_WAIT;
  const replicas = wholeNumber('--replicas', options.replicas ?? env.SLUICE_SERVE_REPLICAS, 1);
  const threads = wholeNumber('--threads', options.threads ?? env.SLUICE_SERVE_THREADS, 1);
  return {
    ...(maxBatch === undefined ? {} : { maxBatch }),
    ...(wait === undefined
      ? {}
      : { maxWaitMs: parseDuration(/^\d+(\.\d+)?$/.test(wait) ? `${wait}ms` : wait) }),
    ...(replicas === undefined ? {} : { replicas }),
    ...(threads === undefined ? {} : { threads }),
  };
}

/** The API's metrics and a model server over `workspace` that records into them. */
export function modelServerFor(
  workspace: LocalWorkspace,
  options: Partial<ServingOptions>,
): { metrics: ApiMetrics; models: ModelServer } {
  const metrics = createMetrics(workspace);
  const models = new ModelServer({
    registry: workspace.registry,
    repos: workspace.repos,
    metrics: metrics.serving,
    logger: workspace.logger,
    ...options,
  });
  return { metrics, models };
}

/** Runs the model server until SIGTERM or SIGINT; resolves with the exit code. */
export async function serveModelCommand(
  ref: string,
  options: ServeModelOptions,
  config: CliConfig,
  io: Io,
): Promise<number> {
  const parsed = parseModelRef(ref);
  if ('error' in parsed) throw new SluiceError('USAGE', parsed.error);
  const host = options.host ?? io.env.SLUICE_HOST ?? '127.0.0.1';
  const port = wholeNumber('--port', options.port ?? io.env.SLUICE_SERVE_PORT, 0) ?? DEFAULT_SERVE_PORT;
  const servingOptions = servingOptionsFrom(options, io.env);
  const reference =
    parsed.kind === 'version' ? `${parsed.name}:${parsed.version}` : `${parsed.name}@${parsed.alias}`;

  const workspace = await openLocalWorkspace(config, 'sluice serve');
  const { metrics, models } = modelServerFor(workspace, servingOptions);
  let server: ServerType | undefined;
  try {
    const warmed = await models.warm(reference);
    const hasTokens = (await workspace.store.tokens.listTokens()).some((token) => !token.revokedAt);
    // NOTE: like `sluice dev`, open only on a loopback address before any token exists.
    const auth = authModeFor(host, true, hasTokens);
    const app = createServingApp({
      workspace,
      server: models,
      metrics,
      pinned: { name: parsed.name, ref: reference },
      auth: { mode: auth },
    });
    const listening = await listen(app.fetch, host, port);
    server = listening.server;
    const url = listening.url;
    // NOTE: commands on this data directory (`sluice models alias ...`) now come over HTTP.
    await workspace.lock.update({ command: 'sluice serve', url });
    const { version, manifest } = { version: warmed.version.version, manifest: warmed.manifest };
    if (options.json) {
      io.out(
        `${JSON.stringify({ url, auth, pid: process.pid, model: parsed.name, ref: reference, version, flavor: manifest.flavor, options: models.options })}\n`,
      );
    } else {
      io.err(
        `${pc.green('✓')} serving ${pc.bold(reference)} (version ${version}, ${manifest.flavor}) at ${pc.bold(`${url}/api/models/${parsed.name}/predict`)}` +
          `\n  batches of up to ${models.options.maxBatch} rows, waiting ${models.options.maxWaitMs} ms; metrics ${url}/metrics; auth: ${auth === 'open' ? 'open (localhost, no tokens yet)' : 'API tokens required'}` +
          `\n  stop with Ctrl-C\n`,
      );
    }
    const signal = await stopSignal();
    io.err(`${signal}: stopping\n`);
    return EXIT.ok;
  } finally {
    await closeServer(server);
    await models.close();
    await workspace.close();
  }
}
