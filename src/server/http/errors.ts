/**
 * One place that turns failures into HTTP answers: the status for each error code and the
 * `{ code, message, details }` body every API error has.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { toSluiceError, type ErrorCode } from '../../core/index.js';

const STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  USAGE: 400,
  INVALID_REQUEST: 400,
  INVALID_PATH: 400,
  INVALID_GLOB: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  STORE_LOCKED: 409,
  OUTPUT_CONFLICT: 409,
  MODEL_ALIASED: 409,
  MODEL_MANIFEST: 422,
  MODEL_UNSUPPORTED: 409,
  MODEL_OVERLOADED: 503,
  TABLE_SCHEMA: 409,
  TABLE_ROW: 400,
  MESSAGE_INVALID: 400,
  TOPIC_UNAVAILABLE: 503,
  PAYLOAD_TOO_LARGE: 413,
  SERVER_UNREACHABLE: 502,
};

/**
 * The HTTP status for an error code: the table above, then by family — `SPEC_*`/`PARAM_*`
 * 400, `*_NOT_FOUND` 404, `*_EXISTS`/`*_CONFLICT` 409, anything else 500.
 */
export function httpStatusFor(code: ErrorCode | string): ContentfulStatusCode {
  const listed = STATUS[code as ErrorCode];
  if (listed !== undefined) return listed;
  if (code.startsWith('SPEC_') || code.startsWith('PARAM_')) return 400;
  if (code.endsWith('_NOT_FOUND')) return 404;
  if (code.endsWith('_EXISTS') || code.endsWith('_CONFLICT')) return 409;
  return 500;
}

/** The wire shape of every API error. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/**
 * The JSON body for `error`: its code, message and details; in dev mode also the stack of
 * an unexpected error (never otherwise).
 */
export function errorBody(
  error: unknown,
  dev: boolean,
): { status: ContentfulStatusCode; body: ApiErrorBody } {
  const failure = toSluiceError(error);
  const status = httpStatusFor(failure.code);
  const details: Record<string, unknown> = { ...(failure.details ?? {}) };
  if (dev && status >= 500) {
    const cause = failure.cause instanceof Error ? failure.cause : failure;
    details.stack = cause.stack;
  }
  const message =
    status >= 500 && !dev && failure.code === 'INTERNAL'
      ? 'internal error; see the server log'
      : failure.message;
  return { status, body: { code: failure.code, message, details } };
}

/** Answers `c` with the error body for `error`. */
export function sendError(c: Context, error: unknown, dev: boolean): Response {
  const { status, body } = errorBody(error, dev);
  return c.json(body, status);
}
