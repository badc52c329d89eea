/**
 * The CLI's configuration, compiled once from flags and the environment. Nothing below
 * `cli/` and `server/` reads the environment; they receive this object's parts.
 */
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';
import { SluiceError } from '../core/index.js';

/** Compiled CLI configuration. */
export interface CliConfig {
  /** The data directory (`--home`, `SLUICE_HOME`, default `./.sluice`). */
  home: string;
  /** Engine log level for `<home>/logs/engine.log` (`SLUICE_LOG_LEVEL`, default `info`). */
  logLevel: string;
  /** Running attempts at once (`--concurrency`, `SLUICE_CONCURRENCY`, default 2 x cores). */
  concurrency: number;
  /** Whether stderr is a terminal (progress bars) and colour is wanted. */
  tty: boolean;
  /**
   * Where attempts lay out their input files (`SLUICE_SCRATCH_DIR`). Default: a folder in
   * `/dev/shm` when that is a writable memory filesystem (laying out a datum there is ~4x
   * faster than on disk, and each attempt frees its folder when it ends), else `<home>/scratch`.
   */
  scratchDir: string;
  /** A Sluice server to talk to instead of the data directory (`SLUICE_URL`). */
  url?: string;
  /** The API token sent to the server (`SLUICE_TOKEN`). */
  token?: string;
  /** Topics live in this NATS JetStream server instead of the data directory (`SLUICE_NATS_URL`). */
  natsUrl?: string;
  /** User tables (`tables:` in specs) live in this PostgreSQL database (`SLUICE_TABLES_URL`). */
  tablesUrl?: string;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Compiles flags and environment into a {@link CliConfig}; throws `USAGE` on bad values. */
export function compileConfig(
  flags: { home?: string; concurrency?: string },
  env: NodeJS.ProcessEnv,
  cwd: string,
  tty: boolean,
): CliConfig {
  const home = resolve(cwd, flags.home ?? env.SLUICE_HOME ?? '.sluice');
  const logLevel = env.SLUICE_LOG_LEVEL ?? 'info';
  if (!LEVELS.includes(logLevel)) {
    throw new SluiceError(
      'USAGE',
      `SLUICE_LOG_LEVEL: '${logLevel}' is not a level; allowed: ${LEVELS.join(', ')}`,
    );
  }
  const rawConcurrency = flags.concurrency ?? env.SLUICE_CONCURRENCY;
  let concurrency = availableParallelism() * 2;
  if (rawConcurrency !== undefined) {
    concurrency = Number(rawConcurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new SluiceError('USAGE', `--concurrency: expected an integer >= 1, found '${rawConcurrency}'`);
    }
  }
  return {
    home,
    logLevel,
    concurrency,
    tty: tty && env.NO_COLOR === undefined && env.TERM !== 'dumb',
    scratchDir: env.SLUICE_SCRATCH_DIR ? resolve(cwd, env.SLUICE_SCRATCH_DIR) : defaultScratch(home),
    ...(env.SLUICE_URL ? { url: checkUrl(env.SLUICE_URL) } : {}),
    ...(env.SLUICE_TOKEN ? { token: env.SLUICE_TOKEN } : {}),
    ...(env.SLUICE_NATS_URL ? { natsUrl: checkNatsUrl(env.SLUICE_NATS_URL) } : {}),
    ...(env.SLUICE_TABLES_URL ? { tablesUrl: checkPostgresUrl(env.SLUICE_TABLES_URL) } : {}),
  };
}

function checkPostgresUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
    throw new SluiceError(
      'USAGE',
      `SLUICE_TABLES_URL: expected a PostgreSQL URL like postgres://user@127.0.0.1:5432/db, found '${text.replace(/:[^:@/]*@/, ':***@')}'`,
    );
  }
  return text;
}

function checkNatsUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SluiceError(
      'USAGE',
      `SLUICE_NATS_URL: '${text}' is not a URL; expected e.g. nats://127.0.0.1:4222`,
    );
  }
  if (url.protocol !== 'nats:' && url.protocol !== 'tls:')
    throw new SluiceError('USAGE', `SLUICE_NATS_URL: '${text}' must start with nats:// or tls://`);
  return text;
}

function checkUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SluiceError('USAGE', `SLUICE_URL: '${text}' is not a URL; expected e.g. http://127.0.0.1:7300`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SluiceError('USAGE', `SLUICE_URL: '${text}' must start with http:// or https://`);
  return text.replace(/\/+$/, '');
}

function defaultScratch(home: string): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    const id = createHash('sha256').update(home).digest('hex').slice(0, 12);
    return join('/dev/shm', `sluice-${process.getuid?.() ?? 'user'}`, id);
  } catch {
    return join(home, 'scratch');
  }
}
