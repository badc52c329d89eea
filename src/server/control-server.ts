/**
 * The control server: the process that owns a data directory serves its {@link RunsApi}
 * as JSON over HTTP on a Unix socket, so that `sluice runs/show/logs/cancel` from another
 * shell work while a run holds the directory's lock.
 *
 * Routes: `GET /v0/runs`, `GET /v0/runs/:id`, `GET /v0/runs/:id/logs?after=&step=&limit=`,
 * `POST /v0/runs/:id/cancel`. Errors: `{ code, message, details }` with a status from
 * {@link httpStatusFor}.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { rm } from 'node:fs/promises';
import { toSluiceError } from '../core/index.js';
import { httpStatusFor } from './http/errors.js';
import type { RunStatus } from '../store/index.js';
import type { RunsApi } from './runs-api.js';

export { httpStatusFor };

/** Serves `api` on the Unix socket `path` (replacing a stale socket file). */
export async function startControlServer(api: RunsApi, path: string): Promise<{ close(): Promise<void> }> {
  await rm(path, { force: true });
  const server: Server = createServer((request, response) => {
    handle(api, request, response).catch((error: unknown) =>
      send(response, 500, toSluiceError(error).toJSON()),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  server.unref();
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => rm(path, { force: true })),
  };
}

async function handle(api: RunsApi, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://sluice');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (parts[0] !== 'v0' || parts[1] !== 'runs')
      return send(response, 404, { code: 'USAGE', message: 'no such route' });
    const id = parts[2];
    if (request.method === 'GET' && id === undefined) {
      const limit = url.searchParams.get('limit');
      const status = url.searchParams.get('status');
      const pipeline = url.searchParams.get('pipeline');
      return send(
        response,
        200,
        await api.listRuns({
          ...(limit ? { limit: Number(limit) } : {}),
          ...(status ? { status: status as RunStatus } : {}),
          ...(pipeline ? { pipeline } : {}),
        }),
      );
    }
    if (id === undefined) return send(response, 405, { code: 'USAGE', message: 'method not allowed' });
    if (request.method === 'GET' && parts.length === 3) return send(response, 200, await api.runDetail(id));
    if (request.method === 'GET' && parts[3] === 'logs') {
      const after = url.searchParams.get('after');
      const limit = url.searchParams.get('limit');
      const step = url.searchParams.get('step');
      return send(
        response,
        200,
        await api.logs(id, {
          ...(after ? { afterSeq: Number(after) } : {}),
          ...(limit ? { limit: Number(limit) } : {}),
          ...(step ? { step } : {}),
        }),
      );
    }
    if (request.method === 'POST' && parts[3] === 'cancel') return send(response, 200, await api.cancel(id));
    return send(response, 404, { code: 'USAGE', message: `no route ${request.method} ${url.pathname}` });
  } catch (error) {
    const failure = toSluiceError(error);
    return send(response, httpStatusFor(failure.code), failure.toJSON());
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
