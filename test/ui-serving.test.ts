/**
 * The web UI's files served beside the API: client routes answer the app's index.html,
 * assets are cached for good, a missing asset is a 404, nothing outside the UI folder is
 * served, and the files need no token while the API behind them does.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileConfig } from '../src/cli/config.js';
import { openLocalWorkspace } from '../src/cli/workspace.js';
import { createApiApp } from '../src/server/http/index.js';
import { Service } from '../src/service/index.js';
import { tempProjects } from './helpers.js';

const project = tempProjects();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** An API app in token mode over a fresh data directory, serving the UI from `ui`. */
async function appServing(ui: string) {
  const dir = await project({ 'secret.txt': 'not for the web' });
  const config = compileConfig({}, { SLUICE_HOME: join(dir, '.sluice') }, dir, false);
  const workspace = await openLocalWorkspace(config, 'ui-serving test');
  closers.push(() => workspace.close());
  const service = new Service({ store: workspace.store, engine: workspace.engine, schedule: false });
  return {
    dir,
    app: createApiApp({ workspace, launcher: service, auth: { mode: 'tokens' }, dev: false, ui }),
  };
}

describe('serving the web UI', () => {
  it('answers client routes with index.html and assets with long caching, without a token', async () => {
    const ui = join(await project({}), 'ui');
    await mkdir(join(ui, 'assets'), { recursive: true });
    await writeFile(join(ui, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(join(ui, 'assets', 'app-1a2b.js'), 'console.log(1)');
    const { app } = await appServing(ui);

    for (const path of [
      '/',
      '/runs/0123abcd',
      '/runs/0123abcd/datums/parse/bad.txt',
      '/repos/images?ref=main&path=a/b',
    ]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<div id="root">');
    }
    const asset = await app.request('/assets/app-1a2b.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('answers a missing asset with 404, never serves files outside the UI folder, and keeps the API locked', async () => {
    const ui = join(await project({}), 'ui');
    await mkdir(ui, { recursive: true });
    await writeFile(join(ui, 'index.html'), '<!doctype html>');
    const { app } = await appServing(ui);

    const missing = await app.request('/assets/app-gone.js');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const response = await app.request(path);
      expect(await response.text(), path).not.toContain('not for the web');
    }
    const api = await app.request('/api/runs');
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await app.request('/metrics')).status).toBe(401);
  });

  it('tells how to build the UI when it was not built', async () => {
    const { app } = await appServing(join(await project({}), 'no-ui-here'));
    const response = await app.request('/');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('npm run build');
    expect((await app.request('/api/openapi.json')).status).toBe(200);
  });
});
