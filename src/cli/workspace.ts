/**
 * Opens a data directory for a command: as its owner (store, objects, engine, control
 * socket), or, when another live process owns it and serves a control socket, as a client
 * of that process.
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError, fileLogger, type Logger } from '../core/index.js';
import { Repos, openLocalObjectStore, type ObjectStore } from '../data/index.js';
import { createEngine, type Engine } from '../engine/index.js';
import { localRunsApi, startControlServer, type RunsApi } from '../server/index.js';
import { openBatches } from '../batches/client.js';
import {
  LockHeldError,
  openClusterStore,
  openEmbeddedStore,
  openPostgresClient,
  tableQueries,
  type HomeLock,
  type MetadataStore,
  type SqlClient,
} from '../store/index.js';
import { openTopics, type Topics } from '../streams/index.js';
import { Tables, Tracking, type ModelRegistry } from '../tracking/index.js';
import type { CliConfig } from './config.js';
import { remoteRunsApi } from './remote.js';
import { clientFor, servingUrl } from './server-client.js';
import { openClusterWorkspace, openObjects } from './cluster-workspace.js';
import type { RunLeaseKeeper } from '../cluster/index.js';

/** A data directory opened by its owner. */
export interface LocalWorkspace {
  store: MetadataStore;
  objects: ObjectStore;
  repos: Repos;
  lock: HomeLock;
  logger: Logger;
  engine: Engine;
  api: RunsApi;
  /** The model registry of this data directory. */
  registry: ModelRegistry;
  /** The tables steps wrote (schema `sluice_tables`). */
  tables: Tables;
  /** Topics: embedded in the store, or in NATS JetStream (`SLUICE_NATS_URL`). */
  topics: Topics;
  /** Cluster mode: the leases of the runs this process executes. */
  leases?: RunLeaseKeeper;
  close(): Promise<void>;
}

/** Sluice's Python helpers (`sluice_batches`), put on command steps' PYTHONPATH. */
const PYTHON_DIR = fileURLToPath(new URL('../../python', import.meta.url));

/** Where the owner's control socket lives (Unix socket paths are limited to ~100 bytes). */
export function controlSocketPath(home: string): string {
  const inHome = join(home, 'control.sock');
  if (Buffer.byteLength(inHome) < 100) return inHome;
  return join(tmpdir(), `sluice-${createHash('sha256').update(home).digest('hex').slice(0, 16)}.sock`);
}

/** How long a command waits for a short-lived owner (another read command) to let go. */
const LOCK_WAIT_MS = 20_000;

/**
 * Opens the embedded store, waiting while the owner is a short-lived command that serves
 * nothing (e.g. `sluice runs` in another shell); an owner with a control socket is a run or a
 * server, and the error is thrown at once for the caller to handle.
 */
async function openStoreWaiting(
  home: string,
  command: string,
): Promise<Awaited<ReturnType<typeof openEmbeddedStore>>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const opened = await openEmbeddedStore({ home });
      await opened.lock.update({ command });
      return opened;
    } catch (error) {
      const serving =
        error instanceof LockHeldError && typeof (error.info as { socket?: unknown }).socket === 'string';
      if (!(error instanceof LockHeldError) || serving || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Opens `config.home` as its owner; throws `STORE_LOCKED` when another live process owns it. */
export async function openLocalWorkspace(config: CliConfig, command: string): Promise<LocalWorkspace> {
  if (config.databaseUrl) return openClusterWorkspace(config, command);
  const { store, lock } = await openStoreWaiting(config.home, command);
  const logger = fileLogger(join(config.home, 'logs', 'engine.log'), config.logLevel);
  const objects = config.objectStore
    ? await openObjects(config)
    : openLocalObjectStore(join(config.home, 'objects'));
  const repos = new Repos(store.repos, objects);
  let topics: Topics | undefined;
  let tablesClient: SqlClient | undefined;
  try {
    topics = await openTopics({ store, natsUrl: config.natsUrl, logger });
    if (config.tablesUrl) tablesClient = await openPostgresClient(config.tablesUrl);
  } catch (error) {
    await topics?.close();
    await store.close();
    await lock.release();
    throw error;
  }
  const socket = controlSocketPath(config.home);
  const tracking = new Tracking(store, objects, {
    topics,
    ...(tablesClient ? { tables: new Tables({ tracking: await tableQueries(tablesClient) }) } : {}),
  });
  const engine = createEngine({
    store,
    objects,
    repos,
    tracking,
    topics,
    scratchDir: config.scratchDir,
    concurrency: config.concurrency,
    logger,
    // Command steps reach this process (training batches) through its control socket.
    stepEnv: {
      SLUICE_HOME: config.home,
      SLUICE_CONTROL_SOCKET: socket,
      PYTHONPATH: [PYTHON_DIR, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
    },
  });
  const api = localRunsApi(store, engine);
  let control: { close(): Promise<void> } | undefined;
  try {
    control = await startControlServer(api, socket, {
      openBatches: (options) =>
        openBatches(
          {
            store,
            repos,
            objects,
            topics,
            objectsDir: join(config.home, 'objects'),
            spoolDir: config.scratchDir,
          },
          options,
        ),
    });
    await lock.update({ command, socket });
  } catch (error) {
    logger.warn({ err: error }, 'control socket unavailable; other shells cannot reach this process');
  }
  let closed = false;
  return {
    store,
    objects,
    repos,
    lock,
    logger,
    engine,
    api,
    registry: tracking.registry,
    tables: tracking.tables,
    topics,
    async close() {
      if (closed) return;
      closed = true;
      await engine.close();
      await topics.close();
      await tablesClient?.close();
      await control?.close();
      await store.close();
      await lock.release();
      logger.flush();
    },
  };
}

/** Runs `fn` with `config.home` opened as its owner, closing it afterwards. */
export async function withWorkspace<T>(
  config: CliConfig,
  command: string,
  fn: (workspace: LocalWorkspace) => Promise<T>,
): Promise<T> {
  const workspace = await openLocalWorkspace(config, command);
  try {
    return await fn(workspace);
  } finally {
    await workspace.close();
  }
}

/**
 * Opens `config.home` for commands that read or cancel runs: over HTTP when `SLUICE_URL` is
 * set or the owner serves the API, locally when it is free, else through the owner's
 * control socket.
 */
export async function openRunsApi(config: CliConfig): Promise<{ api: RunsApi; close(): Promise<void> }> {
  if (config.url) return { api: clientFor(config, config.url), close: async () => undefined };
  if (config.databaseUrl) {
    const store = await openClusterStore(config.databaseUrl);
    return { api: localRunsApi(store), close: () => store.close() };
  }
  try {
    const { store, lock } = await openStoreWaiting(config.home, 'sluice (reading runs)');
    return {
      api: localRunsApi(store),
      async close() {
        await store.close();
        await lock.release();
      },
    };
  } catch (error) {
    if (error instanceof LockHeldError) {
      const url = servingUrl(error.info);
      if (url) return { api: clientFor(config, url), close: async () => undefined };
      const socket = (error.info as { socket?: unknown } | undefined)?.socket;
      if (typeof socket === 'string') return { api: remoteRunsApi(socket), close: async () => undefined };
      throw new SluiceError('STORE_LOCKED', `${error.message} (it serves no control socket to ask instead)`);
    }
    throw error;
  }
}
