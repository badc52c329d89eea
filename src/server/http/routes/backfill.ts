/**
 * `POST /api/pipelines/{name}/backfill`: queues the runs a pipeline would have had over a
 * past range — cron ticks between two dates, or input commits between two commits — of
 * which at most `concurrency` run at once (`sluice backfill` against a server).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { SluiceError } from '../../../core/index.js';
import type { ApiApp } from '../app.js';
import type { ApiDeps } from '../deps.js';
import { ok } from '../respond.js';
import { RunSchema, errorResponses, jsonContent, pathParam } from '../schemas.js';

const BackfillBody = z
  .object({
    from: z.string().min(1).openapi({ description: 'first day (2026-11-01), ISO date-time, or commit id' }),
    to: z.string().min(1).openapi({ description: 'last day, date-time or commit of the range (inclusive)' }),
    input: z
      .string()
      .optional()
      .openapi({ description: 'for a pipeline reading several repos: the input the commits belong to' }),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: 'runs at once (default 2)' }),
    params: z.record(z.string(), z.unknown()).optional().openapi({ description: 'params for every run' }),
  })
  .strict();

const backfill = createRoute({
  method: 'post',
  path: '/api/pipelines/{name}/backfill',
  tags: ['pipelines'],
  summary: 'Queue one run per cron tick (dates) or input commit (commits) of a range',
  request: {
    params: z.object({ name: pathParam('name', 'pipeline name') }),
    body: { required: true, content: { 'application/json': { schema: BackfillBody } } },
  },
  responses: {
    202: jsonContent(z.object({ id: z.string(), runs: z.array(RunSchema) }), 'the queued runs, oldest first'),
    ...errorResponses(400, 404),
  },
});

/** Registers the backfill route. */
export function registerBackfillRoutes(app: ApiApp, deps: ApiDeps): void {
  app.openapi(backfill, async (c) => {
    if (!deps.launcher.backfill) throw new SluiceError('USAGE', 'this server does not run backfills');
    const body = c.req.valid('json');
    const queued = await deps.launcher.backfill({
      pipeline: c.req.valid('param').name,
      from: body.from,
      to: body.to,
      ...(body.input !== undefined ? { input: body.input } : {}),
      ...(body.concurrency !== undefined ? { concurrency: body.concurrency } : {}),
      ...(body.params !== undefined ? { params: body.params } : {}),
    });
    return ok(c, queued, 202);
  });
}
