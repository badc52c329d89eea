/**
 * Versioned data: repos (list, create, delete), branches, commit logs, diffs, listings at a
 * commit or branch, and the lineage of a commit both ways.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { SluiceError } from '../../../core/index.js';
import { DEFAULT_BRANCH, commitLineage, normalizeRepoPath } from '../../../data/index.js';
import type { ApiApp } from '../app.js';
import type { ApiDeps } from '../deps.js';
import { ok } from '../respond.js';
import {
  BranchSchema,
  CommitSchema,
  FileDiffSchema,
  FileEntrySchema,
  ListEntrySchema,
  RepoSchema,
  errorResponses,
  intQuery,
  jsonContent,
  pathParam,
} from '../schemas.js';

const Repo = z.object({ repo: pathParam('repo', 'repo name') });
const ref = z.string().optional().openapi({ description: 'branch or commit id (default main)' });
const RepoWithHead = RepoSchema.extend({
  branches: z.array(BranchSchema),
  head: CommitSchema.nullable(),
}).openapi('RepoWithHead');
const LineageNodeSchema: z.ZodType = z
  .object({
    commit: z.string(),
    repo: z.string(),
    branch: z.string(),
    pipeline: z.string().nullable(),
    runId: z.string().nullable(),
    children: z.array(z.lazy(() => LineageNodeSchema)),
  })
  .openapi('LineageNode');

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/repos',
    tags: ['repos'],
    summary: 'Repos with their branches and the head commit of main',
    responses: { 200: jsonContent(z.array(RepoWithHead), 'repos') },
  }),
  create: createRoute({
    method: 'post',
    path: '/api/repos',
    tags: ['repos'],
    summary: 'Create an empty repo',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z
              .object({ name: z.string().min(1), description: z.string().max(10_000).optional() })
              .strict(),
          },
        },
      },
    },
    responses: { 201: jsonContent(RepoSchema, 'created'), ...errorResponses(400, 409) },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/api/repos/{repo}',
    tags: ['repos'],
    summary: 'Delete a repo with its commits (refused while registered pipelines read it, unless force)',
    request: { params: Repo, query: z.object({ force: z.enum(['true', 'false']).optional() }) },
    responses: {
      200: jsonContent(z.object({ deleted: z.string() }), 'deleted'),
      ...errorResponses(400, 404),
    },
  }),
  branches: createRoute({
    method: 'get',
    path: '/api/repos/{repo}/branches',
    tags: ['repos'],
    summary: "A repo's branches",
    request: { params: Repo },
    responses: { 200: jsonContent(z.array(BranchSchema), 'branches'), ...errorResponses(404) },
  }),
  log: createRoute({
    method: 'get',
    path: '/api/repos/{repo}/log',
    tags: ['repos'],
    summary: 'Commits reachable from a branch or commit, newest first, with provenance',
    request: {
      params: Repo,
      query: z.object({ ref, limit: intQuery('limit', 'how many (default 50)', 10_000) }),
    },
    responses: { 200: jsonContent(z.array(CommitSchema), 'commits'), ...errorResponses(404) },
  }),
  diff: createRoute({
    method: 'get',
    path: '/api/repos/{repo}/diff',
    tags: ['repos'],
    summary: 'Files added, changed and removed between two commits',
    request: { params: Repo, query: z.object({ from: z.string().min(1), to: z.string().min(1) }) },
    responses: { 200: jsonContent(z.array(FileDiffSchema), 'differences'), ...errorResponses(400, 404) },
  }),
  ls: createRoute({
    method: 'get',
    path: '/api/repos/{repo}/ls',
    tags: ['repos'],
    summary: 'Files and folders at a path of a commit or branch',
    request: {
      params: Repo,
      query: z.object({
        ref,
        path: z.string().optional().openapi({ description: "folder or file (default '/')" }),
        recursive: z.enum(['true', 'false']).optional().openapi({ description: 'every file under the path' }),
      }),
    },
    responses: {
      200: jsonContent(z.union([z.array(ListEntrySchema), z.array(FileEntrySchema)]), 'entries'),
      ...errorResponses(400, 404),
    },
  }),
  lineage: createRoute({
    method: 'get',
    path: '/api/repos/{repo}/lineage',
    tags: ['lineage'],
    summary: 'Where a commit came from, and what was derived from it',
    request: {
      params: Repo,
      query: z.object({ ref, depth: intQuery('depth', 'levels to follow (default 32)', 256) }),
    },
    responses: {
      200: jsonContent(
        z
          .object({
            commit: z.string(),
            repo: z.string(),
            message: z.string(),
            provenance: z.record(z.string(), z.unknown()).nullable(),
            upstream: z.array(LineageNodeSchema),
            downstream: z.array(LineageNodeSchema),
          })
          .openapi('Lineage'),
        'lineage',
      ),
      ...errorResponses(404),
    },
  }),
};

/** Registers the repo routes. */
export function registerRepoRoutes(app: ApiApp, deps: ApiDeps): void {
  const { repos, store } = deps.workspace;
  app.openapi(routes.list, async (c) => {
    const list = await store.repos.listRepos();
    const rows = await Promise.all(
      list.map(async (repo) => {
        const main = repo.branches.find((branch) => branch.name === DEFAULT_BRANCH) ?? repo.branches[0];
        const head = main?.head ? await store.repos.getCommit(main.head) : undefined;
        return { ...repo, head: head ?? null };
      }),
    );
    return ok(c, rows);
  });
  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    return ok(c, await repos.create(body.name, body.description ?? ''), 201);
  });
  app.openapi(routes.remove, async (c) => {
    const { repo } = c.req.valid('param');
    await repos.require(repo);
    const readers = (await store.repos.listPipelines()).filter((record) =>
      record.inputRepos.some((input) => input.startsWith(`${repo}@`)),
    );
    if (readers.length > 0 && c.req.valid('query').force !== 'true') {
      throw new SluiceError(
        'USAGE',
        `repo '${repo}' is read by pipelines ${readers.map((record) => record.name).join(', ')}; delete them first or pass force=true`,
      );
    }
    await store.repos.deleteRepo(repo);
    return ok(c, { deleted: repo });
  });
  app.openapi(routes.branches, async (c) => {
    const { repo } = c.req.valid('param');
    await repos.require(repo);
    return ok(c, await store.repos.listBranches(repo));
  });
  app.openapi(routes.log, async (c) => {
    const { repo } = c.req.valid('param');
    const query = c.req.valid('query');
    const resolved = await repos.resolve(repo, query.ref);
    return ok(c, await repos.log(resolved.commit, query.limit ?? 50));
  });
  app.openapi(routes.diff, async (c) => {
    const { repo } = c.req.valid('param');
    const query = c.req.valid('query');
    const before = await repos.resolveCommit(repo, query.from);
    const after = await repos.resolveCommit(repo, query.to);
    return ok(c, await repos.diff(before, after));
  });
  app.openapi(routes.ls, async (c) => {
    const { repo } = c.req.valid('param');
    const query = c.req.valid('query');
    const path = normalizeRepoPath(query.path ?? '/', 'query.path');
    const resolved = await repos.resolve(repo, query.ref);
    if (query.recursive === 'true')
      return ok(c, resolved.commit ? await repos.files(resolved.commit, path) : []);
    return ok(c, await repos.list(resolved.commit, path));
  });
  app.openapi(routes.lineage, async (c) => {
    const { repo } = c.req.valid('param');
    const query = c.req.valid('query');
    const commit = await repos.resolveCommit(repo, query.ref);
    return ok(c, await commitLineage(store.repos, commit, query.depth ?? 32));
  });
}
