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
  /**
   * Running attempts at once (`--concurrency`, `SLUICE_CONCURRENCY`, default 2 x cores; in
   * cluster mode attempts dispatched to workers at once, default 1024).
   */
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
  /**
   * Cluster mode: the metadata store and dispatch live in this PostgreSQL database
   * (`SLUICE_DATABASE_URL`); runs execute on `sluice worker` processes.
   */
  databaseUrl?: string;
  /** Where objects live (`SLUICE_OBJECT_STORE`): `s3://bucket/prefix?...` or a folder; default `<home>/objects`. */
  objectStore?: string;
  /** Cluster mode: a worker's lease on an attempt (`SLUICE_LEASE_MS`, default 10 s). */
  leaseMs: number;
  /** Cluster mode: a scheduler's lease on its runs (`SLUICE_RUN_LEASE_MS`, default 15 s). */
  runLeaseMs: number;
}

/** Attempts a cluster scheduler dispatches at once by default: more than its workers' slots. */
const CLUSTER_CONCURRENCY = 1024;

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
  // NOTE: in cluster mode this bounds attempts dispatched at once, not threads here.
  let concurrency = env.SLUICE_DATABASE_URL ? CLUSTER_CONCURRENCY : availableParallelism() * 2;
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
    ...(env.SLUICE_TABLES_URL
      ? { tablesUrl: checkPostgresUrl(env.SLUICE_TABLES_URL, 'SLUICE_TABLES_URL') }
      : {}),
    ...(env.SLUICE_DATABASE_URL
      ? { databaseUrl: checkPostgresUrl(env.SLUICE_DATABASE_URL, 'SLUICE_DATABASE_URL') }
      : {}),
    ...(env.SLUICE_OBJECT_STORE ? { objectStore: env.SLUICE_OBJECT_STORE } : {}),
    leaseMs: milliseconds('SLUICE_LEASE_MS', env.SLUICE_LEASE_MS, 10_000),
    runLeaseMs: milliseconds('SLUICE_RUN_LEASE_MS', env.SLUICE_RUN_LEASE_MS, 15_000),
  };
}

function milliseconds(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 100) {
    throw new SluiceError(
      'USAGE',
      `${name}: expected a whole number of milliseconds >= 100, found '${text}'`,
    );
  }
  return value;
}

function checkPostgresUrl(text: string, name: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
    throw new SluiceError(
      'USAGE',
      `${name}: expected a PostgreSQL URL like postgres://user@127.0.0.1:5432/db, found '${text.replace(/:[^:@/]*@/, ':***@')}'`,
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
