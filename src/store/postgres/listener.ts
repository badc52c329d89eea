/**
 * LISTEN on a PostgreSQL server: one dedicated connection (notifications cannot share a
 * pooled one) that reconnects with backoff after the server restarts. Notifications sent
 * while it was away are lost, so `onReconnect` lets the owner look again at what it waits for.
 */
import pg from 'pg';
import type { Logger } from '../../core/index.js';

/** A live LISTEN connection. */
export interface Listener {
  close(): Promise<void>;
}

/** Options of {@link listen}. */
export interface ListenOptions {
  url: string;
  channels: string[];
  onNotify(channel: string, payload: string): void;
  /** Called after a reconnect (not the first connect). */
  onReconnect?(): void;
  logger?: Logger;
}

/** Listens on `channels`; resolves once the first connection listens (and rejects if it cannot). */
export async function listen(options: ListenOptions): Promise<Listener> {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = 100;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: options.url });
    next.on('notification', (message) => options.onNotify(message.channel, message.payload ?? ''));
    next.on('error', () => schedule());
    next.on('end', () => schedule());
    await next.connect();
    for (const channel of options.channels) await next.query(`LISTEN ${channel}`);
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    delay = 100;
  };

  const schedule = (): void => {
    if (closed || retry) return;
    const lost = client;
    client = undefined;
    void lost?.end().catch(() => undefined);
    retry = setTimeout(() => {
      retry = undefined;
      connect().then(
        () => options.onReconnect?.(),
        (error: unknown) => {
          options.logger?.warn({ err: error }, 'LISTEN connection lost; reconnecting');
          delay = Math.min(delay * 2, 5000);
          schedule();
        },
      );
    }, delay);
  };

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
