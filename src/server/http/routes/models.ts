/**
 * The model registry: models, their versions (by number or alias), moving and removing
 * aliases, deleting a version, and downloading a version's files.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { SluiceError } from '../../../core/index.js';
import { normalizeRepoPath } from '../../../data/index.js';
import { ModelRegistry } from '../../../tracking/index.js';
import type { ApiApp } from '../app.js';
import type { ApiDeps } from '../deps.js';
import { ok } from '../respond.js';
import { errorResponses, jsonContent, pathParam } from '../schemas.js';
import { contentTypeOf } from './files.js';

const ModelVersionSchema = z
  .object({
    name: z.string(),
    version: z.number(),
    files: z.array(z.object({ path: z.string(), hash: z.string(), size: z.number() })),
    metrics: z.record(z.string(), z.number()),
    params: z.record(z.string(), z.unknown()),
    aliases: z.array(z.string()),
    runId: z.string().nullable(),
    step: z.string().nullable(),
    datum: z.string().nullable(),
    pipeline: z.string().nullable(),
    pipelineVersion: z.string().nullable(),
    inputCommits: z.array(z.record(z.string(), z.unknown())),
    createdAt: z.string(),
  })
  .openapi('ModelVersion');
const ModelSummarySchema = z
  .object({
    name: z.string(),
    versions: z.number(),
    latest: z.number().nullable(),
    aliases: z.record(z.string(), z.number()),
    retention: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi('ModelSummary');
const Name = z.object({ name: pathParam('name', 'model name') });
const Ref = Name.extend({ ref: pathParam('ref', "a version number or an alias ('latest', 'production')") });

/** `name:version` for a number, `name@alias` otherwise: the registry's reference forms. */
function modelRef(name: string, ref: string): string {
  return /^\d+$/.test(ref) ? `${name}:${ref}` : `${name}@${ref}`;
}

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/models',
    tags: ['models'],
    summary: 'Models with their version counts and aliases',
    responses: { 200: jsonContent(z.array(ModelSummarySchema), 'models') },
  }),
  versions: createRoute({
    method: 'get',
    path: '/api/models/{name}',
    tags: ['models'],
    summary: "A model's versions, newest first",
    request: { params: Name },
    responses: { 200: jsonContent(z.array(ModelVersionSchema), 'versions'), ...errorResponses(404) },
  }),
  show: createRoute({
    method: 'get',
    path: '/api/models/{name}/versions/{ref}',
    tags: ['models'],
    summary: 'One version with its files, metrics, params and provenance',
    request: { params: Ref },
    responses: { 200: jsonContent(ModelVersionSchema, 'the version'), ...errorResponses(404) },
  }),
  setAlias: createRoute({
    method: 'put',
    path: '/api/models/{name}/aliases/{alias}',
    tags: ['models'],
    summary: 'Point an alias at a version (moving it)',
    request: {
      params: Name.extend({ alias: pathParam('alias', 'alias name') }),
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ version: z.number().int().min(1) }).strict() } },
      },
    },
    responses: { 200: jsonContent(ModelVersionSchema, 'the aliased version'), ...errorResponses(400, 404) },
  }),
  removeAlias: createRoute({
    method: 'delete',
    path: '/api/models/{name}/aliases/{alias}',
    tags: ['models'],
    summary: 'Remove an alias',
    request: { params: Name.extend({ alias: pathParam('alias', 'alias name') }) },
    responses: { 200: jsonContent(z.object({ removed: z.string() }), 'removed'), ...errorResponses(404) },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/api/models/{name}/versions/{version}',
    tags: ['models'],
    summary: 'Delete a version (refused while aliased, unless force=true)',
    request: {
      params: Name.extend({
        version: z.coerce
          .number()
          .int()
          .min(1)
          .openapi({ param: { name: 'version', in: 'path' } }),
      }),
      query: z.object({ force: z.enum(['true', 'false']).optional() }),
    },
    responses: {
      200: jsonContent(z.object({ deleted: z.string() }), 'deleted'),
      ...errorResponses(404, 409),
    },
  }),
};

const download = createRoute({
  method: 'get',
  path: '/api/models/{name}/versions/{ref}/files/{path}',
  tags: ['models'],
  summary: 'Download one file of a model version',
  request: { params: Ref.extend({ path: pathParam('path', "the file's path (may contain '/')") }) },
  responses: {
    200: {
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
      description: 'the bytes',
    },
    ...errorResponses(400, 404),
  },
});

/** Registers the model routes. */
export function registerModelRoutes(app: ApiApp, deps: Pick<ApiDeps, 'workspace' | 'serving'>): void {
  const { workspace } = deps;
  const registry = workspace.registry ?? new ModelRegistry(workspace.store, workspace.objects);
  app.openapi(routes.list, async (c) => ok(c, await registry.list()));
  app.openapi(routes.versions, async (c) => ok(c, await registry.versions(c.req.valid('param').name)));
  app.openapi(routes.show, async (c) => {
    const { name, ref } = c.req.valid('param');
    return ok(c, await registry.get(modelRef(name, ref)));
  });
  app.openapi(routes.setAlias, async (c) => {
    const { name, alias } = c.req.valid('param');
    const moved = await registry.setAlias(name, alias, c.req.valid('json').version);
    // NOTE: served references to this alias swap now; the swap loads first, so this does not wait.
    void deps.serving?.refresh(name);
    return ok(c, moved);
  });
  app.openapi(routes.removeAlias, async (c) => {
    const { name, alias } = c.req.valid('param');
    await registry.removeAlias(name, alias);
    void deps.serving?.refresh(name);
    return ok(c, { removed: `${name}@${alias}` });
  });
  app.openapi(routes.remove, async (c) => {
    const { name, version } = c.req.valid('param');
    await registry.remove(name, version, { force: c.req.valid('query').force === 'true' });
    return ok(c, { deleted: `${name}:${version}` });
  });
  app.openAPIRegistry.registerPath(download);
  app.get('/api/models/:name/versions/:ref/files/:path{.+}', async (c) => {
    const version = await registry.get(modelRef(c.req.param('name'), c.req.param('ref')));
    const path = normalizeRepoPath(c.req.param('path'), 'path');
    const file = version.files.find((item) => normalizeRepoPath(item.path) === path);
    if (!file) {
      throw new SluiceError(
        'PATH_NOT_FOUND',
        `model ${version.name} version ${version.version} has no file '${path}'; files: ${version.files.map((item) => item.path).join(', ')}`,
      );
    }
    const data = await workspace.objects.get(file.hash);
    return c.body(new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength), 200, {
      'content-type': contentTypeOf(path),
      'x-content-type-options': 'nosniff',
    });
  });
}
