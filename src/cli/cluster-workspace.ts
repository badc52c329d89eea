/**
 * Cluster mode (`SLUICE_DATABASE_URL`): the metadata store on a PostgreSQL server, attempts
 * dispatched to `sluice worker` processes, run ownership by lease. Many processes on many
 * machines open the same store, so nothing here takes the data directory's lock; the data
 * directory keeps only this process's logs and scratch space.
 */
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { SluiceError, fileLogger, newId, type Logger } from '../core/index.js';
import {
  Repos,
  openLocalObjectStore,
  openS3ObjectStore,
  parseObjectStoreUrl,
  type ObjectStore,
} from '../data/index.js';
import { createEngine } from '../engine/index.js';
import { createCommandRuntime, createTsRuntime } from '../runtime/index.js';
import { localRunsApi } from '../server/index.js';
import {
  dispatchQueries,
  openClusterStore,
  openPostgresClient,
  tableQueries,
  type DispatchQueries,
  type HomeLock,
  type MetadataStore,
  type SqlClient,
} from '../store/index.js';
import { openTopics, type Topics } from '../streams/index.js';
import { Tables, Tracking } from '../tracking/index.js';
import { RunLeaseKeeper, createDispatchRuntime } from '../cluster/index.js';
import type { CliConfig } from './config.js';
import type { LocalWorkspace } from './workspace.js';

/** The parts every cluster process opens: store, objects, topics, tracking. */
export interface ClusterParts {
  store: MetadataStore;
  objects: ObjectStore;
  repos: Repos;
  topics: Topics;
  tracking: Tracking;
  logger: Logger;
  /** Dispatch queries, on connections of their own (see {@link openDispatch}). */
  dispatch: DispatchQueries;
  close(): Promise<void>;
}

/**
 * Dispatch statements on connections that do not wait for their commit to be flushed to
 * disk (`synchronous_commit=off`): a claim or a commit lost by a server crash is a lease
 * that expires and an attempt executed again, which execution keys make harmless, and
 * anything durable that depends on a dispatch row (the scheduler's record of a result)
 * flushes the WAL up to itself, that row's change included. A chain of short steps waits
 * for three fewer disk flushes per step.
 */
async function openDispatch(url: string): Promise<{ queries: DispatchQueries; client: SqlClient }> {
  const client = await openPostgresClient(url, { maxConnections: 4, settings: '-c synchronous_commit=off' });
  return { queries: dispatchQueries(client), client };
}

/** Opens the store named by `config.databaseUrl` with the objects, topics and tracking over it. */
export async function openClusterParts(config: CliConfig, logName: string): Promise<ClusterParts> {
  const url = config.databaseUrl;
  if (!url) throw new SluiceError('USAGE', 'cluster mode needs SLUICE_DATABASE_URL=postgres://...');
  const store = await openClusterStore(url);
  const logger = fileLogger(join(config.home, 'logs', logName), config.logLevel);
  let topics: Topics | undefined;
  let tablesClient: SqlClient | undefined;
  let dispatch: { queries: DispatchQueries; client: SqlClient } | undefined;
  try {
    dispatch = await openDispatch(url);
    const objects = await openObjects(config);
    topics = await openTopics({ store, natsUrl: config.natsUrl, logger });
    if (config.tablesUrl) tablesClient = await openPostgresClient(config.tablesUrl);
    const tracking = new Tracking(store, objects, {
      topics,
      ...(tablesClient ? { tables: new Tables({ tracking: await tableQueries(tablesClient) }) } : {}),
    });
    const opened = topics;
    const dispatchClient = dispatch.client;
    return {
      store,
      objects,
      repos: new Repos(store.repos, objects),
      topics: opened,
      tracking,
      logger,
      dispatch: dispatch.queries,
      async close() {
        await opened.close();
        await dispatchClient.close();
        await tablesClient?.close();
        await store.close();
        logger.flush();
      },
    };
  } catch (error) {
    await topics?.close();
    await tablesClient?.close();
    await dispatch?.client.close();
    await store.close();
    throw error;
  }
}

/**
 * The object store `SLUICE_OBJECT_STORE` names — an S3-compatible bucket
 * (`s3://bucket/prefix?endpoint=...&region=...&path_style=true`, credentials from the AWS
 * SDK's usual sources) or a folder shared by every process — or `<home>/objects`.
 */
export async function openObjects(config: CliConfig): Promise<ObjectStore> {
  const where = config.objectStore;
  if (!where) return openLocalObjectStore(join(config.home, 'objects'));
  if (where.startsWith('s3://')) return openS3ObjectStore(parseObjectStoreUrl(where, 'SLUICE_OBJECT_STORE'));
  return openLocalObjectStore(resolve(where));
}

/** A process's owner name in leases: host, pid and a random part. */
export function ownerName(role: string): string {
  return `${role}@${hostname()}:${process.pid}:${newId().slice(0, 6)}`;
}

/** Opens a cluster workspace for a scheduler or `sluice run`: its engine dispatches to workers. */
export async function openClusterWorkspace(config: CliConfig, command: string): Promise<LocalWorkspace> {
  const parts = await openClusterParts(config, 'engine.log');
  const { store, objects, repos, topics, tracking, logger } = parts;
  try {
    const runtime = await createDispatchRuntime({
      queries: parts.dispatch,
      databaseUrl: config.databaseUrl!,
      // Used only to prepare steps: their code hash is part of each step's version.
      local: {
        ts: createTsRuntime({ objects, maxWorkers: 1 }),
        command: createCommandRuntime({ objects }),
      },
      logger,
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
      runtimes: { ts: runtime, command: runtime },
    });
    const leases = new RunLeaseKeeper({
      sql: store.sql,
      engine,
      owner: ownerName(command.split(' ').slice(0, 2).join('-')),
      leaseMs: config.runLeaseMs,
      logger,
    });
    leases.start();
    const lock: HomeLock = {
      path: '',
      update: async () => undefined,
      release: async () => undefined,
    };
    let closed = false;
    return {
      store,
      objects,
      repos,
      lock,
      logger,
      engine,
      api: localRunsApi(store, engine),
      registry: tracking.registry,
      tables: tracking.tables,
      topics,
      leases,
      async close() {
        if (closed) return;
        closed = true;
        leases.stop();
        await engine.close();
        await parts.close();
      },
    };
  } catch (error) {
    await parts.close();
    throw error;
  }
}
