/**
 * Model serving routes: `POST /api/models/{name}/predict` (JSON rows, or images as base64 in
 * JSON or as multipart file parts) answered by the version `?alias=` (default `latest`) or
 * `?version=` names; `POST /api/models/{name}/train` (online learning); `GET /api/serving`
 * (what is loaded). Every answer names the version that computed it, in the body and in
 * the `x-sluice-model-version` header.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SluiceError, toSluiceError } from '../../../core/index.js';
import type { ModelServer, PredictBody } from '../../../serving/index.js';
import type { ApiApp } from '../app.js';
import { httpStatusFor } from '../errors.js';
import type { ApiMetrics } from '../metrics.js';
import { errorResponses, jsonContent, pathParam } from '../schemas.js';

const Name = z.object({ name: pathParam('name', 'model name') });
const Which = z.object({
  alias: z.string().optional().openapi({ description: "the alias to answer with (default 'latest')" }),
  version: z.string().optional().openapi({ description: 'a version number (instead of an alias)' }),
});
const Row = z.record(z.string(), z.unknown());
const PredictRequest = z.object({ rows: z.array(Row).min(1) }).openapi('PredictRequest');
const Prediction = z
  .object({
    cluster: z.number().optional(),
    distance: z.number().optional(),
    label: z.string().optional(),
    class: z.number().optional(),
    probability: z.number().optional(),
    probabilities: z.array(z.number()).optional(),
    output: z.array(z.number()).optional(),
  })
  .openapi('Prediction');
const PredictResponse = z
  .object({
    model: z.string(),
    version: z.number(),
    ref: z.string(),
    predictions: z.array(Prediction),
    batchRows: z.number(),
  })
  .openapi('PredictResponse');
const TrainResponse = z
  .object({
    model: z.string(),
    from: z.number(),
    version: z.number(),
    metrics: z.record(z.string(), z.number()),
    previous: z.record(z.string(), z.number()),
    promoted: z.boolean(),
    alias: z.string().nullable(),
    rule: z.string().nullable(),
    reason: z.string(),
    data: z.object({ repo: z.string(), branch: z.string(), commit: z.string(), path: z.string() }),
  })
  .openapi('TrainResponse');

const predictRoute = createRoute({
  method: 'post',
  path: '/api/models/{name}/predict',
  tags: ['serving'],
  summary: "Predict rows with the version an alias (default 'latest') or a number names",
  description:
    'JSON `{ "rows": [...] }` with the columns the version declares (images as base64), or multipart/form-data with one file part per image under the image column\'s name. Concurrent requests are batched.',
  request: {
    params: Name,
    query: Which,
    body: {
      required: true,
      content: {
        'application/json': { schema: PredictRequest },
        'multipart/form-data': { schema: z.record(z.string(), z.string().openapi({ format: 'binary' })) },
      },
    },
  },
  responses: {
    200: jsonContent(PredictResponse, 'the predictions and the version that made them'),
    ...errorResponses(400, 404, 413),
  },
});
const trainRoute = createRoute({
  method: 'post',
  path: '/api/models/{name}/train',
  tags: ['serving'],
  summary: 'Learn from new rows (k-means: a mini-batch update) and save a new version',
  description:
    "Trains from `?from=` (an alias or a number), else the manifest's online alias, else latest. The rows are committed to the repo `<name>-online` as the version's provenance; the alias moves only when the manifest's `online.promote_if` holds.",
  request: {
    params: Name,
    query: z.object({ from: z.string().optional() }),
    body: { required: true, content: { 'application/json': { schema: PredictRequest } } },
  },
  responses: {
    200: jsonContent(TrainResponse, 'the new version and whether the alias moved'),
    ...errorResponses(400, 404, 409),
  },
});
const statusRoute = createRoute({
  method: 'get',
  path: '/api/serving',
  tags: ['serving'],
  summary: 'References being served and the version each answers with',
  responses: {
    200: jsonContent(
      z.object({
        bindings: z.array(
          z.object({ ref: z.string(), model: z.string(), version: z.number(), flavor: z.string() }),
        ),
        options: z.record(z.string(), z.number()),
      }),
      'bindings',
    ),
  },
});

/** Parses `?alias=` / `?version=` into a registry reference. */
export function predictRef(name: string, alias: string | undefined, version: string | undefined): string {
  if (alias !== undefined && version !== undefined) {
    throw new SluiceError('INVALID_REQUEST', 'invalid request: query: give alias or version, not both');
  }
  if (version !== undefined) {
    if (!/^[1-9]\d*$/.test(version)) {
      throw new SluiceError(
        'INVALID_REQUEST',
        `invalid request: query.version: expected a version number, found '${version}'`,
      );
    }
    return `${name}:${version}`;
  }
  return `${name}@${alias ?? 'latest'}`;
}

/** The request body as the model server takes it: JSON, or multipart files. */
export async function predictBody(c: Context): Promise<PredictBody> {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('multipart/form-data')) {
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody({ all: true });
    } catch (error) {
      throw new SluiceError(
        'INVALID_REQUEST',
        `invalid request: the multipart body cannot be parsed (${(error as Error).message})`,
      );
    }
    const files: { field: string; file: { bytes: Uint8Array; where: string } }[] = [];
    for (const [field, value] of Object.entries(form)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (!(item instanceof File)) {
          throw new SluiceError(
            'INVALID_REQUEST',
            `invalid request: part '${field}': expected a file, found a text field`,
            {
              details: { field },
            },
          );
        }
        files.push({
          field,
          file: {
            bytes: new Uint8Array(await item.arrayBuffer()),
            where: `part '${field}' (${item.name || 'unnamed'})`,
          },
        });
      }
    }
    return { files };
  }
  if (!type.startsWith('application/json')) {
    throw new SluiceError(
      'INVALID_REQUEST',
      `invalid request: content-type '${type || '(none)'}': expected application/json or multipart/form-data`,
    );
  }
  try {
    return { json: await c.req.json() };
  } catch (error) {
    throw new SluiceError(
      'INVALID_REQUEST',
      `invalid request: the body is not valid JSON (${(error as Error).message})`,
    );
  }
}

/** Registers the serving routes over `server`; `pinned` limits them to one model (`sluice serve`). */
export function registerServingRoutes(
  app: ApiApp,
  server: ModelServer,
  metrics: ApiMetrics,
  pinned?: { name: string; ref: string },
): void {
  const observe = (
    name: string,
    started: number,
    status: number,
    answer?: { version: number; rows: number },
    code?: string,
  ) => {
    const version = answer ? String(answer.version) : '';
    metrics.serving.request(name, version, status, (performance.now() - started) / 1000, answer?.rows ?? 0);
    if (code) metrics.serving.error(name, version, code);
  };
  const refFor = (name: string, alias: string | undefined, version: string | undefined) => {
    if (pinned && name !== pinned.name) {
      throw new SluiceError(
        'MODEL_NOT_FOUND',
        `this server serves model '${pinned.name}' only, not '${name}'`,
      );
    }
    if (pinned && alias === undefined && version === undefined) return pinned.ref;
    return predictRef(name, alias, version);
  };

  const predict = async (
    c: Context,
    name: string,
    alias: string | undefined,
    version: string | undefined,
  ) => {
    const started = performance.now();
    try {
      const answer = await server.predict(refFor(name, alias, version), predictBody(c));
      observe(name, started, 200, { version: answer.version, rows: answer.predictions.length });
      c.header('x-sluice-model-version', String(answer.version));
      return c.json(answer, 200);
    } catch (error) {
      const failure = toSluiceError(error);
      const version = failure.details?.version;
      if (typeof version === 'number') c.header('x-sluice-model-version', String(version));
      observe(
        name,
        started,
        httpStatusFor(failure.code),
        typeof version === 'number' ? { version, rows: 0 } : undefined,
        failure.code,
      );
      throw failure;
    }
  };

  app.openAPIRegistry.registerPath(predictRoute);
  app.post('/api/models/:name/predict', (c) =>
    predict(c, c.req.param('name'), c.req.query('alias'), c.req.query('version')),
  );

  app.openAPIRegistry.registerPath(trainRoute);
  app.post('/api/models/:name/train', async (c) => {
    const name = c.req.param('name');
    const started = performance.now();
    try {
      if (pinned && name !== pinned.name) refFor(name, undefined, undefined);
      const body = await predictBody(c);
      if (!('json' in body))
        throw new SluiceError('INVALID_REQUEST', 'invalid request: training takes JSON {"rows": [...]}');
      const answer = await server.train(name, body.json, c.req.query('from'));
      observe(name, started, 200, { version: answer.version, rows: 0 });
      c.header('x-sluice-model-version', String(answer.version));
      return c.json(answer, 200);
    } catch (error) {
      const failure = toSluiceError(error);
      observe(name, started, httpStatusFor(failure.code), undefined, failure.code);
      throw failure;
    }
  });

  app.openapi(statusRoute, async (c) =>
    c.json({ bindings: await server.bindings(), options: { ...server.options } }, 200),
  );
}
