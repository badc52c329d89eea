/** SQL for `api_tokens`: secrets are stored as their SHA-256 only. */
import type { TokenRecord, TokenStore } from '../api-records.js';
import type { SqlClient } from '../sql-client.js';
import { toDate, toDateOrNull } from './rows.js';

function toToken(row: Record<string, unknown>): TokenRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    role: row.role as TokenRecord['role'],
    createdAt: toDate(row.created_at),
    lastUsedAt: toDateOrNull(row.last_used_at),
    revokedAt: toDateOrNull(row.revoked_at),
  };
}

/** The token queries over `client`. */
export function tokenQueries(client: SqlClient): TokenStore {
  return {
    async createToken(record) {
      await client.query(
        'INSERT INTO api_tokens (id, name, role, secret_sha256, created_at) VALUES ($1, $2, $3, $4, $5)',
        [record.id, record.name, record.role, record.secretSha256, record.createdAt.toISOString()],
      );
    },
    async findTokenBySecret(secretSha256) {
      const { rows } = await client.query(
        'SELECT * FROM api_tokens WHERE secret_sha256 = $1 AND revoked_at IS NULL',
        [secretSha256],
      );
      return rows[0] ? toToken(rows[0]) : undefined;
    },
    async listTokens() {
      const { rows } = await client.query('SELECT * FROM api_tokens ORDER BY created_at, id');
      return rows.map(toToken);
    },
    async revokeToken(id) {
      const { rows } = await client.query(
        'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id',
        [id],
      );
      return rows.length > 0;
    },
    async touchToken(id, at) {
      await client.query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [id, at.toISOString()]);
    },
    async hasTokens() {
      const { rows } = await client.query(
        'SELECT EXISTS (SELECT 1 FROM api_tokens WHERE revoked_at IS NULL) AS any',
      );
      return rows[0]?.any === true;
    },
  };
}
