/**
 * The little SQL surface the store needs, so the same SQL runs on PGlite (embedded) and on
 * a PostgreSQL server (cluster): parameterised queries, scripts, transactions.
 */

/** A SQL connection or transaction. */
export interface SqlClient {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script of several statements without parameters. */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
