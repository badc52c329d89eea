/**
 * API tokens: a token is `sluice_<id>_<secret>`; the store keeps only the SHA-256 of the
 * whole token, so a leaked database does not leak working tokens. Roles are ordered:
 * `viewer` < `editor` < `admin`.
 */
import { randomBytes } from 'node:crypto';
import { SluiceError, newId, sha256 } from '../../core/index.js';
import type { MetadataStore, TokenRecord, TokenRole } from '../../store/index.js';

/** The roles, weakest first. */
export const TOKEN_ROLES: readonly TokenRole[] = ['viewer', 'editor', 'admin'];

/** Whether `role` grants at least `needed`. */
export function roleAllows(role: TokenRole, needed: TokenRole): boolean {
  return TOKEN_ROLES.indexOf(role) >= TOKEN_ROLES.indexOf(needed);
}

/** Checks a role given by a user; `USAGE` naming the allowed roles otherwise. */
export function parseRole(value: string): TokenRole {
  if ((TOKEN_ROLES as readonly string[]).includes(value)) return value as TokenRole;
  throw new SluiceError('USAGE', `role '${value}' is not a role; allowed: ${TOKEN_ROLES.join(', ')}`);
}

/** A new token: its record, and the secret to show once. */
export async function createApiToken(
  store: MetadataStore,
  options: { role: TokenRole; name?: string },
): Promise<{ token: TokenRecord; secret: string }> {
  const id = newId();
  const secret = `sluice_${id}_${randomBytes(24).toString('base64url')}`;
  const createdAt = new Date();
  const name = options.name ?? `${options.role}-${id.slice(0, 4)}`;
  await store.tokens.createToken({ id, name, role: options.role, createdAt, secretSha256: sha256(secret) });
  return { token: { id, name, role: options.role, createdAt, lastUsedAt: null, revokedAt: null }, secret };
}

/** Revokes a token; `TOKEN_NOT_FOUND` when no live token has this id. */
export async function revokeApiToken(store: MetadataStore, id: string): Promise<void> {
  if (!(await store.tokens.revokeToken(id))) {
    throw new SluiceError('TOKEN_NOT_FOUND', `no live API token has id '${id}'; see \`sluice token list\``);
  }
}

/** How often a token's `last_used_at` is written at most (it is read on every request). */
const TOUCH_EVERY_MS = 60_000;

/**
 * Verifies presented secrets against the store: one indexed lookup by the secret's hash per
 * request (so a revoked token stops working at once); `last_used_at` is written at most once
 * a minute per token.
 */
export class TokenVerifier {
  readonly #store: MetadataStore;
  readonly #touched = new Map<string, number>();

  constructor(store: MetadataStore) {
    this.#store = store;
  }

  /** The live token for `secret`; `UNAUTHORIZED` when it is unknown or revoked. */
  async verify(secret: string): Promise<TokenRecord> {
    const token = await this.#store.tokens.findTokenBySecret(sha256(secret));
    if (!token) throw new SluiceError('UNAUTHORIZED', 'the API token is unknown or revoked');
    const now = Date.now();
    if (now - (this.#touched.get(token.id) ?? 0) > TOUCH_EVERY_MS) {
      this.#touched.set(token.id, now);
      await this.#store.tokens.touchToken(token.id, new Date(now));
    }
    return token;
  }
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/**
 * The auth mode a server must use: `open` only for `sluice dev` bound to a loopback address
 * with no tokens created yet; otherwise `tokens`. A server bound beyond localhost without
 * any token could never be used, so that is a `USAGE` error naming the fix.
 */
export function authModeFor(host: string, dev: boolean, hasTokens: boolean): 'open' | 'tokens' {
  if (dev && isLoopback(host) && !hasTokens) return 'open';
  if (!hasTokens) {
    throw new SluiceError(
      'USAGE',
      `the server binds ${host}, which requires API tokens, but none exists; create one with \`sluice token create --role admin\``,
    );
  }
  return 'tokens';
}
