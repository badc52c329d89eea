/**
 * The UI's only way to the server: the public HTTP API, typed by `schema.d.ts` (generated
 * from `/api/openapi.json`). Every call carries the saved API token; a failure becomes an
 * {@link ApiError} holding the API's `{ code, message }`.
 *
 * @example
 * const runs = await unwrap(api.GET('/api/runs', { params: { query: { limit: 20 } } }));
 */
import createClient from 'openapi-fetch';
import type { paths } from './schema';

const TOKEN_KEY = 'sluice.token';

/** An API error with the server's code and message (or a network failure's). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The saved API token, if any. */
export function savedToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Saves (or with `null` forgets) the API token used by every request. */
export function saveToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
  window.dispatchEvent(new Event('sluice-token'));
}

/** The typed API client. */
export const api = createClient<paths>({ baseUrl: '' });
api.use({
  onRequest({ request }) {
    const token = savedToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
});

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of an API call, or throws an {@link ApiError} with the server's message. */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `cannot reach the Sluice server: ${(error as Error).message}`);
  }
  const { data, error, response } = outcome;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> };
  throw new ApiError(
    response.status,
    body.code ?? `HTTP_${response.status}`,
    body.message ?? `${response.status} ${response.statusText}`,
    body.details ?? {},
  );
}

/** A URL of the API with the token in `?token=`, for EventSource (which cannot send headers). */
export function streamUrl(path: string, query: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const token = savedToken();
  if (token) params.set('token', token);
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** A download URL for `<a href>` or `<img src>`: files routes need the token too. */
export async function fetchBlob(path: string): Promise<Blob> {
  const token = savedToken();
  const response = await fetch(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new ApiError(
      response.status,
      body.code ?? `HTTP_${response.status}`,
      body.message ?? response.statusText,
    );
  }
  return response.blob();
}
