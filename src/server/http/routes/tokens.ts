/** API tokens, for admins: list, create (the secret is answered once), revoke. */
import { createRoute, z } from '@hono/zod-openapi';
import { createApiToken, revokeApiToken } from '../../auth/index.js';
import type { ApiApp } from '../app.js';
import type { ApiDeps } from '../deps.js';
import { ok } from '../respond.js';
import { TokenSchema, errorResponses, jsonContent, pathParam } from '../schemas.js';

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/tokens',
    tags: ['tokens'],
    summary: 'API tokens (never their secrets)',
    responses: { 200: jsonContent(z.array(TokenSchema), 'tokens') },
  }),
  create: createRoute({
    method: 'post',
    path: '/api/tokens',
    tags: ['tokens'],
    summary: 'Create a token; its secret is in this answer only',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z
              .object({
                role: z.enum(['viewer', 'editor', 'admin']),
                name: z.string().min(1).max(200).optional(),
              })
              .strict(),
          },
        },
      },
    },
    responses: {
      201: jsonContent(z.object({ token: TokenSchema, secret: z.string() }), 'the token and its secret'),
      ...errorResponses(400),
    },
  }),
  revoke: createRoute({
    method: 'delete',
    path: '/api/tokens/{id}',
    tags: ['tokens'],
    summary: 'Revoke a token',
    request: { params: z.object({ id: pathParam('id', 'token id') }) },
    responses: { 200: jsonContent(z.object({ revoked: z.string() }), 'revoked'), ...errorResponses(404) },
  }),
};

/** Registers the token routes (admin only, see `auth.ts`). */
export function registerTokenRoutes(app: ApiApp, deps: ApiDeps): void {
  const { store } = deps.workspace;
  app.openapi(routes.list, async (c) => ok(c, await store.tokens.listTokens()));
  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    return ok(
      c,
      await createApiToken(store, { role: body.role, ...(body.name ? { name: body.name } : {}) }),
      201,
    );
  });
  app.openapi(routes.revoke, async (c) => {
    const { id } = c.req.valid('param');
    await revokeApiToken(store, id);
    return ok(c, { revoked: id });
  });
}
