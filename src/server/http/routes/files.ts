/**
 * Files in repos: download one file at a commit or branch, upload one file as a commit
 * (raw body), or several files with a message as one commit (multipart). Paths go through
 * `normalizeRepoPath` twice — as sent (so `%2e%2e`, `%2f` and double encodings are refused)
 * and decoded — and a bad one is `400 INVALID_PATH`. A new commit is told to the launcher,
 * which starts the pipelines reading its branch.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SluiceError } from '../../../core/index.js';
import { DEFAULT_BRANCH, checkBranchName, normalizeRepoPath } from '../../../data/index.js';
import type { CommitRecord, FileChange } from '../../../store/index.js';
import type { ApiApp } from '../app.js';
import type { ApiDeps } from '../deps.js';
import { CommitSchema, errorResponses, jsonContent, pathParam } from '../schemas.js';

const TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.dcm': 'application/dicom',
  '.html': 'text/plain; charset=utf-8',
};

/** The content type a file is served with (never HTML: a repo file must not run as a page). */
export function contentTypeOf(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** The in-repo path of a `/api/repos/{repo}/files/{path}` request, checked raw and decoded. */
function filePath(c: Context): string {
  const url = c.req.url;
  const pathname = url.slice(url.indexOf('/', url.indexOf('//') + 2)).split('?')[0] ?? '';
  const marker = pathname.indexOf('/files/');
  const raw = pathname.slice(marker + '/files/'.length);
  normalizeRepoPath(raw, 'path');
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new SluiceError('INVALID_PATH', `path ${JSON.stringify(raw)}: malformed percent-encoding`, {
      details: { path: raw },
    });
  }
  const path = normalizeRepoPath(decoded, 'path');
  if (path === '/')
    throw new SluiceError('INVALID_PATH', 'path: names the root, not a file', { details: { path: raw } });
  return path;
}

const FilePath = z.object({
  repo: pathParam('repo', 'repo name'),
  path: pathParam('path', "the file's path in the repo (may contain '/')"),
});

/** The query of a route that makes a commit. */
const CommitQuery = z.object({
  branch: z.string().optional(),
  message: z.string().optional(),
  trigger: z.enum(['true', 'false']).optional().openapi({ description: "'false': start no pipelines" }),
});
const Committed = jsonContent(
  z.object({ commit: CommitSchema.nullable() }),
  'the commit (null when nothing changed)',
);

const download = createRoute({
  method: 'get',
  path: '/api/repos/{repo}/files/{path}',
  tags: ['files'],
  summary: "Download a file's bytes at a commit or branch",
  request: { params: FilePath, query: z.object({ ref: z.string().optional() }) },
  responses: {
    200: {
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
      description: 'the bytes',
    },
    ...errorResponses(400, 404),
  },
});
const upload = createRoute({
  method: 'put',
  path: '/api/repos/{repo}/files/{path}',
  tags: ['files'],
  summary: 'Upload one file (the raw body) as a commit',
  request: {
    params: FilePath,
    query: CommitQuery,
    body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
  },
  responses: {
    201: Committed,
    ...errorResponses(400, 404, 413),
  },
});
const commit = createRoute({
  method: 'post',
  path: '/api/repos/{repo}/commits',
  tags: ['files'],
  summary: 'Commit several files at once (multipart: each file part is named by its repo path)',
  request: {
    params: z.object({ repo: pathParam('repo', 'repo name') }),
    body: {
      content: {
        'multipart/form-data': {
          schema: z.object({
            message: z.string().optional(),
            branch: z.string().optional(),
            trigger: z.enum(['true', 'false']).optional(),
            '/path/in/repo.csv': z.string().openapi({ format: 'binary', description: 'one part per file' }),
          }),
        },
      },
    },
  },
  responses: {
    201: Committed,
    ...errorResponses(400, 404, 413),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/api/repos/{repo}/files/{path}',
  tags: ['files'],
  summary: 'Commit the removal of a file or folder (`sluice rm`)',
  request: {
    params: FilePath,
    query: CommitQuery,
  },
  responses: {
    201: Committed,
    ...errorResponses(400, 404),
  },
});

/** Registers the file routes (documented with OpenAPI, routed with a path that may hold '/'). */
export function registerFileRoutes(app: ApiApp, deps: ApiDeps): void {
  const { repos } = deps.workspace;
  for (const route of [download, upload, commit, remove]) app.openAPIRegistry.registerPath(route);
  const committed = (c: Context, record: CommitRecord | null, trigger: boolean): Response => {
    if (record && trigger) deps.launcher.notifyCommits([record]);
    return c.json({ commit: record }, 201);
  };

  app.get('/api/repos/:repo/files/:path{.+}', async (c) => {
    const path = filePath(c);
    const found = await repos.resolveCommit(c.req.param('repo'), c.req.query('ref'));
    const files = await repos.files(found, path);
    const file = files.length === 1 && files[0]?.path === path ? files[0] : undefined;
    if (!file)
      throw new SluiceError('PATH_NOT_FOUND', `'${path}' is a folder of ${files.length} files, not a file`);
    const data = await repos.read(file);
    return c.body(new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength), 200, {
      'content-type': contentTypeOf(path),
      'content-length': String(data.byteLength),
      'x-sluice-commit': found.id,
      'x-content-type-options': 'nosniff',
    });
  });

  app.put('/api/repos/:repo/files/:path{.+}', async (c) => {
    const path = filePath(c);
    const branch = c.req.query('branch') ?? DEFAULT_BRANCH;
    checkBranchName(branch);
    const message = c.req.query('message');
    await repos.require(c.req.param('repo'));
    // NOTE: the body streams to a temporary file, so a large upload is never held in memory.
    const dir = await mkdtemp(join(tmpdir(), 'sluice-upload-'));
    let record: CommitRecord | null;
    try {
      const file = join(dir, 'body');
      const body = c.req.raw.body;
      if (body)
        await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), createWriteStream(file));
      else await writeFile(file, '');
      record = await repos.put(
        c.req.param('repo'),
        branch,
        { kind: 'path', path: file },
        { to: path, ...(message !== undefined ? { message } : {}) },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return committed(c, record, c.req.query('trigger') !== 'false');
  });

  app.delete('/api/repos/:repo/files/:path{.+}', async (c) => {
    const path = filePath(c);
    const branch = c.req.query('branch') ?? DEFAULT_BRANCH;
    checkBranchName(branch);
    const record = await repos.remove(c.req.param('repo'), branch, path, c.req.query('message'));
    return committed(c, record, c.req.query('trigger') !== 'false');
  });

  app.post('/api/repos/:repo/commits', async (c) => {
    const repo = c.req.param('repo');
    await repos.require(repo);
    if (!(c.req.header('content-type') ?? '').startsWith('multipart/form-data'))
      throw new SluiceError('INVALID_REQUEST', 'body: expected multipart/form-data with one part per file');
    const form = await c.req.parseBody({ all: true });
    const text = (key: string): string | undefined => {
      const value = form[key];
      return typeof value === 'string' ? value : undefined;
    };
    const branch = text('branch') ?? DEFAULT_BRANCH;
    checkBranchName(branch);
    const changes: FileChange[] = [];
    const seen = new Set<string>();
    for (const [name, value] of Object.entries(form)) {
      for (const part of Array.isArray(value) ? value : [value]) {
        if (typeof part === 'string') continue;
        const path = normalizeRepoPath(name, 'multipart part name');
        if (path === '/')
          throw new SluiceError('INVALID_PATH', `multipart part name '${name}' names the root, not a file`);
        if (seen.has(path)) throw new SluiceError('INVALID_REQUEST', `multipart: '${path}' is given twice`);
        seen.add(path);
        const bytes = new Uint8Array(await part.arrayBuffer());
        changes.push({ path, hash: await repos.objects.put(bytes), size: bytes.byteLength });
      }
    }
    if (changes.length === 0) throw new SluiceError('INVALID_REQUEST', 'multipart: no file parts to commit');
    const message =
      text('message') ?? `put ${changes.length} file${changes.length === 1 ? '' : 's'} via the API`;
    const record = await repos.records.commit({ repo, branch, message, changes });
    return committed(c, record, text('trigger') !== 'false');
  });
}
