/**
 * Model serving over the real HTTP API, workspace and registry: predictions by alias and
 * version, hot swaps under load, bad bodies, dynamic batching, online k-means training with
 * a promotion rule, metrics, auth, and `sluice serve` as a user starts it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/server/auth/index.js';
import { sluice, tempProjects } from './helpers.js';
import { kmeansFiles, postJson, startServing, type ServingHarness } from './serving-helpers.js';

const BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));
const project = tempProjects();
const harnesses: ServingHarness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close();
});

async function start(options: Parameters<typeof startServing>[0] = {}): Promise<ServingHarness> {
  const harness = await startServing(options);
  harnesses.push(harness);
  return harness;
}

// Version 1 puts (0, 0) in cluster 0; version 2 has the centres the other way round, so every
// answer shows which version computed it.
const V1 = [
  [0, 0],
  [10, 10],
];
const V2 = [
  [10, 10],
  [0, 0],
];
const ONLINE = { alias: 'production', promote_if: 'silhouette >= previous - 0.05', learning_rate: 0.5 };

describe('predict', () => {
  it('answers with the version the alias or number names, and says which', async () => {
    const h = await start();
    await h.save('km', kmeansFiles(V1));
    await h.save('km', kmeansFiles(V2));
    await h.workspace.registry.setAlias('km', 'production', 1);
    const rows = {
      rows: [
        { x: 1, y: 0 },
        { x: 9, y: 10 },
      ],
    };

    const production = await postJson(`${h.url}/api/models/km/predict?alias=production`, rows);
    expect(production).toMatchObject({
      status: 200,
      version: '1',
      body: { model: 'km', version: 1, ref: 'km@production', predictions: [{ cluster: 0 }, { cluster: 1 }] },
    });
    expect((production.body.predictions as { distance: number }[])[0]?.distance).toBeCloseTo(1, 5);
    const latest = await postJson(`${h.url}/api/models/km/predict`, rows);
    expect(latest.body).toMatchObject({
      version: 2,
      ref: 'km@latest',
      predictions: [{ cluster: 1 }, { cluster: 0 }],
    });
    const pinned = await postJson(`${h.url}/api/models/km/predict?version=1`, rows);
    expect(pinned.body).toMatchObject({ version: 1, ref: 'km:1' });
  });

  it('swaps versions when the alias moves under load, losing no request', async () => {
    const h = await start({ maxWaitMs: 1 });
    await h.save('km', kmeansFiles(V1));
    await h.save('km', kmeansFiles(V2));
    await h.workspace.registry.setAlias('km', 'production', 1);
    const url = `${h.url}/api/models/km/predict?alias=production`;
    const answers: { status: number; version: number; cluster: number; client: number }[] = [];
    let sent = 0;
    let stop = false;
    const client = async (id: number) => {
      while (!stop) {
        sent += 1;
        const answer = await postJson(url, { rows: [{ x: 0.5, y: 0.5 }] });
        const body = answer.body as { version: number; predictions: { cluster: number }[] };
        answers.push({
          status: answer.status,
          version: body.version,
          cluster: body.predictions?.[0]?.cluster ?? -1,
          client: id,
        });
      }
    };
    const clients = Array.from({ length: 16 }, (_, id) => client(id));
    /** Waits until an answer after the first `from` answers came from `version` (10 s at most). */
    const answeredBy = async (version: number, from: number) => {
      for (let waited = 0; waited < 10_000; waited += 20) {
        if (answers.slice(from).some((answer) => answer.version === version)) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no answer from version ${version} within 10 s`);
    };
    await answeredBy(1, 0);
    // Through the API: the server re-resolves at once.
    const moved = await fetch(`${h.url}/api/models/km/aliases/production`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 2 }),
    });
    expect(moved.status).toBe(200);
    await answeredBy(2, answers.length);
    // Behind the server's back (another process would do this): picked up by the refresh.
    await h.workspace.registry.setAlias('km', 'production', 1);
    const before = answers.length;
    await answeredBy(1, before);
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop = true;
    await Promise.all(clients);

    expect(answers).toHaveLength(sent);
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    // Each answer's cluster is the one its named version computes: the name is the truth.
    for (const answer of answers) expect(answer.cluster).toBe(answer.version === 1 ? 0 : 1);
    const sequence = answers
      .map((answer) => answer.version)
      .filter((version, index, all) => version !== all[index - 1]);
    expect(sequence.slice(0, 3)).toEqual([1, 2, 1]);
    // Per client the versions change at most twice (no flapping during a swap).
    for (let id = 0; id < 16; id += 1) {
      const mine = answers.filter((answer) => answer.client === id).map((answer) => answer.version);
      const changes = mine.filter((version, index) => index > 0 && version !== mine[index - 1]).length;
      expect(changes).toBeLessThanOrEqual(2);
    }
    // The swapped-out version is unloaded once drained; the new one is loaded.
    const status = (await (await fetch(`${h.url}/api/serving`)).json()) as {
      bindings: { ref: string; version: number }[];
    };
    expect(status.bindings).toEqual([{ ref: 'km@production', model: 'km', version: 1, flavor: 'kmeans' }]);
  });

  it('groups concurrent requests into batches, and runs each alone with batching off', async () => {
    const on = await start({ maxBatch: 64, maxWaitMs: 25 });
    await on.save('km', kmeansFiles(V1));
    const batched = await Promise.all(
      Array.from({ length: 24 }, () =>
        postJson(`${on.url}/api/models/km/predict`, { rows: [{ x: 1, y: 1 }] }),
      ),
    );
    expect(Math.max(...batched.map((answer) => answer.body.batchRows as number))).toBeGreaterThan(1);
    expect(
      batched.every((answer) => (answer.body.predictions as { cluster: number }[])[0]?.cluster === 0),
    ).toBe(true);

    const off = await start({ maxBatch: 1 });
    await off.save('km', kmeansFiles(V1));
    const alone = await Promise.all(
      Array.from({ length: 24 }, () =>
        postJson(`${off.url}/api/models/km/predict`, { rows: [{ x: 1, y: 1 }] }),
      ),
    );
    expect(alone.map((answer) => answer.body.batchRows)).toEqual(Array(24).fill(1));
  });

  it('answers malformed bodies with a 4xx naming the field', async () => {
    const h = await start({ servingBodyLimitBytes: 4096, maxRequestRows: 50 });
    await h.save('km', kmeansFiles(V1));
    await h.save('plain', { 'kmeans.json': JSON.stringify({ centers: V1 }) });
    const url = `${h.url}/api/models/km/predict`;
    const error = async (body: unknown, headers?: Record<string, string>) => {
      const answer = await postJson(url, body, headers);
      return { status: answer.status, ...(answer.body as { code: string; message: string }) };
    };
    expect(await error('{"rows": [')).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect((await error('{"rows": [')).message).toMatch(/^invalid request: the body is not valid JSON/);
    expect(await error({ data: [] })).toMatchObject({
      status: 400,
      message: 'invalid request: body: expected a JSON object {"rows": [{...}, ...]}',
    });
    expect(
      await error({
        rows: [
          { x: 1, y: 2 },
          { x: 1, y: 'high' },
        ],
      }),
    ).toMatchObject({
      status: 400,
      message: 'invalid request: rows[1].y: expected a finite number, found "high"',
      details: { field: 'rows[1].y', model: 'km', version: 1 },
    });
    expect((await error({ rows: [{ x: 1 }] })).message).toBe(
      'invalid request: rows[0].y: missing; expected a number',
    );
    expect((await error({ rows: [{ x: 1, y: 2, z: 3 }] })).message).toBe(
      'invalid request: rows[0].z: unknown column; the model takes x, y',
    );
    expect((await error({ rows: [] })).message).toBe('invalid request: rows: expected at least one row');
    expect((await error({ rows: [[1, 2]] })).message).toBe(
      "invalid request: rows[0]: expected an object with the model's columns, found an array of 2",
    );
    expect(await error({ rows: Array(60).fill({ x: 1, y: 1 }) })).toMatchObject({
      status: 413,
      message: 'rows: 60 rows exceed the limit of 50 per request',
    });
    expect(await error({ rows: Array(200).fill({ x: 1.123456, y: 1.123456 }) })).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: 'the request body exceeds the limit of 4096 bytes for model rows',
    });
    const text = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'x,y\n1,2\n',
    });
    expect(await text.json()).toMatchObject({
      code: 'INVALID_REQUEST',
      message: "invalid request: content-type 'text/csv': expected application/json or multipart/form-data",
    });
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array([1, 2, 3])]), 'a.png');
    const upload = await fetch(url, { method: 'POST', body: form });
    expect(upload.status).toBe(400);
    expect(((await upload.json()) as { message: string }).message).toBe(
      'invalid request: body: model km:1 takes x, y as JSON rows, not file uploads',
    );
    expect(await error({ rows: [{ x: 1, y: 1 }] }, {})).toMatchObject({ status: 200 });
    const missing = await postJson(`${h.url}/api/models/nope/predict`, { rows: [{ x: 1 }] });
    expect(missing).toMatchObject({ status: 404, body: { code: 'MODEL_NOT_FOUND' } });
    expect((await postJson(`${h.url}/api/models/km/predict?version=x`, { rows: [] })).body.message).toBe(
      "invalid request: query.version: expected a version number, found 'x'",
    );
    const unservable = await postJson(`${h.url}/api/models/plain/predict`, { rows: [{ x: 1, y: 1 }] });
    expect(unservable.status).toBe(422);
    expect(unservable.body.message).toMatch(
      /^model plain:1 has no sluice-model.json, so it cannot be served/,
    );
  });
});

describe('online training', () => {
  it('saves a new version with metrics and provenance, and moves the alias only when the rule holds', async () => {
    const h = await start();
    await h.save('km', kmeansFiles(V1, ONLINE));
    await h.workspace.registry.setAlias('km', 'production', 1);

    // Rows like the clusters already seen: the clustering holds, the alias moves.
    const good = await postJson(`${h.url}/api/models/km/train`, {
      rows: [
        { x: 0, y: 1 },
        { x: 1, y: 0 },
        { x: 9, y: 10 },
        { x: 10, y: 9 },
      ],
    });
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({
      model: 'km',
      from: 1,
      version: 2,
      promoted: true,
      alias: 'production',
    });
    expect((good.body.metrics as Record<string, number>).rows).toBe(4);
    expect((await h.workspace.registry.get('km@production')).version).toBe(2);
    const saved = await h.workspace.registry.get('km:2');
    expect(saved.metrics.silhouette).toBeCloseTo(
      (good.body.metrics as Record<string, number>).silhouette!,
      9,
    );
    expect(saved.params).toMatchObject({ trained_from: 1, online_rows: 4 });
    const data = good.body.data as { repo: string; commit: string; path: string };
    expect(saved.inputCommits).toEqual([
      { input: 'request', repo: 'km-online', branch: 'main', commit: data.commit },
    ]);
    const commit = await h.workspace.repos.resolveCommit('km-online', data.commit);
    const [file] = await h.workspace.repos.files(commit, data.path);
    expect(JSON.parse(Buffer.from(await h.workspace.repos.read(file!)).toString()).rows).toHaveLength(4);
    // The predictions now come from the promoted version.
    expect(
      (await postJson(`${h.url}/api/models/km/predict?alias=production`, { rows: [{ x: 0, y: 0 }] })).version,
    ).toBe('2');

    // A drifted batch: the updated centres split the rows worse; the version is kept, the alias stays.
    const drifted = await postJson(`${h.url}/api/models/km/train?from=1`, {
      rows: [
        { x: 7, y: 2 },
        { x: 6, y: 8 },
        { x: 5, y: 1 },
        { x: 7, y: 9 },
        { x: 8, y: 5 },
        { x: 9, y: 2 },
      ],
    });
    expect(drifted.body).toMatchObject({ from: 1, version: 3, promoted: false, alias: 'production' });
    expect(drifted.body.reason).toMatch(/^silhouette \S+ not >= \S+$/);
    const metrics = drifted.body.metrics as Record<string, number>;
    expect(metrics.silhouette).toBeLessThan(metrics.previous_silhouette! - 0.05);
    expect((await h.workspace.registry.get('km@production')).version).toBe(2);
    // Training loads what it trains from without serving it: only the predicted alias is bound.
    const serving = (await (await fetch(`${h.url}/api/serving`)).json()) as { bindings: { ref: string }[] };
    expect(serving.bindings.map((binding) => binding.ref)).toEqual(['km@production']);
  });

  it('refuses models that do not learn online and rows that do not fit', async () => {
    const h = await start();
    await h.save('lin', {
      'sluice-model.json': JSON.stringify({ flavor: 'linear', input: { x: { type: 'number' } } }),
      'linear.json': JSON.stringify({ weights: [[2]], bias: [1] }),
    });
    expect(
      (await postJson(`${h.url}/api/models/lin/predict`, { rows: [{ x: 3 }] })).body.predictions,
    ).toEqual([{ output: [7] }]);
    const refused = await postJson(`${h.url}/api/models/lin/train`, { rows: [{ x: 3 }] });
    expect(refused).toMatchObject({
      status: 409,
      body: {
        code: 'MODEL_UNSUPPORTED',
        message: "model lin:1 has flavor 'linear', which does not learn online; only kmeans versions do",
      },
    });
    await h.save('km', kmeansFiles(V1, ONLINE));
    const bad = await postJson(`${h.url}/api/models/km/train`, { rows: [{ x: 'a', y: 1 }] });
    expect(bad).toMatchObject({
      status: 400,
      body: { message: 'invalid request: rows[0].x: expected a finite number, found "a"' },
    });
    expect((await h.workspace.registry.versions('km')).length).toBe(1);
    expect(await h.workspace.repos.records.getRepo('km-online')).toBeFalsy();
  });
});

describe('metrics and auth', () => {
  it('counts requests, rows, batches and errors by model and version in /metrics', async () => {
    const h = await start();
    await h.save('km', kmeansFiles(V1));
    await postJson(`${h.url}/api/models/km/predict`, {
      rows: [
        { x: 1, y: 1 },
        { x: 2, y: 2 },
      ],
    });
    await postJson(`${h.url}/api/models/km/predict`, { rows: [{ x: 1 }] });
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toContain('sluice_model_requests_total{model="km",version="1",status="200"} 1');
    expect(text).toContain('sluice_model_requests_total{model="km",version="1",status="400"} 1');
    expect(text).toContain('sluice_model_rows_total{model="km",version="1"} 2');
    expect(text).toContain('sluice_model_errors_total{model="km",version="1",code="INVALID_REQUEST"} 1');
    expect(text).toContain('sluice_model_batch_rows_count{model="km",version="1"} 1');
    expect(text).toContain('sluice_model_request_duration_seconds_count{model="km",version="1"} 2');
    expect(text).toContain('sluice_model_loaded{model="km",version="1"} 1');
  });

  it('lets viewers predict and only editors train', async () => {
    const h = await start({ auth: 'tokens' });
    await h.save('km', kmeansFiles(V1, ONLINE));
    const viewer = await createApiToken(h.workspace.store, { role: 'viewer' });
    const editor = await createApiToken(h.workspace.store, { role: 'editor' });
    const rows = {
      rows: [
        { x: 1, y: 1 },
        { x: 9, y: 9 },
        { x: 0, y: 1 },
      ],
    };
    expect((await postJson(`${h.url}/api/models/km/predict`, rows)).status).toBe(401);
    const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
    expect((await postJson(`${h.url}/api/models/km/predict`, rows, bearer(viewer.secret))).status).toBe(200);
    expect((await postJson(`${h.url}/api/models/km/train`, rows, bearer(viewer.secret))).status).toBe(403);
    expect((await postJson(`${h.url}/api/models/km/train`, rows, bearer(editor.secret))).status).toBe(200);
  });
});

describe('sluice serve', () => {
  it('serves one model standalone and stops cleanly on SIGTERM', async () => {
    const h = await start({ dir: await project({}) });
    await h.save('km', kmeansFiles(V1));
    await h.save('km', kmeansFiles(V2));
    await h.workspace.registry.setAlias('km', 'production', 1);
    const dir = h.dir;
    // NOTE: the embedded store belongs to one process: release it to the serve process.
    harnesses.splice(harnesses.indexOf(h), 1);
    await h.close();

    const child = spawn(
      process.execPath,
      [BIN, 'serve', 'km@production', '--port', '0', '--json', '--max-batch', '8'],
      {
        cwd: dir,
        env: { ...process.env, SLUICE_HOME: join(dir, '.sluice'), NO_COLOR: '1' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const line = await Promise.race([
      new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
      exited.then((code) => Promise.reject(new Error(`sluice serve exited ${code}: ${stderr}`))),
    ]);
    const started = JSON.parse(line) as {
      url: string;
      version: number;
      flavor: string;
      options: { maxBatch: number };
    };
    expect(started).toMatchObject({
      model: 'km',
      ref: 'km@production',
      version: 1,
      flavor: 'kmeans',
      options: { maxBatch: 8 },
    });
    const answer = await postJson(`${started.url}/api/models/km/predict`, { rows: [{ x: 9, y: 9 }] });
    expect(answer.body).toMatchObject({ version: 1, ref: 'km@production', predictions: [{ cluster: 1 }] });
    const other = await postJson(`${started.url}/api/models/other/predict`, { rows: [{ x: 9, y: 9 }] });
    expect(other.body).toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: "this server serves model 'km' only, not 'other'",
    });
    expect(await (await fetch(`${started.url}/health`)).json()).toMatchObject({ ok: true });
    // Another shell moves the alias: the command reaches the serving process, which swaps.
    const moved = await sluice(['models', 'alias', 'km', 'production', '2'], dir);
    expect(moved).toMatchObject({ code: 0 });
    let version = 1;
    for (let tries = 0; version !== 2 && tries < 100; tries += 1) {
      const next = await postJson(`${started.url}/api/models/km/predict`, { rows: [{ x: 9, y: 9 }] });
      expect(next.body.predictions).toEqual([
        { cluster: next.body.version === 1 ? 1 : 0, distance: Math.SQRT2 },
      ]);
      version = next.body.version as number;
    }
    expect(version).toBe(2);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('fails at once, with the reason, when the model cannot be served', async () => {
    const h = await start({ dir: await project({}) });
    await h.save('plain', { 'kmeans.json': '{}' });
    const dir = h.dir;
    harnesses.splice(harnesses.indexOf(h), 1);
    await h.close();
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'serve', ...args, '--port', '0'], {
          cwd: dir,
          env: { ...process.env, SLUICE_HOME: join(dir, '.sluice'), NO_COLOR: '1' },
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('exit', (code) => resolve({ code, stderr }));
      });
    const missing = await run(['nope@production']);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain("model 'nope' does not exist");
    const unservable = await run(['plain']);
    expect(unservable.code).toBe(3);
    expect(unservable.stderr).toContain('model plain:1 has no sluice-model.json');
  });
});
