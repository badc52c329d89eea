/**
 * Authentication and roles for every API route. A request carries `Authorization: Bearer
 * <token>`; server-sent-event routes also accept `?token=` (EventSource cannot send
 * headers). The role a route needs follows from its method and path, in one table:
 *
 * | request | role |
 * |---|---|
 * | `/api/tokens...` (any method) | admin |
 * | `DELETE` (pipelines, repos, branches, model versions) | admin |
 * | `DELETE .../aliases/...`, `DELETE /api/repos/{repo}/files/...` (a removal commit) | editor |
 * | other `POST`, `PUT`, `PATCH` (launch, cancel, retry, uploads, pipelines, aliases) | editor |
 * | `GET`, `HEAD` (including `/metrics`), `POST /api/models/{name}/predict` | viewer |
 *
 * `/api/openapi.json` and `/api/docs` describe the API and need no token; nor do the web UI's
 * files (every path outside `/api/` and `/metrics`), whose data comes from the API.
 */
import type { MiddlewareHandler } from 'hono';
import { SluiceError } from '../../core/index.js';
import type { MetadataStore, TokenRecord, TokenRole } from '../../store/index.js';
import { TokenVerifier, roleAllows } from '../auth/index.js';
import { isApiPath } from './ui.js';

/** Hono variables set by the auth middleware. */
export interface ApiEnv {
  Variables: { token: TokenRecord | null };
}

const PUBLIC = new Set(['/api/openapi.json', '/api/docs']);

/** The role a request needs (see the table above). */
export function requiredRole(method: string, path: string): TokenRole {
  if (path === '/api/tokens' || path.startsWith('/api/tokens/')) return 'admin';
  const upper = method.toUpperCase();
  if (upper === 'GET' || upper === 'HEAD') return 'viewer';
  // A prediction reads a model; it is a POST only because it carries rows.
  if (upper === 'POST' && /^\/api\/models\/[^/]+\/predict$/.test(path)) return 'viewer';
  // Removing files is a commit like an upload; deleting repos, branches, pipelines, model
  // versions and tokens is an admin's.
  if (upper === 'DELETE')
    return /\/aliases\/[^/]+$/.test(path) || /^\/api\/repos\/[^/]+\/files\//.test(path) ? 'editor' : 'admin';
  return 'editor';
}

/** Whether `path` streams server-sent events (and so may take its token from `?token=`). */
export function isEventStream(path: string): boolean {
  return path === '/api/events' || path.endsWith('/stream');
}

/** The auth middleware for `mode`; in `open` mode every request passes. */
export function authMiddleware(store: MetadataStore, mode: 'open' | 'tokens'): MiddlewareHandler<ApiEnv> {
  const verifier = new TokenVerifier(store);
  return async (c, next) => {
    c.set('token', null);
    const path = c.req.path;
    if (mode === 'open' || PUBLIC.has(path) || !isApiPath(path)) return next();
    const header = c.req.header('authorization');
    let secret: string | undefined;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match?.[1]) {
        throw new SluiceError('UNAUTHORIZED', "the Authorization header must be 'Bearer <token>'");
      }
      secret = match[1];
    } else if (isEventStream(path)) {
      secret = c.req.query('token');
    }
    if (!secret) {
      throw new SluiceError(
        'UNAUTHORIZED',
        'this server requires an API token: send `Authorization: Bearer <token>` (create one with `sluice token create`)',
      );
    }
    const token = await verifier.verify(secret);
    const needed = requiredRole(c.req.method, path);
    if (!roleAllows(token.role, needed)) {
      throw new SluiceError(
        'FORBIDDEN',
        `${c.req.method} ${path} needs the role '${needed}'; token '${token.name}' has '${token.role}'`,
        { details: { needed, role: token.role } },
      );
    }
    c.set('token', token);
    return next();
  };
}
