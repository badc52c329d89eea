/** SQL for the `results` table: outputs by execution key, written once. */
import type { ResultRecord } from '../store.js';
import type { SqlClient } from '../sql-client.js';
import { toDate, upsertRows } from './rows.js';

/** Inserts results; a key already present keeps its first result. */
export async function insertResults(client: SqlClient, results: ResultRecord[]): Promise<void> {
  await upsertRows(
    client,
    'results',
    { exec_key: 'text', step: 'text', outputs: 'json', created_at: 'timestamptz' },
    results.map((result) => ({
      exec_key: result.execKey,
      step: result.step,
      outputs: result.outputs,
      created_at: result.createdAt,
    })),
    ['exec_key'],
    [],
  );
}

export async function findResults(client: SqlClient, keys: string[]): Promise<Map<string, ResultRecord>> {
  const found = new Map<string, ResultRecord>();
  if (keys.length === 0) return found;
  const { rows } = await client.query('SELECT * FROM results WHERE exec_key = ANY($1::text[])', [keys]);
  for (const row of rows) {
    const key = String(row.exec_key);
    found.set(key, {
      execKey: key,
      step: String(row.step),
      outputs: row.outputs as Record<string, unknown>,
      createdAt: toDate(row.created_at),
    });
  }
  return found;
}
