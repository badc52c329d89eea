/**
 * What the HTTP API is built from. The service passes the real parts; tests pass the same
 * parts over a temporary data directory.
 */
import type { Logger } from '../../core/index.js';
import type { ObjectStore, Repos } from '../../data/index.js';
import type { Engine } from '../../engine/index.js';
import type { RunLauncher } from '../../service/types.js';
import type { ModelServer } from '../../serving/index.js';
import type { MetadataStore } from '../../store/index.js';
import type { ModelRegistry, Tables } from '../../tracking/index.js';
import type { Topics } from '../../streams/index.js';
import type { RunsApi } from '../runs-api.js';
import type { TopicRates } from '../topic-rates.js';
import type { ApiMetrics } from './metrics.js';

/** The data directory's parts the API reads and writes (a `LocalWorkspace` fits). */
export interface ApiWorkspace {
  store: MetadataStore;
  objects: ObjectStore;
  repos: Repos;
  engine: Engine;
  api: RunsApi;
  /** The model registry; default: one over `store` and `objects`. */
  registry?: ModelRegistry;
  /** User tables; default: over `store`. */
  tables?: Tables;
  /** Topics (`/api/topics`); without them those routes answer TOPIC_UNAVAILABLE. */
  topics?: Topics;
}

/** Options of {@link createApiApp}. */
export interface ApiDeps {
  workspace: ApiWorkspace;
  launcher: RunLauncher;
  /** `open`: no token needed (only `sluice dev` on localhost); `tokens`: roles on every route. */
  auth: { mode: 'open' | 'tokens' };
  /** Dev mode: error bodies of unexpected failures carry their stack. */
  dev: boolean;
  /** Largest JSON body accepted, in bytes (default 1 MiB). */
  bodyLimitBytes?: number;
  /** Largest file upload accepted, in bytes (default 512 MiB). */
  uploadLimitBytes?: number;
  /** Prometheus metrics; default: a new {@link createMetrics} registry. */
  metrics?: ApiMetrics;
  logger?: Logger;
  /** The built web UI to serve on non-API paths (default `dist/ui`); `false`: API only. */
  ui?: string | false;
  /** How often SSE streams poll the store, in ms (default 200). */
  pollMs?: number;
  /** The model server behind `/api/models/{name}/predict` and `/train`; without it those routes are absent. */
  serving?: ModelServer;
  /** Largest prediction or training body accepted, in bytes (default 16 MiB). */
  servingBodyLimitBytes?: number;
  /** The produce/consume rates `/api/topics` shows (sampled while the server runs). */
  topicRates?: TopicRates;
}

/** Defaults of {@link ApiDeps}. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_UPLOAD_LIMIT = 512 * 1024 * 1024;
export const DEFAULT_SERVING_BODY_LIMIT = 16 * 1024 * 1024;
