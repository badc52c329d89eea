/**
 * Registered pipelines: list, show (with every version and its spec), create or update
 * from a spec file the server can read, delete; and a run's datums with restarts.
 */
import { isAbsolute } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { SluiceError } from '../../../core/index.js';
import { datumListing, restartableTasks, STATE_ORDER } from '../../datums.js';
import { registerPipeline } from '../../pipelines.js';
import type { ApiApp } from '../app.js';
import type { ApiDeps } from '../deps.js';
import { ok } from '../respond.js';
import {
  PipelineSchema,
  RunSchema,
  RunStatusSchema,
  StoredErrorSchema,
  errorResponses,
  jsonContent,
  pathParam,
} from '../schemas.js';
import { PipelineDefinitionSchema, TriggerDefinitionSchema, createDescriber } from './pipeline-definition.js';

const Name = z.object({ name: pathParam('name', 'pipeline name') });
const RegisterBody = z
  .object({
    specFile: z.string().min(1).openapi({ description: 'absolute path of the spec, readable by the server' }),
    run: z
      .boolean()
      .optional()
      .openapi({ description: 'queue a first run when inputs have data (default true)' }),
  })
  .strict()
  .openapi('RegisterPipeline');
const Registered = z
  .object({
    pipeline: PipelineSchema,
    changedSteps: z.array(z.string()),
    unchanged: z.boolean(),
    run: RunSchema.nullable(),
  })
  .openapi('Registration');

/** How many recent runs each listed pipeline carries. */
const RECENT_RUNS = 10;
const RecentRunSchema = z
  .object({
    id: z.string(),
    status: RunStatusSchema,
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('RecentRun');
const PipelineListItemSchema = PipelineSchema.extend({
  description: z.string().nullable().openapi({ description: "the spec's description" }),
  triggers: z.array(TriggerDefinitionSchema),
  steps: z.number().openapi({ description: 'steps in the spec' }),
  problems: z.array(z.string()).openapi({ description: 'why the spec file does not load, if it does not' }),
  recentRuns: z
    .array(RecentRunSchema)
    .openapi({ description: `the latest runs (at most ${RECENT_RUNS}), newest first` }),
}).openapi('PipelineListItem');

const list = createRoute({
  method: 'get',
  path: '/api/pipelines',
  tags: ['pipelines'],
  summary: 'Registered pipelines (newest version of each) with their triggers and latest runs',
  responses: { 200: jsonContent(z.array(PipelineListItemSchema), 'pipelines') },
});
const show = createRoute({
  method: 'get',
  path: '/api/pipelines/{name}',
  tags: ['pipelines'],
  summary: 'A pipeline with every registered version and its spec',
  request: { params: Name },
  responses: {
    200: jsonContent(
      z
        .object({
          pipeline: PipelineSchema,
          versions: z.array(PipelineSchema),
          // NOTE: null when the spec file does not load (see problems).
          definition: z.union([PipelineDefinitionSchema, z.null()]),
          source: z.string().nullable().openapi({ description: "the spec file's text" }),
          problems: z.array(z.string()).openapi({ description: 'why the spec file does not load' }),
        })
        .openapi('PipelineDetail'),
      'the pipeline',
    ),
    ...errorResponses(404),
  },
});
const create = createRoute({
  method: 'post',
  path: '/api/pipelines',
  tags: ['pipelines'],
  summary: 'Register a new pipeline from a spec file; queues its first run when its inputs have data',
  request: { body: { required: true, content: { 'application/json': { schema: RegisterBody } } } },
  responses: { 201: jsonContent(Registered, 'registered'), ...errorResponses(400, 409) },
});
const update = createRoute({
  method: 'put',
  path: '/api/pipelines/{name}',
  tags: ['pipelines'],
  summary: 'Register a new version from a spec file; only changed steps lose cached results',
  request: {
    params: Name,
    body: { required: true, content: { 'application/json': { schema: RegisterBody } } },
  },
  responses: { 200: jsonContent(Registered, 'registered'), ...errorResponses(400, 404) },
});
const remove = createRoute({
  method: 'delete',
  path: '/api/pipelines/{name}',
  tags: ['pipelines'],
  summary: 'Unregister a pipeline (its output repo stays)',
  request: { params: Name },
  responses: { 200: jsonContent(z.object({ deleted: z.string() }), 'deleted'), ...errorResponses(404) },
});

const DatumSchema = z
  .object({
    step: z.string(),
    datum: z.string(),
    state: z.enum(STATE_ORDER as [string, ...string[]]),
    attempts: z.number(),
    id: z.string().nullable(),
    error: StoredErrorSchema,
  })
  .openapi('Datum');
const RunId = z.object({ id: pathParam('id', 'run id or a unique prefix') });
const datums = createRoute({
  method: 'get',
  path: '/api/runs/{id}/datums',
  tags: ['datums'],
  summary: "A run's datums with states and errors; per-step counts add up to the total",
  request: {
    params: RunId,
    query: z.object({
      step: z.string().optional().openapi({ description: 'only this step' }),
      state: z
        .enum(STATE_ORDER as [string, ...string[]])
        .optional()
        .openapi({ description: 'only this state' }),
    }),
  },
  responses: {
    200: jsonContent(
      z.object({
        run: z.string(),
        counts: z.record(z.string(), z.record(z.string(), z.number())),
        datums: z.array(DatumSchema),
      }),
      'datums',
    ),
    ...errorResponses(404),
  },
});
const restart = createRoute({
  method: 'post',
  path: '/api/runs/{id}/datums/restart',
  tags: ['datums'],
  summary: 'Queue a run that executes failed datums again on the same input commits',
  request: {
    params: RunId,
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z
            .object({
              datums: z
                .array(z.string())
                .optional()
                .openapi({ description: 'datum keys (default: every failed one)' }),
              step: z.string().optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: { 202: jsonContent(RunSchema, 'the queued run'), ...errorResponses(400, 404) },
});

/** Registers the pipeline and datum routes. */
export function registerPipelineRoutes(app: ApiApp, deps: ApiDeps): void {
  const { workspace, launcher } = deps;
  const { store } = workspace;
  const describe = createDescriber();

  async function register(
    action: 'create' | 'update',
    specFile: string,
    run: boolean | undefined,
    name?: string,
  ) {
    if (!isAbsolute(specFile))
      throw new SluiceError(
        'INVALID_REQUEST',
        `json.specFile: '${specFile}' must be an absolute path on the server`,
      );
    const registration = await registerPipeline(workspace, action, specFile);
    await launcher.reload?.();
    if (name !== undefined && registration.pipeline.name !== name) {
      throw new SluiceError(
        'INVALID_REQUEST',
        `json.specFile: the spec names pipeline '${registration.pipeline.name}', not '${name}'`,
      );
    }
    const queued =
      run !== false && registration.hasData && !registration.unchanged
        ? await launcher.launch({
            pipeline: registration.record.name,
            trigger: { kind: 'pipeline', action, version: registration.record.version },
          })
        : null;
    return {
      pipeline: registration.record,
      changedSteps: registration.changedSteps,
      unchanged: registration.unchanged,
      run: queued,
    };
  }

  app.openapi(list, async (c) => {
    const pipelines = await store.repos.listPipelines();
    const items = await Promise.all(
      pipelines.map(async (pipeline) => {
        const [described, runs] = await Promise.all([
          describe(pipeline.specFile),
          store.listRuns({ pipeline: pipeline.name, limit: RECENT_RUNS }),
        ]);
        return {
          ...pipeline,
          description: described.definition?.description ?? null,
          triggers: described.definition?.triggers ?? [],
          steps: described.definition?.steps.length ?? 0,
          problems: described.problems,
          recentRuns: runs.map(({ id, status, createdAt, startedAt, finishedAt }) => ({
            id,
            status,
            createdAt,
            startedAt,
            finishedAt,
          })),
        };
      }),
    );
    return ok(c, items);
  });
  app.openapi(show, async (c) => {
    const { name } = c.req.valid('param');
    const pipeline = await store.repos.getPipeline(name);
    if (!pipeline) throw new SluiceError('PIPELINE_NOT_FOUND', `pipeline '${name}' does not exist`);
    const [versions, described] = await Promise.all([
      store.stats.pipelineVersions(name),
      describe(pipeline.specFile),
    ]);
    return ok(c, { pipeline, versions, ...described });
  });
  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    return ok(c, await register('create', body.specFile, body.run), 201);
  });
  app.openapi(update, async (c) => {
    const body = c.req.valid('json');
    return ok(c, await register('update', body.specFile, body.run, c.req.valid('param').name));
  });
  app.openapi(remove, async (c) => {
    const { name } = c.req.valid('param');
    if (!(await store.repos.deletePipeline(name)))
      throw new SluiceError('PIPELINE_NOT_FOUND', `pipeline '${name}' does not exist`);
    await launcher.reload?.();
    return ok(c, { deleted: name });
  });

  app.openapi(datums, async (c) => {
    const { run, tasks } = await workspace.api.runDetail(c.req.valid('param').id);
    const query = c.req.valid('query');
    return ok(c, datumListing(run.id, tasks, { step: query.step, state: query.state }));
  });
  app.openapi(restart, async (c) => {
    const { run, tasks } = await workspace.api.runDetail(c.req.valid('param').id);
    const body = (c.req.valid('json') ?? {}) as { datums?: string[]; step?: string };
    if (run.status === 'running' || run.status === 'queued')
      throw new SluiceError(
        'USAGE',
        `run ${run.id} is still ${run.status}; restart datums once it has ended`,
      );
    const failed = restartableTasks(tasks, body.step);
    for (const datum of body.datums ?? []) {
      if (!failed.some((task) => task.datum === datum))
        throw new SluiceError('DATUM_NOT_FOUND', `run ${run.id} has no failed datum '${datum}'`);
    }
    if (failed.length === 0) throw new SluiceError('USAGE', `run ${run.id} has no failed datums to restart`);
    const restarting = body.datums?.length ? body.datums : [...new Set(failed.map((task) => task.datum))];
    const queued = await launcher.launch({
      pipeline: run.pipeline,
      params: run.params,
      inputCommits: run.inputCommits,
      trigger: { kind: 'restart', runId: run.id, datums: restarting },
    });
    return ok(c, queued, 202);
  });
}
