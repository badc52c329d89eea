/**
 * API tokens and roles: `sluice token create|list|revoke`, the rule that decides between an
 * open and a token-protected server, and the role each request needs.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../src/core/index.js';
import { authModeFor, roleAllows } from '../src/server/auth/index.js';
import { requiredRole } from '../src/server/http/index.js';
import { openEmbeddedStore } from '../src/store/index.js';
import { sluice, tempProjects } from './helpers.js';

const project = tempProjects();

describe('sluice token', () => {
  it('creates tokens whose secret is printed once and stored only as a hash, lists and revokes them', async () => {
    const dir = await project({});
    const created = await sluice(['token', 'create', '--role', 'editor', '--name', 'ci'], dir);
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^sluice_[0-9a-z]{12}_[\w-]{32}$/);
    expect(created.stderr).toMatch(/shown only now/);

    const listed = await sluice(['token', 'list', '--json'], dir);
    const tokens = JSON.parse(listed.stdout) as {
      id: string;
      name: string;
      role: string;
      revokedAt: string | null;
    }[];
    expect(tokens).toMatchObject([{ name: 'ci', role: 'editor', revokedAt: null }]);
    expect(listed.stdout).not.toContain(secret);
    const id = tokens[0]!.id;

    const { store, lock } = await openEmbeddedStore({ home: join(dir, '.sluice') });
    try {
      expect(await store.tokens.findTokenBySecret(sha256(secret))).toMatchObject({ id, role: 'editor' });
      expect(await store.tokens.findTokenBySecret(secret)).toBeUndefined();
      expect(await store.tokens.hasTokens()).toBe(true);
    } finally {
      await store.close();
      await lock.release();
    }

    const revoked = await sluice(['token', 'revoke', id], dir);
    expect(revoked.code).toBe(0);
    const again = await sluice(['token', 'revoke', id], dir);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/TOKEN_NOT_FOUND/);
    const table = await sluice(['token', 'list'], dir);
    expect(table.stdout).toMatch(/ci\s+editor.*revoked/);
  });

  it('refuses an unknown role and a missing --role', async () => {
    const dir = await project({});
    expect((await sluice(['token', 'create', '--role', 'root'], dir)).code).toBe(2);
    expect((await sluice(['token', 'create'], dir)).code).toBe(2);
  });
});

describe('auth rules', () => {
  it('runs open only for sluice dev on a loopback address without tokens', () => {
    expect(authModeFor('127.0.0.1', true, false)).toBe('open');
    expect(authModeFor('localhost', true, false)).toBe('open');
    expect(authModeFor('::1', true, false)).toBe('open');
    expect(authModeFor('127.0.0.1', true, true)).toBe('tokens');
    expect(authModeFor('0.0.0.0', false, true)).toBe('tokens');
    expect(authModeFor('127.0.0.1', false, true)).toBe('tokens');
    expect(() => authModeFor('0.0.0.0', true, false)).toThrowErrorMatchingInlineSnapshot(
      `[SluiceError: the server binds 0.0.0.0, which requires API tokens, but none exists; create one with \`sluice token create --role admin\`]`,
    );
    expect(() => authModeFor('127.0.0.1', false, false)).toThrow(/requires API tokens/);
  });

  it('maps each request to the role it needs, and roles include weaker ones', () => {
    expect(requiredRole('GET', '/api/runs')).toBe('viewer');
    expect(requiredRole('GET', '/metrics')).toBe('viewer');
    expect(requiredRole('POST', '/api/pipelines/x/runs')).toBe('editor');
    expect(requiredRole('PUT', '/api/repos/r/files/a.txt')).toBe('editor');
    expect(requiredRole('DELETE', '/api/models/m/aliases/production')).toBe('editor');
    expect(requiredRole('DELETE', '/api/repos/r')).toBe('admin');
    expect(requiredRole('GET', '/api/tokens')).toBe('admin');
    expect(roleAllows('admin', 'viewer')).toBe(true);
    expect(roleAllows('editor', 'admin')).toBe(false);
  });
});
