/**
 * `sluice token create --role viewer|editor|admin [--name N]`, `sluice token list`,
 * `sluice token revoke ID`: API tokens for the HTTP API. The secret is printed once, at
 * creation; the store keeps only its SHA-256. Against a server (`SLUICE_URL`, or the
 * server owning the data directory) the commands go through its admin routes.
 */
import { pc } from '../colors.js';
import { createApiToken, parseRole, revokeApiToken } from '../../server/auth/index.js';
import type { TokenRecord } from '../../store/index.js';
import type { CliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { json, type Io } from '../io.js';
import { serverFor } from '../server-client.js';
import { withWorkspace } from '../workspace.js';

export async function tokenCreateCommand(
  options: { role: string; name?: string; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const role = parseRole(options.role);
  const remote = await serverFor(config);
  const created = remote
    ? await remote.createToken(role, options.name)
    : await withWorkspace(config, 'sluice token create', ({ store }) =>
        createApiToken(store, { role, ...(options.name ? { name: options.name } : {}) }),
      );
  if (options.json) {
    io.out(json(created));
    return EXIT.ok;
  }
  io.err(
    `${pc.green('✓')} token ${created.token.id} '${created.token.name}' (${created.token.role}) created; its secret is shown only now:\n`,
  );
  io.out(`${created.secret}\n`);
  io.err(`use it as SLUICE_TOKEN=... or the header 'Authorization: Bearer ...'\n`);
  return EXIT.ok;
}

export async function tokenListCommand(
  options: { json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const remote = await serverFor(config);
  const tokens: TokenRecord[] = remote
    ? await remote.listTokens()
    : await withWorkspace(config, 'sluice token list', ({ store }) => store.tokens.listTokens());
  if (options.json) {
    io.out(json(tokens));
    return EXIT.ok;
  }
  if (tokens.length === 0) {
    io.out('no API tokens yet: create one with `sluice token create --role admin`\n');
    return EXIT.ok;
  }
  io.out(
    `${pc.bold('ID'.padEnd(14))}${pc.bold('NAME'.padEnd(24))}${pc.bold('ROLE'.padEnd(8))}${pc.bold('CREATED'.padEnd(21))}${pc.bold('LAST USED'.padEnd(21))}${pc.bold('STATE')}\n`,
  );
  const day = (date: Date | null): string =>
    date ? new Date(date).toISOString().slice(0, 19).replace('T', ' ') : '-';
  for (const token of tokens) {
    io.out(
      `${token.id.padEnd(14)}${token.name.padEnd(24)}${token.role.padEnd(8)}${day(token.createdAt).padEnd(21)}${day(token.lastUsedAt).padEnd(21)}${token.revokedAt ? pc.red('revoked') : 'active'}\n`,
    );
  }
  return EXIT.ok;
}

export async function tokenRevokeCommand(
  id: string,
  options: { json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const remote = await serverFor(config);
  if (remote) await remote.revokeToken(id);
  else await withWorkspace(config, 'sluice token revoke', ({ store }) => revokeApiToken(store, id));
  if (options.json) io.out(json({ revoked: id }));
  else io.out(`revoked token ${id}\n`);
  return EXIT.ok;
}
