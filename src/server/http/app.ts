/**
 * The HTTP API: every CLI operation as a JSON route described by zod schemas, the OpenAPI
 * 3.1 document at `/api/openapi.json`, its rendered reference at `/api/docs`, server-sent
 * events for logs and run changes, and `/metrics` for Prometheus.
 *
 * Every error answers `{ code, message, details }` with the status of `httpStatusFor`.
 *
 * @example
 * const app = createApiApp({ workspace, launcher, auth: { mode: 'tokens' }, dev: false });
 * serve({ fetch: app.fetch, port: 8080 });
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import { SluiceError } from '../../core/index.js';
import { authMiddleware, type ApiEnv } from './auth.js';
import {
  DEFAULT_BODY_LIMIT,
  DEFAULT_SERVING_BODY_LIMIT,
  DEFAULT_UPLOAD_LIMIT,
  type ApiDeps,
} from './deps.js';
import { renderDocs } from './docs.js';
import { sendError } from './errors.js';
import { createMetrics } from './metrics.js';
import { registerEventRoutes } from './routes/events.js';
import { registerExperimentRoutes } from './routes/experiments.js';
import { registerModelRoutes } from './routes/models.js';
import { registerPipelineRoutes } from './routes/pipelines.js';
import { registerBackfillRoutes } from './routes/backfill.js';
import { registerBranchRoutes } from './routes/branches.js';
import { registerFileRoutes } from './routes/files.js';
import { registerRepoRoutes } from './routes/repos.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerServingRoutes } from './routes/serving.js';
import { registerTableRoutes } from './routes/tables.js';
import { registerTopicRoutes } from './routes/topics.js';
import { registerTokenRoutes } from './routes/tokens.js';
import { serveUi } from './ui.js';

/** The API's Hono app type. */
export type ApiApp = OpenAPIHono<ApiEnv>;

/** The API's version, in the OpenAPI document. */
export const API_VERSION = '0.1.0';

/** `field.path: problem` for the first zod issues, naming where in the request they are. */
function describeIssues(target: string, error: ZodError): { message: string; issues: unknown[] } {
  const issues = error.issues.map((issue) => ({
    path: [target, ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }));
  const shown = issues
    .slice(0, 3)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ');
  return {
    message: `invalid request: ${shown}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''}`,
    issues,
  };
}

/** Whether a request uploads files (and gets the larger body limit). */
function isUpload(method: string, path: string): boolean {
  return (
    (method === 'PUT' && /^\/api\/repos\/[^/]+\/files\//.test(path)) ||
    (method === 'POST' && /^\/api\/repos\/[^/]+\/commits$/.test(path))
  );
}

/** Whether a request carries rows for a model (and gets the serving body limit). */
function isModelRows(method: string, path: string): boolean {
  return method === 'POST' && /^\/api\/models\/[^/]+\/(predict|train)$/.test(path);
}

/** Builds the API over `deps`; serve it with `@hono/node-server` or mount it in another Hono app. */
export function createApiApp(deps: ApiDeps): ApiApp {
  const metrics = deps.metrics ?? createMetrics(deps.workspace);
  const app: ApiApp = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const { message, issues } = describeIssues(result.target, result.error);
        throw new SluiceError('INVALID_REQUEST', message, { details: { issues } });
      }
      return undefined;
    },
  });
  const jsonLimit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const uploadLimit = deps.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT;
  const servingLimit = deps.servingBodyLimitBytes ?? DEFAULT_SERVING_BODY_LIMIT;

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    let route = '(unmatched)';
    try {
      route = routePath(c);
    } catch {
      // NOTE: no route matched (404); keep the label set bounded.
    }
    metrics.observeRequest(c.req.method, route, c.res.status, (performance.now() - started) / 1000);
  });
  if (deps.ui !== false) app.use('*', serveUi(deps.ui));
  app.use('*', authMiddleware(deps.workspace.store, deps.auth.mode));
  app.use('*', async (c, next) => {
    const upload = isUpload(c.req.method, c.req.path);
    const rows = isModelRows(c.req.method, c.req.path);
    const maxSize = upload ? uploadLimit : rows ? servingLimit : jsonLimit;
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new SluiceError(
          'PAYLOAD_TOO_LARGE',
          `the request body exceeds the limit of ${maxSize} bytes for ${upload ? 'uploads' : rows ? 'model rows' : 'JSON bodies'}`,
          { details: { limit: maxSize } },
        );
      },
    })(c, next);
  });

  registerRunRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerPipelineRoutes(app, deps);
  registerBackfillRoutes(app, deps);
  registerBranchRoutes(app, deps);
  registerRepoRoutes(app, deps);
  registerFileRoutes(app, deps);
  if (deps.serving) registerServingRoutes(app, deps.serving, metrics);
  registerModelRoutes(app, deps);
  registerExperimentRoutes(app, deps);
  registerTableRoutes(app, deps);
  registerTopicRoutes(app, deps);
  registerTokenRoutes(app, deps);

  let cached: ReturnType<ApiApp['getOpenAPI31Document']> | undefined;
  const document = () =>
    (cached ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Sluice API',
        version: API_VERSION,
        description:
          'Pipelines, runs, datums, logs, versioned data, lineage, models, tables and topics. Errors are `{ code, message, details }`. Authenticate with `Authorization: Bearer <token>`.',
      },
      security: deps.auth.mode === 'tokens' ? [{ bearer: [] }] : [],
    }));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.get('/api/openapi.json', (c) => c.json(document()));
  app.get('/api/docs', (c) => c.html(renderDocs(document())));
  app.get('/metrics', async (c) => {
    await metrics.collect();
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });

  app.notFound((c) =>
    sendError(
      c,
      new SluiceError('ROUTE_NOT_FOUND', `no route ${c.req.method} ${c.req.path}; see /api/docs`),
      deps.dev,
    ),
  );
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      const code =
        error.status === 413
          ? 'PAYLOAD_TOO_LARGE'
          : error.status === 401
            ? 'UNAUTHORIZED'
            : 'INVALID_REQUEST';
      const message =
        error.status === 400 && /JSON/i.test(error.message)
          ? `invalid request: the body is not valid JSON (${error.message})`
          : error.message;
      return sendError(c, new SluiceError(code, message || 'bad request'), deps.dev);
    }
    if (!(error instanceof SluiceError))
      deps.logger?.error({ err: error }, `${c.req.method} ${c.req.path} failed`);
    return sendError(c, error, deps.dev);
  });
  return app;
}
