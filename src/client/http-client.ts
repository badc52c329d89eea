/**
 * A client of the Sluice HTTP API: the {@link RunsApi} the run commands use, plus launches,
 * pipelines, repos and files, models and tables. Dates come back as `Date`s; an error answer
 * becomes the same {@link SluiceError} (same code, message and details) the server raised,
 * so the CLI exits with the same code as it would locally.
 */
import { SluiceError, type ErrorCode } from '../core/index.js';
import type { Lineage, ListEntry } from '../data/index.js';
import type { RunDetail, RunsApi } from '../server/runs-api.js';
import type {
  BranchRecord,
  CommitRecord,
  FileDiff,
  FileEntry,
  ListRunsFilter,
  LogRecord,
  PipelineRecord,
  RepoRecord,
  RunRecord,
  TokenRecord,
  TokenRole,
} from '../store/index.js';

const DATE_KEYS = new Set([
  'createdAt',
  'startedAt',
  'finishedAt',
  'time',
  'lastUsedAt',
  'revokedAt',
  'deletedAt',
]);

/** Options of {@link SluiceClient}. */
export interface SluiceClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:7300`. */
  url: string;
  /** An API token (`sluice token create`); none for an open `sluice dev`. */
  token?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

/** A client of one Sluice server. */
export class SluiceClient implements RunsApi {
  readonly url: string;
  readonly #token: string | undefined;

  constructor(options: SluiceClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#token = options.token;
  }

  /** Sends a request; resolves with the response when it succeeded, throws the server's error otherwise. */
  async request(
    method: string,
    path: string,
    options: {
      query?: Query;
      json?: unknown;
      body?: Blob | FormData | string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) params.set(key, String(value));
    const query = params.toString();
    const headers: Record<string, string> = { ...options.headers };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}${query ? `?${query}` : ''}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
    } catch (error) {
      const reason =
        error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message)
          : String(error);
      throw new SluiceError(
        'SERVER_UNREACHABLE',
        `cannot reach the Sluice server at ${this.url}: ${reason}`,
        {
          cause: error,
        },
      );
    }
    if (response.ok) return response;
    const text = await response.text();
    let failure: { code?: string; message?: string; details?: Record<string, unknown> } = {};
    try {
      failure = JSON.parse(text) as typeof failure;
    } catch {
      failure = { message: text.slice(0, 500) };
    }
    throw new SluiceError(
      (failure.code as ErrorCode | undefined) ?? 'INTERNAL',
      failure.message ?? `${method} ${path} answered ${response.status}`,
      failure.details && Object.keys(failure.details).length > 0 ? { details: failure.details } : {},
    );
  }

  /** A JSON request, with dates revived. */
  async json<T>(method: string, path: string, options: { query?: Query; json?: unknown } = {}): Promise<T> {
    const response = await this.request(method, path, options);
    return JSON.parse(await response.text(), (key, value: unknown) =>
      DATE_KEYS.has(key) && typeof value === 'string' ? new Date(value) : value,
    ) as T;
  }

  // Runs (RunsApi).
  listRuns(filter: ListRunsFilter = {}): Promise<RunRecord[]> {
    return this.json('GET', '/api/runs', { query: { ...filter } });
  }
  runDetail(idOrPrefix: string): Promise<RunDetail> {
    return this.json('GET', `/api/runs/${encodeURIComponent(idOrPrefix)}`);
  }
  logs(id: string, options: { afterSeq?: number; limit?: number; step?: string } = {}): Promise<LogRecord[]> {
    return this.json('GET', `/api/runs/${encodeURIComponent(id)}/logs`, {
      query: { after: options.afterSeq, limit: options.limit, step: options.step },
    });
  }
  cancel(idOrPrefix: string): Promise<RunRecord> {
    return this.json('POST', `/api/runs/${encodeURIComponent(idOrPrefix)}/cancel`);
  }
  retry(idOrPrefix: string): Promise<RunRecord> {
    return this.json('POST', `/api/runs/${encodeURIComponent(idOrPrefix)}/retry`);
  }
  /** Queues a run of a registered pipeline; `params` may be strings as typed on a command line. */
  launch(pipeline: string, params: Record<string, unknown> = {}): Promise<RunRecord> {
    return this.json('POST', `/api/pipelines/${encodeURIComponent(pipeline)}/runs`, { json: { params } });
  }

  // Pipelines.
  listPipelines(): Promise<PipelineRecord[]> {
    return this.json('GET', '/api/pipelines');
  }
  /** Registers `specFile` (an absolute path the server can read) as a new pipeline or version. */
  registerPipeline(
    action: 'create' | 'update',
    name: string,
    specFile: string,
    run = true,
  ): Promise<{
    pipeline: PipelineRecord;
    changedSteps: string[];
    unchanged: boolean;
    run: RunRecord | null;
  }> {
    return action === 'create'
      ? this.json('POST', '/api/pipelines', { json: { specFile, run } })
      : this.json('PUT', `/api/pipelines/${encodeURIComponent(name)}`, { json: { specFile, run } });
  }
  deletePipeline(name: string): Promise<{ deleted: string }> {
    return this.json('DELETE', `/api/pipelines/${encodeURIComponent(name)}`);
  }
  /** Where a commit came from and what was derived from it. */
  lineage(repo: string, ref: string, depth?: number): Promise<Lineage> {
    return this.json('GET', `/api/repos/${encodeURIComponent(repo)}/lineage`, { query: { ref, depth } });
  }

  // Repos and files.
  listRepos(): Promise<(RepoRecord & { branches: BranchRecord[]; head: CommitRecord | null })[]> {
    return this.json('GET', '/api/repos');
  }
  createRepo(name: string, description?: string): Promise<RepoRecord> {
    return this.json('POST', '/api/repos', { json: { name, ...(description ? { description } : {}) } });
  }
  deleteRepo(name: string, force = false): Promise<{ deleted: string }> {
    return this.json('DELETE', `/api/repos/${encodeURIComponent(name)}`, {
      query: { force: force || undefined },
    });
  }
  ls(
    repo: string,
    options: { ref?: string; path?: string; recursive?: boolean } = {},
  ): Promise<ListEntry[] | FileEntry[]> {
    return this.json('GET', `/api/repos/${encodeURIComponent(repo)}/ls`, {
      query: { ref: options.ref, path: options.path, recursive: options.recursive || undefined },
    });
  }
  log(repo: string, options: { ref?: string; limit?: number } = {}): Promise<CommitRecord[]> {
    return this.json('GET', `/api/repos/${encodeURIComponent(repo)}/log`, { query: options });
  }
  diff(repo: string, from: string, to: string): Promise<FileDiff[]> {
    return this.json('GET', `/api/repos/${encodeURIComponent(repo)}/diff`, { query: { from, to } });
  }
  /** A file's bytes at `ref` (default main). */
  async getFile(repo: string, path: string, ref?: string): Promise<Uint8Array> {
    const response = await this.request(
      'GET',
      `/api/repos/${encodeURIComponent(repo)}/files${encodePath(path)}`,
      {
        query: { ref },
      },
    );
    return new Uint8Array(await response.arrayBuffer());
  }
  /** Commits one file; `null` when nothing changed. */
  async putFile(
    repo: string,
    path: string,
    data: Uint8Array,
    options: { branch?: string; message?: string; trigger?: boolean } = {},
  ): Promise<CommitRecord | null> {
    const response = await this.request(
      'PUT',
      `/api/repos/${encodeURIComponent(repo)}/files${encodePath(path)}`,
      {
        query: {
          branch: options.branch,
          message: options.message,
          trigger: options.trigger === false ? 'false' : undefined,
        },
        body: new Blob([new Uint8Array(data)]),
        headers: { 'content-type': 'application/octet-stream' },
      },
    );
    return reviveCommit(((await response.json()) as { commit: CommitRecord | null }).commit);
  }
  /** Commits several files at once; `null` when nothing changed. */
  async commitFiles(
    repo: string,
    files: { path: string; data: Uint8Array }[],
    options: { branch?: string; message?: string; trigger?: boolean } = {},
  ): Promise<CommitRecord | null> {
    const form = new FormData();
    if (options.branch) form.append('branch', options.branch);
    if (options.message) form.append('message', options.message);
    if (options.trigger === false) form.append('trigger', 'false');
    for (const file of files)
      form.append(file.path, new Blob([new Uint8Array(file.data)]), file.path.split('/').pop());
    const response = await this.request('POST', `/api/repos/${encodeURIComponent(repo)}/commits`, {
      body: form,
    });
    return reviveCommit(((await response.json()) as { commit: CommitRecord | null }).commit);
  }

  // Tokens.
  listTokens(): Promise<TokenRecord[]> {
    return this.json('GET', '/api/tokens');
  }
  createToken(role: TokenRole, name?: string): Promise<{ token: TokenRecord; secret: string }> {
    return this.json('POST', '/api/tokens', { json: { role, ...(name ? { name } : {}) } });
  }
  revokeToken(id: string): Promise<{ revoked: string }> {
    return this.json('DELETE', `/api/tokens/${encodeURIComponent(id)}`);
  }

  // Models and tables (JSON as the server answers).
  models<T = unknown>(path = ''): Promise<T> {
    return this.json('GET', `/api/models${path}`);
  }
  tables<T = unknown>(path = '', query: Query = {}): Promise<T> {
    return this.json('GET', `/api/tables${path}`, { query });
  }
}

/** `/a/b c.txt` as URL path segments (each encoded, slashes kept). */
function encodePath(path: string): string {
  return `/${path.split('/').filter(Boolean).map(encodeURIComponent).join('/')}`;
}

function reviveCommit(commit: CommitRecord | null): CommitRecord | null {
  return commit ? { ...commit, createdAt: new Date(commit.createdAt) } : null;
}
