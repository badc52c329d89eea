/**
 * The web UI's files, served beside the API on the same port: `GET /assets/...` and every
 * other non-API path answer from the Vite build in `dist/ui` (a path without a file gets
 * `index.html`, so the UI's client-side routes work on reload). The files are public; the
 * data behind them needs a token like any API call.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MiddlewareHandler } from 'hono';

/** Where `npm run build` puts the UI (`dist/ui` of the package, from `src/` or `dist/`). */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../../dist/ui/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** Whether a request path belongs to the API rather than to the UI. */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/metrics';
}

async function fileAt(root: string, path: string): Promise<string | undefined> {
  const full = normalize(join(root, decodeURIComponent(path)));
  if (!full.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  const info = await stat(full).catch(() => undefined);
  return info?.isFile() ? full : undefined;
}

/**
 * Middleware answering UI paths from `root`; API paths pass through. When the UI was not
 * built, `/` explains how to build it instead of a bare 404.
 */
export function serveUi(root: string = DEFAULT_UI_DIR): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    if ((method !== 'GET' && method !== 'HEAD') || isApiPath(c.req.path)) return next();
    const path = c.req.path;
    const direct = path === '/' ? undefined : await fileAt(root, path);
    // NOTE: a missing build asset is a 404, not the app: a stale asset URL must fail. Other
    // paths are the app's routes, which may end in anything (a datum named `/bad.txt`).
    if (!direct && path.startsWith('/assets/')) return next();
    const file = direct ?? (await fileAt(root, 'index.html'));
    if (!file) {
      return c.text(
        'The Sluice web UI is not built here: run `npm run build` in the sluice package. The API is at /api/docs.\n',
        404,
      );
    }
    const body = await readFile(file);
    const immutable = path.startsWith('/assets/');
    return c.body(body, 200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  };
}
