/** Small helpers the route modules share. */
import type { Context } from 'hono';

/**
 * Answers JSON. The route's zod schema documents the shape; records are serialised as they
 * are (dates become ISO strings), so the body is not re-validated against the schema.
 */
export function ok<S extends 200 | 201 | 202>(c: Context, body: unknown, status: S = 200 as S): never {
  return c.json(body as object, status) as never;
}
