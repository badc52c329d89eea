/**
 * The HTTP API over a real workspace and the real service scheduler, served by
 * @hono/node-server on a free port: the OpenAPI document, launching and following runs,
 * uploads and downloads, bad input, auth roles, /metrics, and the CLI talking to the server.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { compileConfig } from '../src/cli/config.js';
import { openLocalWorkspace, type LocalWorkspace } from '../src/cli/workspace.js';
import { createApiToken } from '../src/server/auth/index.js';
import { createApiApp } from '../src/server/http/index.js';
import { Service } from '../src/service/index.js';
import { sluice, tempProjects, tsStep } from './helpers.js';

const project = tempProjects();

const UPPER = tsStep(
  [
    "const { readFile, readdir } = await import('node:fs/promises');",
    "const { join } = await import('node:path');",
    'const names = (await readdir(ctx.inputs.text)).sort();',
    "let text = '';",
    'for (const name of names) text += await readFile(join(ctx.inputs.text, name), "utf8");',
    "ctx.log.info('read ' + names.join(','));",
    "ctx.metric('chars', text.length);",
    "return { upper: text.toUpperCase() + (ctx.inputs.suffix ?? '') };",
  ].join('\n'),
);
const SPEC = [
  'name: shout',
  'params:',
  '  suffix: { type: string, default: "" }',
  'inputs:',
  '  text: { repo: notes, glob: "/" }',
  'steps:',
  '  upper:',
  '    run: ./upper.ts',
  '    inputs: [text, suffix]',
  '    outputs: [upper]',
  '',
].join('\n');

interface Harness {
  dir: string;
  url: string;
  workspace: LocalWorkspace;
  service: Service;
}

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/** A project with repo `notes` and pipeline `shout`, served on a free port. */
async function start(
  options: { auth?: 'open' | 'tokens'; bodyLimitBytes?: number; uploadLimitBytes?: number } = {},
): Promise<Harness> {
  const dir = await project({ 'upper.ts': UPPER, 'shout.yaml': SPEC });
  expect((await sluice(['repo', 'create', 'notes'], dir)).code).toBe(0);
  expect((await sluice(['pipeline', 'create', 'shout.yaml'], dir)).code).toBe(0);
  const config = compileConfig(
    {},
    { SLUICE_HOME: join(dir, '.sluice'), SLUICE_CONCURRENCY: '2' },
    dir,
    false,
  );
  const workspace = await openLocalWorkspace(config, 'http-api test');
  const service = new Service({ store: workspace.store, engine: workspace.engine, schedule: false });
  await service.start();
  const app = createApiApp({
    workspace,
    launcher: service,
    auth: { mode: options.auth ?? 'open' },
    dev: false,
    pollMs: 50,
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    ...(options.uploadLimitBytes ? { uploadLimitBytes: options.uploadLimitBytes } : {}),
  });
  const server: ServerType = await new Promise((resolve) => {
    const created = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(created));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await workspace.lock.update({ url });
  open.push(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    await service.stop();
    await workspace.close();
  });
  return { dir, url, workspace, service };
}

async function call(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked by matchers
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed };
}

interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** A server-sent-event stream read event by event. */
async function eventStream(
  url: string,
): Promise<{ next(): Promise<SseEvent | undefined>; close(): Promise<void> }> {
  const response = await fetch(url);
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { event: 'message', data: '' };
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            const key = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            if (key === 'event') event.event = value;
            else if (key === 'id') event.id = value;
            else if (key === 'data') event.data += value;
          }
          return event;
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
    },
    close: () => reader.cancel(),
  };
}

/** The events of a server-sent-event stream until `stop` says so (or the stream ends). */
async function readEvents(url: string, stop: (event: SseEvent) => boolean): Promise<SseEvent[]> {
  const stream = await eventStream(url);
  const events: SseEvent[] = [];
  for (let event = await stream.next(); event; event = await stream.next()) {
    events.push(event);
    if (stop(event)) break;
  }
  await stream.close();
  return events;
}

describe('the OpenAPI document and reference page', () => {
  it('serves an OpenAPI 3.1 document listing every route, and a self-contained reference page', async () => {
    const { url } = await start();
    const { status, body } = await call(`${url}/api/openapi.json`, 'GET');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const operations = Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    for (const expected of [
      'GET /api/runs',
      'GET /api/runs/{id}',
      'POST /api/pipelines/{name}/runs',
      'POST /api/runs/{id}/cancel',
      'POST /api/runs/{id}/retry',
      'GET /api/runs/{id}/datums',
      'POST /api/runs/{id}/datums/restart',
      'GET /api/runs/{id}/logs',
      'GET /api/runs/{id}/logs/stream',
      'GET /api/events',
      'GET /api/runs/{id}/metrics',
      'GET /api/pipelines',
      'POST /api/pipelines',
      'GET /api/pipelines/{name}',
      'PUT /api/pipelines/{name}',
      'DELETE /api/pipelines/{name}',
      'GET /api/repos',
      'POST /api/repos',
      'DELETE /api/repos/{repo}',
      'GET /api/repos/{repo}/branches',
      'GET /api/repos/{repo}/log',
      'GET /api/repos/{repo}/diff',
      'GET /api/repos/{repo}/ls',
      'GET /api/repos/{repo}/lineage',
      'GET /api/repos/{repo}/files/{path}',
      'PUT /api/repos/{repo}/files/{path}',
      'POST /api/repos/{repo}/commits',
      'GET /api/models',
      'GET /api/models/{name}',
      'GET /api/models/{name}/versions/{ref}',
      'PUT /api/models/{name}/aliases/{alias}',
      'DELETE /api/models/{name}/aliases/{alias}',
      'DELETE /api/models/{name}/versions/{version}',
      'GET /api/models/{name}/versions/{ref}/files/{path}',
      'GET /api/tables',
      'GET /api/tables/{name}',
      'GET /api/tables/{name}/rows',
      'GET /api/tables/{name}/export',
      'GET /api/tokens',
      'POST /api/tokens',
      'DELETE /api/tokens/{id}',
    ])
      expect(operations).toContain(expected);
    expect(body.components.schemas.Run.properties.status.enum).toContain('queued');

    const page = await fetch(`${url}/api/docs`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('/api/pipelines/{name}/runs');
    expect(html).toContain('LaunchRequest');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127)/);
  });
});

describe('runs', () => {
  it('launches a run of a registered pipeline, follows its logs over SSE and shows its datums', async () => {
    const { url } = await start();
    // NOTE: trigger=false keeps the test to one run; commit-triggered runs are the service's to test.
    const put = await fetch(`${url}/api/repos/notes/files/a.txt?message=first&trigger=false`, {
      method: 'PUT',
      body: 'hello',
    });
    expect(put.status).toBe(201);
    const changes = await eventStream(`${url}/api/events`);
    expect((await changes.next())?.event).toBe('ready');
    const launched = await call(`${url}/api/pipelines/shout/runs`, 'POST', { params: { suffix: '!' } });
    expect(launched.status).toBe(202);
    expect(launched.body).toMatchObject({ pipeline: 'shout', status: 'queued', params: { suffix: '!' } });
    const id = launched.body.id as string;

    const events = await readEvents(`${url}/api/runs/${id}/logs/stream`, (event) => event.event === 'end');
    const end = JSON.parse(events.at(-1)!.data);
    expect(end, JSON.stringify(end.error)).toMatchObject({
      id,
      status: 'succeeded',
      outputs: { upper: ['HELLO!'] },
    });
    const logs = events.filter((event) => event.event === 'log');
    expect(logs.map((event) => JSON.parse(event.data).line)).toContain('info: read a.txt');
    expect(logs.every((event) => event.id === String(JSON.parse(event.data).seq))).toBe(true);

    const seen: string[] = [];
    for (let event = await changes.next(); event; event = await changes.next()) {
      const run = JSON.parse(event.data) as { id: string; status: string };
      if (event.event === 'run' && run.id === id) seen.push(run.status);
      if (seen.includes('succeeded')) break;
    }
    await changes.close();
    expect(seen.at(-1)).toBe('succeeded');
    expect(seen[0]).toMatch(/queued|running|succeeded/);

    // Resuming after the last seen line gives nothing more.
    const lastId = logs.at(-1)!.id!;
    const resumed = await fetch(`${url}/api/runs/${id}/logs/stream`, {
      headers: { 'last-event-id': lastId },
    });
    const resumedText = await resumed.text();
    expect(resumedText).not.toContain('event: log');
    expect(resumedText).toContain('event: end');

    const detail = await call(`${url}/api/runs/${id.slice(0, 6)}`, 'GET');
    expect(detail.body.run.id).toBe(id);
    expect(detail.body.tasks).toHaveLength(1);
    const datums = await call(`${url}/api/runs/${id}/datums`, 'GET');
    expect(datums.body.counts).toEqual({ upper: { total: 1, success: 1 } });
    const metrics = await call(`${url}/api/runs/${id}/metrics`, 'GET');
    expect(metrics.body).toMatchObject([{ key: 'chars', value: 5 }]);
    const listed = await call(`${url}/api/runs?pipeline=shout&status=succeeded`, 'GET');
    expect(listed.body.map((run: { id: string }) => run.id)).toContain(id);
    const retried = await call(`${url}/api/runs/${id}/retry`, 'POST');
    expect(retried).toMatchObject({ status: 202, body: { status: 'queued', params: { suffix: '!' } } });
    expect(retried.body.trigger).toEqual({ kind: 'retry', runId: id });
    const ended = await readEvents(
      `${url}/api/runs/${retried.body.id}/logs/stream`,
      (event) => event.event === 'end',
    );
    expect(JSON.parse(ended.at(-1)!.data)).toMatchObject({ status: 'succeeded' });
    const finished = await call(`${url}/api/runs/${id}/cancel`, 'POST');
    expect(finished.status).toBe(400);
    expect(finished.body.message).toMatch(/not queued or running/);
    const missing = await call(`${url}/api/runs/zzzzzzzzzzzz`, 'GET');
    expect(missing).toMatchObject({ status: 404, body: { code: 'RUN_NOT_FOUND' } });
    const unknown = await call(`${url}/api/pipelines/nope/runs`, 'POST', {});
    expect(unknown).toMatchObject({ status: 404, body: { code: 'PIPELINE_NOT_FOUND' } });
  });

  it('answers 400 naming the field for a bad param, bad JSON and unknown keys', async () => {
    const { url } = await start();
    const badJson = await call(`${url}/api/pipelines/shout/runs`, 'POST', '{"params": ');
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(badJson.body.message).toMatch(/JSON/);
    const wrongType = await call(`${url}/api/pipelines/shout/runs`, 'POST', { params: 'x' });
    expect(wrongType).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST' } });
    expect(wrongType.body.message).toMatch(/json\.params/);
    const extra = await call(`${url}/api/pipelines/shout/runs`, 'POST', { parms: {} });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toMatch(/parms/);
    const param = await call(`${url}/api/pipelines/shout/runs`, 'POST', { params: { nope: 1 } });
    expect(param).toMatchObject({ status: 400, body: { code: 'PARAM_UNKNOWN' } });
    const unknownRoute = await call(`${url}/api/nope`, 'GET');
    expect(unknownRoute).toMatchObject({ status: 404, body: { code: 'ROUTE_NOT_FOUND' } });
    const noBody = await call(`${url}/api/pipelines/shout/runs`, 'POST');
    expect(noBody).toMatchObject({ status: 202, body: { status: 'queued', params: { suffix: '' } } });
    const status = await call(`${url}/api/runs?status=done`, 'GET');
    expect(status.status).toBe(400);
    expect(status.body.message).toMatch(/query\.status/);
    expect(Object.keys(status.body).sort()).toEqual(['code', 'details', 'message']);
    expect(JSON.stringify(status.body)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('files', () => {
  it('round-trips uploaded bytes, commits several files at once and refuses path attacks', async () => {
    const { url } = await start();
    const bytes = new Uint8Array(70_000).map((_, index) => (index * 31 + 7) % 256);
    const put = await fetch(`${url}/api/repos/notes/files/dir/blob.bin`, { method: 'PUT', body: bytes });
    expect(put.status).toBe(201);
    const commit = ((await put.json()) as { commit: { id: string } }).commit;
    expect(commit).toMatchObject({ repo: 'notes', branch: 'main', added: 1 });
    const got = await fetch(`${url}/api/repos/notes/files/dir/blob.bin?ref=${commit.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);

    const form = new FormData();
    form.append('message', 'two files');
    form.append('b.txt', new Blob(['bee']), 'b.txt');
    form.append('sub/c.csv', new Blob(['x,y\n1,2\n']), 'c.csv');
    const multi = await fetch(`${url}/api/repos/notes/commits`, { method: 'POST', body: form });
    expect(multi.status).toBe(201);
    expect(((await multi.json()) as { commit: unknown }).commit).toMatchObject({
      message: 'two files',
      added: 2,
    });
    const csv = await fetch(`${url}/api/repos/notes/files/sub/c.csv`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await csv.text()).toBe('x,y\n1,2\n');
    const ls = await call(`${url}/api/repos/notes/ls?path=/`, 'GET');
    expect(ls.body.map((entry: { path: string }) => entry.path)).toEqual(['/b.txt', '/dir', '/sub']);
    const log = await call(`${url}/api/repos/notes/log`, 'GET');
    expect(log.body.map((item: { message: string }) => item.message)[0]).toBe('two files');

    for (const attack of ['..%2fsecret', '%252e%252e/x', 'a/%2e%2e%2f..%2fetc']) {
      const response = await call(`${url}/api/repos/notes/files/${attack}`, 'GET');
      expect(response, attack).toMatchObject({ status: 400, body: { code: 'INVALID_PATH' } });
    }
    const upload = await fetch(`${url}/api/repos/notes/files/..%2f..%2fescape.txt`, {
      method: 'PUT',
      body: 'x',
    });
    expect(upload.status).toBe(400);
    const evil = new FormData();
    evil.append('../../escape.txt', new Blob(['x']), 'x');
    const refused = await fetch(`${url}/api/repos/notes/commits`, { method: 'POST', body: evil });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'INVALID_PATH' });
    const query = await call(`${url}/api/repos/notes/ls?path=../x`, 'GET');
    expect(query).toMatchObject({ status: 400, body: { code: 'INVALID_PATH' } });
  });

  it('removes files and creates and deletes branches, like `sluice rm` and `sluice branch`', async () => {
    const { url } = await start();
    for (const name of ['keep.txt', 'drop/one.txt', 'drop/two.txt']) {
      const put = await fetch(`${url}/api/repos/notes/files/${name}?trigger=false`, {
        method: 'PUT',
        body: name,
      });
      expect(put.status).toBe(201);
    }
    const branch = await call(`${url}/api/repos/notes/branches`, 'POST', {
      name: 'before-cleanup',
      from: 'main',
    });
    expect(branch).toMatchObject({ status: 201, body: { name: 'before-cleanup' } });
    const removed = await call(`${url}/api/repos/notes/files/drop?trigger=false&message=cleanup`, 'DELETE');
    expect(removed).toMatchObject({ status: 201, body: { commit: { message: 'cleanup', removed: 2 } } });
    const main = await call(`${url}/api/repos/notes/ls?path=/&recursive=true`, 'GET');
    expect(main.body.map((entry: { path: string }) => entry.path)).toEqual(['/keep.txt']);
    const kept = await call(`${url}/api/repos/notes/ls?path=/&recursive=true&ref=before-cleanup`, 'GET');
    expect(kept.body.map((entry: { path: string }) => entry.path)).toEqual([
      '/drop/one.txt',
      '/drop/two.txt',
      '/keep.txt',
    ]);
    expect(await call(`${url}/api/repos/notes/files/nothing-here.txt`, 'DELETE')).toMatchObject({
      status: 404,
      body: { code: 'PATH_NOT_FOUND' },
    });
    expect(await call(`${url}/api/repos/notes/files/..%2fescape`, 'DELETE')).toMatchObject({
      status: 400,
      body: { code: 'INVALID_PATH' },
    });
    expect(await call(`${url}/api/repos/notes/branches/before-cleanup`, 'DELETE')).toMatchObject({
      status: 200,
    });
    expect(await call(`${url}/api/repos/notes/branches/before-cleanup`, 'DELETE')).toMatchObject({
      status: 404,
      body: { code: 'BRANCH_NOT_FOUND' },
    });
  });

  it('answers 413 for bodies over the limits', async () => {
    const { url } = await start({ bodyLimitBytes: 1024, uploadLimitBytes: 4096 });
    const json = await call(`${url}/api/pipelines/shout/runs`, 'POST', {
      params: { suffix: 'x'.repeat(2000) },
    });
    expect(json).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    const small = await fetch(`${url}/api/repos/notes/files/ok.bin`, {
      method: 'PUT',
      body: new Uint8Array(3000),
    });
    expect(small.status).toBe(201);
    const big = await fetch(`${url}/api/repos/notes/files/big.bin`, {
      method: 'PUT',
      body: new Uint8Array(5000),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit: 4096 } });
  });
});

describe('auth', () => {
  it('enforces tokens and roles on every route family', async () => {
    const { url, workspace } = await start({ auth: 'tokens' });
    const secrets = {
      viewer: (await createApiToken(workspace.store, { role: 'viewer' })).secret,
      editor: (await createApiToken(workspace.store, { role: 'editor' })).secret,
      admin: (await createApiToken(workspace.store, { role: 'admin' })).secret,
    };
    const as = (role: keyof typeof secrets | 'none' | 'bad'): Record<string, string> =>
      role === 'none' ? {} : { authorization: `Bearer ${role === 'bad' ? 'sluice_nope' : secrets[role]}` };
    const cases: [string, string, unknown, 'viewer' | 'editor' | 'admin'][] = [
      ['GET', '/api/runs', undefined, 'viewer'],
      ['GET', '/api/pipelines', undefined, 'viewer'],
      ['GET', '/api/repos', undefined, 'viewer'],
      ['GET', '/api/repos/notes/log', undefined, 'viewer'],
      ['GET', '/api/models', undefined, 'viewer'],
      ['GET', '/api/tables', undefined, 'viewer'],
      ['GET', '/metrics', undefined, 'viewer'],
      ['POST', '/api/pipelines/shout/runs', {}, 'editor'],
      ['POST', '/api/repos', { name: 'fresh' }, 'editor'],
      ['PUT', '/api/models/m/aliases/production', { version: 1 }, 'editor'],
      ['DELETE', '/api/repos/fresh', undefined, 'admin'],
      ['DELETE', '/api/pipelines/nope', undefined, 'admin'],
      ['DELETE', '/api/models/m/versions/1', undefined, 'admin'],
      ['GET', '/api/tokens', undefined, 'admin'],
    ];
    const order = ['viewer', 'editor', 'admin'] as const;
    for (const [method, path, body, needed] of cases) {
      for (const who of ['none', 'bad'] as const) {
        const response = await call(`${url}${path}`, method, body, as(who));
        expect(response, `${who} ${method} ${path}`).toMatchObject({
          status: 401,
          body: { code: 'UNAUTHORIZED' },
        });
      }
      for (const role of order) {
        const response = await call(`${url}${path}`, method, body, as(role));
        if (order.indexOf(role) < order.indexOf(needed))
          expect(response, `${role} ${method} ${path}`).toMatchObject({
            status: 403,
            body: { code: 'FORBIDDEN' },
          });
        else expect([401, 403], `${role} ${method} ${path}`).not.toContain(response.status);
      }
    }
    // Event streams take the token from the query (EventSource cannot send headers); other routes do not.
    expect((await call(`${url}/api/runs?token=${secrets.admin}`, 'GET')).status).toBe(401);
    const stream = await fetch(`${url}/api/events?token=${secrets.viewer}`);
    expect(stream.status).toBe(200);
    await stream.body?.cancel();
    // Admins manage tokens over the API; a revoked token stops working.
    const created = await call(`${url}/api/tokens`, 'POST', { role: 'viewer', name: 'ci' }, as('admin'));
    expect(created).toMatchObject({ status: 201, body: { token: { name: 'ci', role: 'viewer' } } });
    const ci = { authorization: `Bearer ${created.body.secret}` };
    expect((await call(`${url}/api/runs`, 'GET', undefined, ci)).status).toBe(200);
    expect(
      (await call(`${url}/api/tokens/${created.body.token.id}`, 'DELETE', undefined, as('admin'))).status,
    ).toBe(200);
    expect((await call(`${url}/api/runs`, 'GET', undefined, ci)).status).toBe(401);
    // The document and its reference page need no token.
    expect((await call(`${url}/api/openapi.json`, 'GET')).status).toBe(200);
  });
});

describe('metrics', () => {
  it('exposes runs and datums by state, durations and logged metrics after a run', async () => {
    const { url } = await start();
    await fetch(`${url}/api/repos/notes/files/a.txt?trigger=false`, { method: 'PUT', body: 'abc' });
    const launched = await call(`${url}/api/pipelines/shout/runs`, 'POST', {});
    await readEvents(`${url}/api/runs/${launched.body.id}/logs/stream`, (event) => event.event === 'end');
    const response = await fetch(`${url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    const value = (pattern: RegExp): number => Number(pattern.exec(text)?.[1]);
    expect(value(/^sluice_runs\{status="succeeded"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^sluice_datums\{state="success"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^sluice_queue_depth (\d+)$/m)).toBe(0);
    expect(text).toMatch(/^sluice_run_duration_seconds_count\{pipeline="shout",status="succeeded"\} [1-9]/m);
    expect(text).toMatch(
      /^sluice_task_duration_seconds_count\{pipeline="shout",step="upper",status="success"\} [1-9]/m,
    );
    expect(value(/^sluice_run_metric\{pipeline="shout",step="upper",key="chars"\} (\d+)$/m)).toBe(3);
    expect(text).toMatch(/^sluice_worker_utilisation \d/m);
    expect(text).toMatch(
      /^sluice_http_requests_total\{method="POST",route="\/api\/pipelines\/:name\/runs",status="202"\} 1$/m,
    );
  });
});

describe('the CLI against a server', () => {
  it('lists runs, puts and gets files, and launches a registered pipeline with SLUICE_URL', async () => {
    const { url, dir } = await start();
    const other = await project({ 'local.txt': 'from the cli' });
    const env = { SLUICE_URL: url, SLUICE_HOME: join(other, '.sluice-unused') };
    const put = await sluice(['put', 'notes', 'local.txt', '-m', 'via cli', '--no-trigger'], other, env);
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toMatch(/committed notes@main/);
    const got = await sluice(['get', 'notes:/local.txt', '-o', 'copy.txt'], other, env);
    expect(got.code, got.stderr).toBe(0);
    expect(await readFile(join(other, 'copy.txt'), 'utf8')).toBe('from the cli');
    const ls = await sluice(['ls', 'notes', '--json'], other, env);
    expect(JSON.parse(ls.stdout).map((entry: { path: string }) => entry.path)).toEqual(['/local.txt']);
    const run = await sluice(['run', 'shout', '-p', 'suffix=?', '--json'], other, env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'succeeded',
      outputs: { upper: ['FROM THE CLI?'] },
    });
    const runs = await sluice(['runs', '--json'], other, env);
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout)[0]).toMatchObject({ pipeline: 'shout', status: 'succeeded' });
    const runId = JSON.parse(runs.stdout)[0].id as string;
    const logs = await sluice(['logs', runId], other, env);
    expect(logs.stdout).toContain('read local.txt');
    const datums = await sluice(['datums', runId, '--json'], other, env);
    expect(JSON.parse(datums.stdout).counts).toEqual({ upper: { total: 1, success: 1 } });
    const pipelines = await sluice(['pipeline', 'list', '--json'], other, env);
    expect(JSON.parse(pipelines.stdout).map((record: { name: string }) => record.name)).toEqual(['shout']);
    const repos = await sluice(['repo', 'list'], other, env);
    expect(repos.stdout).toMatch(/^notes\s+main\s+1\s/m);
    const log = await sluice(['log', 'notes'], other, env);
    expect(log.stdout).toContain('via cli');
    const lineage = await sluice(['lineage', `shout@main`, '--json'], other, env);
    expect(JSON.parse(lineage.stdout)).toMatchObject({ repo: 'shout', upstream: [{ repo: 'notes' }] });
    const branched = await sluice(['branch', 'create', 'notes@keep', '--from', 'main'], other, env);
    expect(branched.code, branched.stderr).toBe(0);
    const removed = await sluice(['rm', 'notes:/local.txt', '--no-trigger', '--json'], other, env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout).commit).toMatchObject({ removed: 1 });
    const afterRm = await sluice(['ls', 'notes', '--json'], other, env);
    expect(JSON.parse(afterRm.stdout)).toEqual([]);
    const kept = await sluice(['ls', 'notes@keep', '--json'], other, env);
    expect(JSON.parse(kept.stdout).map((entry: { path: string }) => entry.path)).toEqual(['/local.txt']);
    const branches = await sluice(['branch', 'list', 'notes', '--json'], other, env);
    expect(
      JSON.parse(branches.stdout)
        .map((item: { name: string }) => item.name)
        .sort(),
    ).toEqual(['keep', 'main']);
    expect((await sluice(['branch', 'delete', 'notes@keep'], other, env)).code).toBe(0);
    const missing = await sluice(['show', 'zzzzzzzzzzzz'], other, env);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/RUN_NOT_FOUND/);
    // Without SLUICE_URL, a command on the served data directory finds the server in its lock.
    const local = await sluice(['runs', '--json'], dir);
    expect(local.code, local.stderr).toBe(0);
    expect(JSON.parse(local.stdout)).toHaveLength(1);
  });
});
