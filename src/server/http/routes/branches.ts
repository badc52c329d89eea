/** Branches of a repo: create one (empty, or at a commit or another branch's head) and delete one. */
import { createRoute, z } from '@hono/zod-openapi';
import { SluiceError } from '../../../core/index.js';
import type { ApiApp } from '../app.js';
import type { ApiDeps } from '../deps.js';
import { ok } from '../respond.js';
import { BranchSchema, errorResponses, jsonContent, pathParam } from '../schemas.js';

const Repo = z.object({ repo: pathParam('repo', 'repo name') });

const create = createRoute({
  method: 'post',
  path: '/api/repos/{repo}/branches',
  tags: ['repos'],
  summary: 'Create a branch, empty or starting at a commit or branch (`sluice branch create`)',
  request: {
    params: Repo,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              name: z.string().min(1).openapi({ description: 'the new branch' }),
              from: z.string().optional().openapi({ description: 'a branch or commit id it starts at' }),
            })
            .strict(),
        },
      },
    },
  },
  responses: { 201: jsonContent(BranchSchema, 'the branch'), ...errorResponses(400, 404, 409) },
});

const remove = createRoute({
  method: 'delete',
  path: '/api/repos/{repo}/branches/{branch}',
  tags: ['repos'],
  summary: 'Delete a branch (its commits stay)',
  request: { params: Repo.extend({ branch: pathParam('branch', 'branch name') }) },
  responses: { 200: jsonContent(z.object({ deleted: z.string() }), 'deleted'), ...errorResponses(404) },
});

/** Registers the branch routes. */
export function registerBranchRoutes(app: ApiApp, deps: ApiDeps): void {
  const { repos, store } = deps.workspace;
  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const branch = await repos.createBranch(c.req.valid('param').repo, body.name, body.from);
    return ok(c, branch, 201);
  });
  app.openapi(remove, async (c) => {
    const { repo, branch } = c.req.valid('param');
    await repos.require(repo);
    if (!(await store.repos.deleteBranch(repo, branch)))
      throw new SluiceError('BRANCH_NOT_FOUND', `repo '${repo}' has no branch '${branch}'`);
    return ok(c, { deleted: `${repo}@${branch}` });
  });
}
