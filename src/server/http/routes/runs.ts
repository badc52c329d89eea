/**
 * Runs: list (with filters), detail with tasks, attempts and metrics, launch of a registered
 * pipeline (202 with the queued run), cancel, retry, a run's metrics, and a pipeline's runs
 * grid (per run and step, datum counts by state).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { SluiceError } from '../../../core/index.js';
import type { ApiApp } from '../app.js';
import type { ApiDeps } from '../deps.js';
import { ok } from '../respond.js';
import {
  MetricSchema,
  RunDetailSchema,
  RunSchema,
  RunStatusSchema,
  errorResponses,
  intQuery,
  jsonContent,
  pathParam,
} from '../schemas.js';

const RunId = z.object({ id: pathParam('id', 'run id or a unique prefix') });

const listRuns = createRoute({
  method: 'get',
  path: '/api/runs',
  tags: ['runs'],
  summary: 'List runs, newest first',
  request: {
    query: z.object({
      pipeline: z.string().optional().openapi({ description: 'only runs of this pipeline' }),
      status: RunStatusSchema.optional().openapi({ description: 'only runs in this state (e.g. queued)' }),
      limit: intQuery('limit', 'how many (default 50, at most 1000)', 1000),
    }),
  },
  responses: { 200: jsonContent(z.array(RunSchema), 'runs'), ...errorResponses(400) },
});

const RunGridSchema = z
  .object({
    pipeline: z.string(),
    steps: z
      .array(z.string())
      .openapi({ description: "the pipeline's steps, in the order they first started" }),
    runs: z.array(
      z.object({
        id: z.string(),
        status: RunStatusSchema,
        createdAt: z.string(),
        startedAt: z.string().nullable(),
        finishedAt: z.string().nullable(),
        trigger: z.record(z.string(), z.unknown()).nullable(),
        steps: z
          .record(z.string(), z.record(z.string(), z.number()))
          .openapi({ description: 'per step, datum counts by state' }),
      }),
    ),
  })
  .openapi('RunGrid');

const grid = createRoute({
  method: 'get',
  path: '/api/runs/grid',
  tags: ['runs'],
  summary: "A pipeline's newest runs, oldest first, with per-step datum counts by state",
  request: {
    query: z.object({
      pipeline: z.string().min(1).openapi({ description: 'the pipeline' }),
      limit: intQuery('limit', 'how many runs (default 25, at most 200)', 200),
    }),
  },
  responses: { 200: jsonContent(RunGridSchema, 'the grid'), ...errorResponses(400, 404) },
});

const runDetail = createRoute({
  method: 'get',
  path: '/api/runs/{id}',
  tags: ['runs'],
  summary: 'A run with its tasks, attempts and metrics',
  request: { params: RunId },
  responses: { 200: jsonContent(RunDetailSchema, 'the run'), ...errorResponses(404) },
});

const launch = createRoute({
  method: 'post',
  path: '/api/pipelines/{name}/runs',
  tags: ['runs'],
  summary: 'Launch a run of a registered pipeline with params; answers the queued run',
  request: {
    params: z.object({ name: pathParam('name', 'registered pipeline name') }),
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z
            .object({
              params: z
                .record(z.string(), z.unknown())
                .optional()
                .openapi({ description: 'param values, checked against the spec', example: { epochs: 3 } }),
            })
            .strict()
            .openapi('LaunchRequest'),
        },
      },
    },
  },
  responses: { 202: jsonContent(RunSchema, 'the queued run'), ...errorResponses(400, 404) },
});

const cancel = createRoute({
  method: 'post',
  path: '/api/runs/{id}/cancel',
  tags: ['runs'],
  summary: 'Cancel a queued or running run',
  request: { params: RunId },
  responses: { 200: jsonContent(RunSchema, 'the run as recorded'), ...errorResponses(404, 409) },
});

const retry = createRoute({
  method: 'post',
  path: '/api/runs/{id}/retry',
  tags: ['runs'],
  summary: 'Queue a new run with the same pipeline, params and input commits',
  request: { params: RunId },
  responses: { 202: jsonContent(RunSchema, 'the new queued run'), ...errorResponses(404) },
});

const metrics = createRoute({
  method: 'get',
  path: '/api/runs/{id}/metrics',
  tags: ['runs'],
  summary: "A run's logged metrics (series by key and index)",
  request: {
    params: RunId,
    query: z.object({ key: z.string().optional().openapi({ description: 'only this key' }) }),
  },
  responses: { 200: jsonContent(z.array(MetricSchema), 'metrics'), ...errorResponses(404) },
});

/** Registers the run routes. */
export function registerRunRoutes(app: ApiApp, deps: ApiDeps): void {
  const { workspace, launcher } = deps;
  app.openapi(listRuns, async (c) => {
    const query = c.req.valid('query');
    const runs = await workspace.api.listRuns({
      limit: query.limit ?? 50,
      ...(query.pipeline ? { pipeline: query.pipeline } : {}),
      ...(query.status ? { status: query.status } : {}),
    });
    return ok(c, runs);
  });
  app.openapi(grid, async (c) => {
    const query = c.req.valid('query');
    const pipeline = await workspace.store.repos.getPipeline(query.pipeline);
    if (!pipeline) throw new SluiceError('PIPELINE_NOT_FOUND', `pipeline '${query.pipeline}' does not exist`);
    const grid = await workspace.store.stats.runGrid(pipeline.name, query.limit ?? 25);
    // NOTE: steps that never ran (new in the current version) come last, in the spec's order.
    const spec = pipeline.spec as { steps?: Record<string, unknown> } | null;
    const steps = [...new Set([...grid.steps, ...Object.keys(spec?.steps ?? {})])];
    return ok(c, { pipeline: pipeline.name, steps, runs: grid.runs });
  });
  // NOTE: registered before `/api/runs/{id}`, which would take `grid` for a run id.
  app.openapi(runDetail, async (c) => ok(c, await workspace.api.runDetail(c.req.valid('param').id)));
  app.openapi(launch, async (c) => {
    const { name } = c.req.valid('param');
    const body = c.req.valid('json') as { params?: Record<string, unknown> } | undefined;
    const run = await launcher.launch({
      pipeline: name,
      params: body?.params ?? {},
      trigger: { kind: 'manual' },
    });
    return ok(c, run, 202);
  });
  app.openapi(cancel, async (c) => {
    const run = await workspace.api.runDetail(c.req.valid('param').id);
    return ok(c, await launcher.cancel(run.run.id));
  });
  app.openapi(retry, async (c) => {
    const run = await workspace.api.runDetail(c.req.valid('param').id);
    return ok(c, await launcher.retry(run.run.id), 202);
  });
  app.openapi(metrics, async (c) => {
    const { run } = await workspace.api.runDetail(c.req.valid('param').id);
    const key = c.req.valid('query').key;
    const all = await workspace.store.listMetrics(run.id);
    return ok(c, key ? all.filter((metric) => metric.key === key) : all);
  });
}
