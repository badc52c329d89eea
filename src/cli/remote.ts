/**
 * A {@link RunsApi} that talks to the process owning the data directory over its control
 * socket, for commands run from another shell while that process holds the lock.
 */
import { request } from 'node:http';
import { SluiceError, type ErrorCode } from '../core/index.js';
import type { RunsApi } from '../server/index.js';

const DATE_KEYS = new Set(['createdAt', 'startedAt', 'finishedAt', 'time']);

/** A client for the control server listening on the Unix socket `socketPath`. */
export function remoteRunsApi(socketPath: string): RunsApi {
  function call<T>(method: 'GET' | 'POST', path: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath, method, path }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8'), (key, value: unknown) =>
              DATE_KEYS.has(key) && typeof value === 'string' ? new Date(value) : value,
            ) as unknown;
            if ((response.statusCode ?? 500) >= 400) {
              const error = body as { code?: ErrorCode; message?: string; details?: Record<string, unknown> };
              reject(
                new SluiceError(error.code ?? 'INTERNAL', error.message ?? 'control request failed', {
                  ...(error.details ? { details: error.details } : {}),
                }),
              );
            } else {
              resolve(body as T);
            }
          } catch (error) {
            reject(
              new SluiceError('INTERNAL', `bad answer from the control socket ${socketPath}`, {
                cause: error,
              }),
            );
          }
        });
      });
      req.on('error', (error) =>
        reject(
          new SluiceError(
            'STORE_LOCKED',
            `cannot reach the process owning the data directory at ${socketPath}: ${error.message}`,
          ),
        ),
      );
      req.end();
    });
  }
  const query = (entries: Record<string, string | number | undefined>): string => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(entries))
      if (value !== undefined) params.set(key, String(value));
    const text = params.toString();
    return text ? `?${text}` : '';
  };
  return {
    listRuns: (filter = {}) =>
      call(
        'GET',
        `/v0/runs${query({ limit: filter.limit, status: filter.status, pipeline: filter.pipeline })}`,
      ),
    runDetail: (id) => call('GET', `/v0/runs/${encodeURIComponent(id)}`),
    logs: (id, options = {}) =>
      call(
        'GET',
        `/v0/runs/${encodeURIComponent(id)}/logs${query({ after: options.afterSeq, limit: options.limit, step: options.step })}`,
      ),
    cancel: (id) => call('POST', `/v0/runs/${encodeURIComponent(id)}/cancel`),
  };
}
