/**
 * The HTTP app of `sluice serve MODEL`: the serving routes pinned to one model, the model
 * registry's routes (so `sluice models alias` reaches the process that owns the data
 * directory, and the served alias swaps at once), `/health`, `/metrics` and the OpenAPI
 * document — with the same auth, body limits and error bodies as the full API.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { SluiceError } from '../../core/index.js';
import type { ModelServer } from '../../serving/index.js';
import { API_VERSION } from './app.js';
import { authMiddleware, type ApiEnv } from './auth.js';
import { DEFAULT_SERVING_BODY_LIMIT, type ApiWorkspace } from './deps.js';
import { sendError } from './errors.js';
import type { ApiMetrics } from './metrics.js';
import { registerModelRoutes } from './routes/models.js';
import { registerServingRoutes } from './routes/serving.js';

/** Options of {@link createServingApp}. */
export interface ServingAppOptions {
  workspace: ApiWorkspace;
  server: ModelServer;
  metrics: ApiMetrics;
  /** The model and the reference requests default to. */
  pinned: { name: string; ref: string };
  auth: { mode: 'open' | 'tokens' };
  bodyLimitBytes?: number;
}

/** Builds the app; serve it with `@hono/node-server`. */
export function createServingApp(options: ServingAppOptions): OpenAPIHono<ApiEnv> {
  const { server, metrics } = options;
  const app = new OpenAPIHono<ApiEnv>();
  const maxSize = options.bodyLimitBytes ?? DEFAULT_SERVING_BODY_LIMIT;
  app.get('/health', async (c) => c.json({ ok: true, serving: await server.bindings() }));
  app.use('*', authMiddleware(options.workspace.store, options.auth.mode));
  app.use(
    '*',
    bodyLimit({
      maxSize,
      onError: () => {
        throw new SluiceError(
          'PAYLOAD_TOO_LARGE',
          `the request body exceeds the limit of ${maxSize} bytes for model rows`,
          {
            details: { limit: maxSize },
          },
        );
      },
    }),
  );
  registerServingRoutes(app, server, metrics, options.pinned);
  registerModelRoutes(app, { workspace: options.workspace, serving: server });
  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  );
  app.get('/api/openapi.json', (c) =>
    c.json(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: `Sluice model server: ${options.pinned.ref}`, version: API_VERSION },
      }),
    ),
  );
  app.notFound((c) =>
    sendError(
      c,
      new SluiceError(
        'ROUTE_NOT_FOUND',
        `no route ${c.req.method} ${c.req.path}; POST /api/models/${options.pinned.name}/predict`,
      ),
      false,
    ),
  );
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      return sendError(
        c,
        new SluiceError(
          error.status === 401 ? 'UNAUTHORIZED' : 'INVALID_REQUEST',
          error.message || 'bad request',
        ),
        false,
      );
    }
    return sendError(c, error, false);
  });
  return app;
}
