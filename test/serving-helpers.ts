/**
 * Model serving test harness: a workspace in a temp folder, the full HTTP API with a model
 * server on a free port, and helpers to save model versions with their manifests.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { compileConfig } from '../src/cli/config.js';
import { openLocalWorkspace, type LocalWorkspace } from '../src/cli/workspace.js';
import { createApiApp } from '../src/server/http/index.js';
import { createMetrics } from '../src/server/http/metrics.js';
import { Service } from '../src/service/index.js';
import { ModelServer, type ModelServerOptions } from '../src/serving/index.js';

/** A running API with a model server. */
export interface ServingHarness {
  dir: string;
  url: string;
  workspace: LocalWorkspace;
  models: ModelServer;
  /** Saves `files` (path -> content) as a new version of `name`. */
  save(
    name: string,
    files: Record<string, string | Uint8Array>,
    metrics?: Record<string, number>,
  ): Promise<number>;
  close(): Promise<void>;
}

/** Options of {@link startServing}. */
export interface HarnessOptions extends Partial<Omit<ModelServerOptions, 'registry' | 'repos' | 'metrics'>> {
  auth?: 'open' | 'tokens';
  servingBodyLimitBytes?: number;
  /** An existing project folder (its `.sluice` is the workspace); default: a new temp folder. */
  dir?: string;
}

/** Starts the API with a model server over a fresh workspace. */
export async function startServing(options: HarnessOptions = {}): Promise<ServingHarness> {
  const own = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'sluice-serving-test-')));
  const config = compileConfig(
    {},
    { SLUICE_HOME: join(dir, '.sluice'), SLUICE_CONCURRENCY: '2' },
    dir,
    false,
  );
  const workspace = await openLocalWorkspace(config, 'serving test');
  const service = new Service({ store: workspace.store, engine: workspace.engine, schedule: false });
  await service.start();
  const metrics = createMetrics(workspace);
  const { auth, servingBodyLimitBytes, dir: _dir, ...serving } = options;
  const models = new ModelServer({
    registry: workspace.registry,
    repos: workspace.repos,
    metrics: metrics.serving,
    refreshMs: 200,
    ...serving,
  });
  const app = createApiApp({
    workspace,
    launcher: service,
    metrics,
    serving: models,
    auth: { mode: auth ?? 'open' },
    dev: false,
    ui: false,
    ...(servingBodyLimitBytes ? { servingBodyLimitBytes } : {}),
  });
  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let saved = 0;
  return {
    dir,
    url,
    workspace,
    models,
    async save(name, files, metricsOfVersion = {}) {
      const folder = join(dir, `version-${(saved += 1)}`);
      for (const [path, content] of Object.entries(files)) {
        await mkdir(join(folder, path, '..'), { recursive: true });
        await writeFile(join(folder, path), content);
      }
      return (await workspace.registry.save(name, folder, { metrics: metricsOfVersion })).version;
    },
    async close() {
      await new Promise<void>((done) => server.close(() => done()));
      await models.close();
      await service.stop(1000);
      await workspace.close();
      if (own) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A k-means version's files: two features `x`, `y`, and an optional online rule. */
export function kmeansFiles(
  centers: number[][],
  online?: { alias: string; promote_if: string; learning_rate?: number },
): Record<string, string> {
  return {
    'sluice-model.json': JSON.stringify({
      flavor: 'kmeans',
      input: { x: { type: 'number' }, y: { type: 'number' } },
      ...(online ? { online } : {}),
    }),
    'kmeans.json': JSON.stringify({ centers, counts: centers.map(() => 50) }),
  };
}

/** POSTs JSON to the API; resolves with the status, headers and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; version: string | null; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    version: response.headers.get('x-sluice-model-version'),
    body: (await response.json()) as Record<string, unknown>,
  };
}
