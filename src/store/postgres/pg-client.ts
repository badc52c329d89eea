/**
 * The {@link SqlClient} on a PostgreSQL server (the `pg` package, a connection pool). The
 * same SQL as the embedded PGlite store runs here; a transaction holds one pooled
 * connection until it ends.
 */
import pg from 'pg';
import { SluiceError } from '../../core/index.js';
import type { SqlClient } from '../sql-client.js';

/** Options of {@link openPostgresClient}. */
export interface PostgresClientOptions {
  /** Connections at most (default 4). */
  maxConnections?: number;
  /** Server settings for these connections (`-c name=value ...`). */
  settings?: string;
}

// NOTE: bigint (int8) and numeric come back as strings by default; Sluice's counters and
// sequence numbers fit in a double, and PGlite returns numbers too, so both read alike.
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => Number(text));

/** Connects to `url` (postgres://...) and checks the connection; `STORE` names the server when it cannot. */
export async function openPostgresClient(
  url: string,
  options: PostgresClientOptions = {},
): Promise<SqlClient> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    ...(options.settings ? { options: options.settings } : {}),
  });
  // An idle client that loses its connection emits 'error'; the next query reconnects.
  pool.on('error', () => undefined);
  const where = redact(url);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new SluiceError('STORE', `cannot connect to PostgreSQL at ${where}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const wrap = (error: unknown, sql: string): SluiceError =>
    new SluiceError('STORE', `PostgreSQL query failed (${where}): ${(error as Error).message}`, {
      cause: error,
      details: { sql: sql.slice(0, 200) },
    });
  const on = (runner: pg.Pool | pg.PoolClient): SqlClient => ({
    async query<T>(sql: string, params: unknown[] = []) {
      try {
        const result = await runner.query(sql, params);
        return { rows: result.rows as T[] };
      } catch (error) {
        throw wrap(error, sql);
      }
    },
    async exec(sql: string) {
      try {
        await runner.query(sql);
      } catch (error) {
        throw wrap(error, sql);
      }
    },
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      if (runner !== pool) return fn(on(runner));
      let connection: pg.PoolClient;
      try {
        connection = await pool.connect();
      } catch (error) {
        throw wrap(error, 'BEGIN');
      }
      // NOTE: a checked-out connection that the server drops (a restart) emits 'error'
      // between queries; the next query fails instead, and the transaction rolls back.
      const ignore = (): void => undefined;
      connection.on('error', ignore);
      try {
        await connection.query('BEGIN');
        const result = await fn(on(connection));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        connection.off('error', ignore);
        connection.release();
      }
    },
    async close() {
      if (runner === pool) await pool.end();
    },
  });
  return on(pool);
}

/** A connection URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
