/**
 * SQL for user tables (schema `sluice_tables`): created on first use, extended by ALTER
 * when a spec adds columns, rows inserted once per (execution key, row index). Table and
 * column names are checked by `src/tracking` (lowercase identifiers) before they get here,
 * and are always quoted.
 */
import {
  COLUMN_SQL_TYPES,
  type ColumnType,
  type TableRowsBatch,
  type TableRowsQuery,
  type TrackingStore,
  type UserTableInfo,
} from '../tracking-records.js';
import type { SqlClient } from '../sql-client.js';
import { withoutNul } from './rows.js';

const SCHEMA = 'sluice_tables';

/** The quoted, schema-qualified name of a user table. */
function qualified(name: string): string {
  return `${SCHEMA}."${name.replace(/"/g, '""')}"`;
}

function quote(column: string): string {
  return `"${column.replace(/"/g, '""')}"`;
}

const BY_SQL_TYPE = new Map<string, ColumnType>(
  Object.entries(COLUMN_SQL_TYPES).map(([type, sql]) => [sql, type as ColumnType]),
);

/** The metadata columns every user table has, in order. */
const META = `_run_id text NOT NULL, _step text NOT NULL, _datum text NOT NULL, _exec_key text NOT NULL,
  _row integer NOT NULL, _created_at timestamptz NOT NULL`;

export async function tableColumns(
  client: SqlClient,
  name: string,
): Promise<Record<string, ColumnType | 'other'> | undefined> {
  const { rows } = await client.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
     WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [SCHEMA, name],
  );
  if (rows.length === 0) return undefined;
  const columns: Record<string, ColumnType | 'other'> = {};
  for (const row of rows) {
    if (row.column_name.startsWith('_')) continue;
    columns[row.column_name] = BY_SQL_TYPE.get(row.data_type) ?? 'other';
  }
  return columns;
}

export async function createOrExtendTable(
  client: SqlClient,
  name: string,
  columns: Record<string, ColumnType>,
  existing: boolean,
): Promise<void> {
  const defs = Object.entries(columns).map(([column, type]) => `${quote(column)} ${COLUMN_SQL_TYPES[type]}`);
  if (!existing) {
    await client.exec(
      `CREATE TABLE IF NOT EXISTS ${qualified(name)} (${[META, ...defs].join(', ')}, UNIQUE (_exec_key, _row))`,
    );
    return;
  }
  for (const def of defs) await client.exec(`ALTER TABLE ${qualified(name)} ADD COLUMN IF NOT EXISTS ${def}`);
}

/** JSON for json_to_recordset: dates as ISO strings, bigints as strings, missing as null. */
function jsonCell(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value ?? null;
}

export async function insertTableRows(client: SqlClient, batches: TableRowsBatch[]): Promise<void> {
  const nonEmpty = batches.filter((batch) => batch.rows.length > 0);
  if (nonEmpty.length === 0) return;
  await client.transaction(async (tx) => {
    for (const batch of nonEmpty) {
      const names = Object.keys(batch.columns);
      const record = [
        '_row integer',
        ...names.map((column) => `${quote(column)} ${COLUMN_SQL_TYPES[batch.columns[column] ?? 'text']}`),
      ];
      const rows = batch.rows.map((row, index) => {
        const cells: Record<string, unknown> = { _row: index };
        for (const column of names) cells[column] = jsonCell(row[column]);
        return cells;
      });
      const userColumns = names.map(quote);
      await tx.query(
        `INSERT INTO ${qualified(batch.table)} (_run_id, _step, _datum, _exec_key, _row, _created_at${userColumns.map((column) => `, ${column}`).join('')})
         SELECT $2, $3, $4, $5, r._row, now()${userColumns.map((column) => `, r.${column}`).join('')}
         FROM json_to_recordset($1::json) AS r(${record.join(', ')})
         ON CONFLICT (_exec_key, _row) DO NOTHING`,
        [withoutNul(JSON.stringify(rows)), batch.runId, batch.step, batch.datum, batch.execKey],
      );
    }
  });
}

export async function listTables(client: SqlClient): Promise<UserTableInfo[]> {
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    [SCHEMA],
  );
  const tables: UserTableInfo[] = [];
  for (const { table_name: name } of rows) {
    const columns = (await tableColumns(client, name)) ?? {};
    const { rows: count } = await client.query<{ n: unknown }>(
      `SELECT count(*) AS n FROM ${qualified(name)}`,
    );
    tables.push({
      name,
      columns: Object.entries(columns)
        .filter((entry): entry is [string, ColumnType] => entry[1] !== 'other')
        .map(([column, type]) => ({ name: column, type })),
      rows: Number(count[0]?.n ?? 0),
    });
  }
  return tables;
}

/** Plain JSON values: bigints as numbers when exact (else strings), timestamps as Dates. */
function plainCell(value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

export async function tableRows(
  client: SqlClient,
  name: string,
  query: TableRowsQuery,
): Promise<Record<string, unknown>[]> {
  const params: unknown[] = [];
  const clauses: string[] = [];
  for (const [column, value] of Object.entries(query.where ?? {})) {
    if (value === null) {
      clauses.push(`${quote(column)} IS NULL`);
      continue;
    }
    params.push(value);
    clauses.push(`${quote(column)} = $${params.length}`);
  }
  if (query.runId !== undefined) {
    params.push(query.runId);
    clauses.push(`_run_id = $${params.length}`);
  }
  params.push(query.limit, query.offset);
  const { rows } = await client.query(
    `SELECT * FROM ${qualified(name)}${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''}
     ORDER BY _created_at, _step, _datum, _row LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([key, value]) => [key, plainCell(value)])),
  );
}

/** The user-table queries alone, over any SQL connection (a separate PostgreSQL server for `SLUICE_TABLES_URL`). */
export type TableStore = Pick<
  TrackingStore,
  'tableColumns' | 'createOrExtendTable' | 'insertTableRows' | 'listTables' | 'tableRows'
>;

/**
 * The {@link TableStore} over `client`, creating the `sluice_tables` schema when missing
 * (the metadata store's migrations create it; a separate server needs it too).
 */
export async function tableQueries(client: SqlClient): Promise<TableStore> {
  await client.exec(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  return {
    tableColumns: (name) => tableColumns(client, name),
    createOrExtendTable: (name, columns, existing) => createOrExtendTable(client, name, columns, existing),
    insertTableRows: (batches) => insertTableRows(client, batches),
    listTables: () => listTables(client),
    tableRows: (name, query) => tableRows(client, name, query),
  };
}
