/**
 * Batched writes: a whole list of rows goes to PostgreSQL as ONE json parameter and is
 * unpacked by `json_to_recordset`, so a batch of thousands of rows is one statement, with
 * no bind-parameter limit to chunk around.
 */
import type { SqlClient } from '../sql-client.js';

/** Column name -> SQL type, in table order. */
export type Columns = Record<string, string>;

/** Dates as ISO strings, undefined as null: what json_to_recordset reads back exactly. */
function toJsonRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row))
    out[key] = value instanceof Date ? value.toISOString() : (value ?? null);
  return out;
}

/**
 * Inserts `rows` into `table`; on a conflict on `key`, updates `update` columns (or does
 * nothing when `update` is empty).
 */
export async function upsertRows(
  client: SqlClient,
  table: string,
  columns: Columns,
  rows: Record<string, unknown>[],
  key: string[],
  update: string[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  const recordType = names.map((name) => `${name} ${columns[name]}`).join(', ');
  const conflict =
    key.length === 0
      ? ''
      : update.length === 0
        ? ` ON CONFLICT (${key.join(', ')}) DO NOTHING`
        : ` ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${update.map((name) => `${name} = EXCLUDED.${name}`).join(', ')}`;
  const sql = `INSERT INTO ${table} (${names.join(', ')}) SELECT ${names.join(', ')} FROM json_to_recordset($1::json) AS r(${recordType})${conflict}`;
  await client.query(sql, [withoutNul(JSON.stringify(rows.map(toJsonRow)))]);
}

/**
 * PostgreSQL text cannot hold NUL, and one NUL in a log line or an error would fail the
 * whole batch: each escaped NUL becomes U+FFFD (a literal backslash before 'u0000' stays).
 */
export function withoutNul(json: string): string {
  return json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
}

/** A Date from what the driver returned (Date already, or a string). */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}
