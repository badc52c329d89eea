/**
 * Listening on a host and port for the commands that serve HTTP (`sluice dev`, `server`,
 * `serve`), with the errors users see when the port is taken.
 */
import { serve, type ServerType } from '@hono/node-server';
import { SluiceError } from '../core/index.js';

/** A listening server and the URL it answers on. */
export interface Listening {
  server: ServerType;
  url: string;
}

/** Serves `fetch` on `host:port` (0: a free port); `USAGE` when the port is in use. */
export function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  host: string,
  port: number,
): Promise<Listening> {
  return new Promise((done, fail) => {
    const server = serve({ fetch, port, hostname: host }, (info) =>
      done({ server, url: `http://${host.includes(':') ? `[${host}]` : host}:${info.port}` }),
    );
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        new SluiceError(
          error.code === 'EADDRINUSE' ? 'USAGE' : 'IO',
          error.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is in use; pick another with --port`
            : `cannot listen on ${host}:${port}: ${error.message}`,
        ),
      ),
    );
  });
}

/** Stops accepting connections and waits for open ones to close. */
export function closeServer(server: ServerType | undefined): Promise<void> {
  return server ? new Promise<void>((done) => server.close(() => done())) : Promise.resolve();
}
