/**
 * Experiments (the tracking view of runs): pipelines whose runs log metrics, a pipeline's
 * runs with params and a summary per metric key (one aggregated query), and the metric
 * series of chosen runs for comparison charts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { SluiceError } from '../../../core/index.js';
import type { ApiApp } from '../app.js';
import type { ApiDeps } from '../deps.js';
import { ok } from '../respond.js';
import { MetricSchema, errorResponses, intQuery, jsonContent, pathParam } from '../schemas.js';

const date = z.string().openapi({ format: 'date-time' });

const ExperimentPipelineSchema = z
  .object({
    pipeline: z.string(),
    runs: z.number().openapi({ description: 'runs that logged at least one metric' }),
    keys: z.array(z.string()),
    lastRunAt: date,
  })
  .openapi('ExperimentPipeline');

const MetricSummarySchema = z
  .object({ key: z.string(), last: z.number(), min: z.number(), max: z.number(), count: z.number() })
  .openapi('MetricSummary');

const ExperimentRunSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    params: z.record(z.string(), z.unknown()).openapi({ description: "the run's params" }),
    loggedParams: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'params its steps logged (`ctx.logParams`)' }),
    metrics: z.array(MetricSummarySchema),
    createdAt: date,
    startedAt: date.nullable(),
    finishedAt: date.nullable(),
  })
  .openapi('ExperimentRun');

const Pipeline = z.object({ pipeline: pathParam('pipeline', 'pipeline name') });

/** At most this many runs in one series request. */
const MAX_SERIES_RUNS = 50;

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/experiments',
    tags: ['experiments'],
    summary: 'Pipelines whose runs logged metrics, with their metric keys',
    responses: { 200: jsonContent(z.array(ExperimentPipelineSchema), 'pipelines') },
  }),
  runs: createRoute({
    method: 'get',
    path: '/api/experiments/{pipeline}',
    tags: ['experiments'],
    summary: "A pipeline's runs, newest first, with params and per-key metric summaries",
    request: {
      params: Pipeline,
      query: z.object({ limit: intQuery('limit', 'how many runs (default 200, at most 2000)', 2000) }),
    },
    responses: { 200: jsonContent(z.array(ExperimentRunSchema), 'runs'), ...errorResponses(400, 404) },
  }),
  series: createRoute({
    method: 'get',
    path: '/api/experiments/{pipeline}/series',
    tags: ['experiments'],
    summary: 'The metric points of chosen runs of a pipeline (for comparison charts)',
    request: {
      params: Pipeline,
      query: z.object({
        runs: z
          .string()
          .min(1)
          .openapi({ description: `comma-separated run ids (at most ${MAX_SERIES_RUNS})` }),
        key: z.string().optional().openapi({ description: 'only this metric key' }),
      }),
    },
    responses: { 200: jsonContent(z.array(MetricSchema), 'metric points'), ...errorResponses(400, 404) },
  }),
};

/** Registers the experiment routes. */
export function registerExperimentRoutes(app: ApiApp, deps: ApiDeps): void {
  const { store } = deps.workspace;
  const known = async (pipeline: string): Promise<void> => {
    if (!(await store.repos.getPipeline(pipeline))) {
      throw new SluiceError('PIPELINE_NOT_FOUND', `pipeline '${pipeline}' does not exist`);
    }
  };
  app.openapi(routes.list, async (c) => ok(c, await store.stats.experimentPipelines()));
  app.openapi(routes.runs, async (c) => {
    const { pipeline } = c.req.valid('param');
    await known(pipeline);
    return ok(c, await store.stats.experimentRuns(pipeline, c.req.valid('query').limit || 200));
  });
  app.openapi(routes.series, async (c) => {
    const { pipeline } = c.req.valid('param');
    const { runs, key } = c.req.valid('query');
    const ids = [...new Set(runs.split(',').map((id) => id.trim()))].filter(Boolean);
    if (ids.length === 0 || ids.length > MAX_SERIES_RUNS) {
      throw new SluiceError(
        'INVALID_REQUEST',
        `runs: give 1 to ${MAX_SERIES_RUNS} comma-separated run ids, found ${ids.length}`,
      );
    }
    await known(pipeline);
    return ok(c, await store.stats.metricSeries(pipeline, ids, key));
  });
}
