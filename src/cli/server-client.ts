/**
 * Which Sluice server, if any, a command talks to: `SLUICE_URL` when set, else the server
 * that owns the data directory and wrote its URL into the lock (`sluice dev`/`server`).
 */
import { SluiceClient } from '../client/index.js';
import { readHomeLock, type LockInfo } from '../store/index.js';
import type { CliConfig } from './config.js';

/** A client for `url` with the configured token. */
export function clientFor(config: CliConfig, url: string): SluiceClient {
  return new SluiceClient({ url, ...(config.token ? { token: config.token } : {}) });
}

/** The URL a live owner of the data directory serves, from its lock info. */
export function servingUrl(info: LockInfo | undefined): string | undefined {
  const url = info?.url;
  return typeof url === 'string' && url.length > 0 ? url : undefined;
}

/**
 * The server to use: `SLUICE_URL`, or the serving owner of `config.home`; `undefined` when
 * the command should work on the data directory itself.
 */
export async function serverFor(config: CliConfig): Promise<SluiceClient | undefined> {
  if (config.url) return clientFor(config, config.url);
  const url = servingUrl(await readHomeLock(config.home));
  return url ? clientFor(config, url) : undefined;
}
