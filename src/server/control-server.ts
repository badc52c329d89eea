/**
 * The control server: the process that owns a data directory serves its {@link RunsApi}
 * as JSON over HTTP on a Unix socket, so that `sluice runs/show/logs/cancel` from another
 * shell work while a run holds the directory's lock.
 *
 * Routes: `GET /v0/runs`, `GET /v0/runs/:id`, `GET /v0/runs/:id/logs?after=&step=&limit=`,
 * `POST /v0/runs/:id/cancel`, and `POST /v0/batches` (body: batch session options; the
 * response streams the session's batches as frames, see `batches/frames.ts`). Errors:
 * `{ code, message, details }` with a status from {@link httpStatusFor}.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { rm } from 'node:fs/promises';
import { SluiceError, toSluiceError } from '../core/index.js';
import { httpStatusFor } from './http/errors.js';
import type { RunStatus } from '../store/index.js';
import type { RunsApi } from './runs-api.js';
import type { BatchesOptions, BatchSession } from '../batches/client.js';
import { writeBatchFrames } from '../batches/frames.js';

/** What the owner offers besides runs. */
export interface ControlExtras {
  /** Opens a batch session over the owner's data directory. */
  openBatches?: (options: BatchesOptions) => Promise<BatchSession>;
}

export { httpStatusFor };

/** Serves `api` on the Unix socket `path` (replacing a stale socket file). */
export async function startControlServer(
  api: RunsApi,
  path: string,
  extras: ControlExtras = {},
): Promise<{ close(): Promise<void> }> {
  await rm(path, { force: true });
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sluice');
    if (url.pathname === '/v0/batches' && request.method === 'POST') {
      serveBatches(extras, request, response).catch((error: unknown) => {
        if (!response.headersSent)
          send(response, httpStatusFor(toSluiceError(error).code), toSluiceError(error).toJSON());
        else response.destroy();
      });
      return;
    }
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

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
  } catch (error) {
    throw new SluiceError('INVALID_REQUEST', `the body is not JSON: ${(error as Error).message}`);
  }
}

/** Streams a batch session's frames; the session ends with the stream or when the reader leaves. */
async function serveBatches(
  extras: ControlExtras,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (!extras.openBatches) throw new SluiceError('USAGE', 'this process does not serve training batches');
  const body = await readBody(request);
  if (typeof body !== 'object' || body === null || typeof (body as { repo?: unknown }).repo !== 'string')
    throw new SluiceError('INVALID_REQUEST', "the body needs 'repo': the repo holding the datapoints");
  const session = await extras.openBatches(body as BatchesOptions);
  try {
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'x-sluice-batches': JSON.stringify(session.summary()),
    });
    await writeBatchFrames(session, response);
    response.end();
  } finally {
    await session.close();
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
