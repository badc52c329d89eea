/**
 * User tables (schema `sluice_tables`): created on a step's first write, extended when a
 * spec adds columns, read back without SQL (`sluice table list|show|export`).
 *
 * @example
 * const tables = new Tables(store);
 * await tables.rows('predictions', { limit: 10, where: { cluster: 2 } });
 * await tables.exportCsv('predictions', process.stdout);
 */
import { SluiceError, canonicalJson } from '../core/index.js';
import type { ColumnType, TableSpec } from '../spec/index.js';
import type { TableRowsBatch, TableStore, UserTableInfo } from '../store/index.js';
import { cellValue } from './rows.js';

/** Where exports write text (a Node writable stream does). */
export interface TextSink {
  write(text: string): unknown;
}

/** Options of {@link Tables.rows}. */
export interface RowsOptions {
  limit?: number;
  offset?: number;
  /** Column = value filters; values may be strings (as typed on a command line). */
  where?: Record<string, unknown>;
  runId?: string;
}

/** The metadata columns every table has, with their types. */
export const META_COLUMNS: Record<string, ColumnType> = {
  _run_id: 'text',
  _step: 'text',
  _datum: 'text',
  _exec_key: 'text',
  _row: 'integer',
  _created_at: 'timestamp',
};

const PAGE = 1000;

/** User tables over a metadata store. */
export class Tables {
  readonly #store: TableStore;
  readonly #ensured = new Map<string, Promise<void>>();

  /** Tables in the metadata store (`store.tracking`), or in another database's {@link TableStore}. */
  constructor(store: { tracking: TableStore }) {
    this.#store = store.tracking;
  }

  /** Every table with its columns and row count, by name. */
  list(): Promise<UserTableInfo[]> {
    return this.#store.listTables();
  }

  /** One table; `TABLE_NOT_FOUND` names the tables that exist. */
  async describe(name: string): Promise<UserTableInfo> {
    const tables = await this.#store.listTables();
    const table = tables.find((item) => item.name === name);
    if (!table) {
      throw new SluiceError(
        'TABLE_NOT_FOUND',
        `table '${name}' does not exist; tables: ${tables.map((item) => item.name).join(', ') || '(none yet: a step creates one on its first write)'}`,
      );
    }
    return table;
  }

  /** Rows in insertion order, with their metadata columns (`_run_id`, `_step`...). */
  async rows(name: string, options: RowsOptions = {}): Promise<Record<string, unknown>[]> {
    const table = await this.describe(name);
    const limit = options.limit ?? 100;
    const offset = options.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0) {
      throw new SluiceError('USAGE', `limit and offset must be integers >= 0, found ${limit} and ${offset}`);
    }
    return this.#store.tableRows(name, {
      limit,
      offset,
      ...(options.where ? { where: whereValues(table, options.where) } : {}),
      ...(options.runId !== undefined ? { runId: options.runId } : {}),
    });
  }

  /** Writes every matching row as CSV (header first, RFC 4180 quoting); resolves to the row count. */
  async exportCsv(
    name: string,
    out: TextSink,
    options: Omit<RowsOptions, 'limit' | 'offset'> = {},
  ): Promise<number> {
    const table = await this.describe(name);
    const columns = exportColumns(table);
    out.write(`${columns.map(csvCell).join(',')}\n`);
    return this.#pages(name, options, (row) => {
      out.write(`${columns.map((column) => csvCell(row[column])).join(',')}\n`);
    });
  }

  /** Writes every matching row as one JSON array; resolves to the row count. */
  async exportJson(
    name: string,
    out: TextSink,
    options: Omit<RowsOptions, 'limit' | 'offset'> = {},
  ): Promise<number> {
    const table = await this.describe(name);
    const columns = exportColumns(table);
    out.write('[');
    let first = true;
    const count = await this.#pages(name, options, (row) => {
      const picked = Object.fromEntries(columns.map((column) => [column, row[column] ?? null]));
      out.write(`${first ? '\n' : ',\n'}  ${JSON.stringify(picked)}`);
      first = false;
    });
    out.write(count > 0 ? '\n]\n' : ']\n');
    return count;
  }

  /**
   * Creates `table` or adds the columns its spec gained; `TABLE_SCHEMA` when a column
   * exists with another type. Done once per table and column set in this process.
   */
  ensure(table: TableSpec): Promise<void> {
    const key = `${table.name}\0${canonicalJson(table.columns)}`;
    let ensured = this.#ensured.get(key);
    if (!ensured) {
      ensured = this.#ensure(table);
      this.#ensured.set(key, ensured);
      ensured.catch(() => this.#ensured.delete(key));
    }
    return ensured;
  }

  /** Inserts checked rows of one execution (see {@link TableRowsBatch}) in one transaction. */
  async insert(tables: TableSpec[], batches: TableRowsBatch[]): Promise<void> {
    for (const table of tables) await this.ensure(table);
    await this.#store.insertTableRows(batches);
  }

  async #ensure(table: TableSpec): Promise<void> {
    const existing = await this.#store.tableColumns(table.name);
    if (!existing) {
      await this.#store.createOrExtendTable(table.name, table.columns, false);
      return;
    }
    const missing: Record<string, ColumnType> = {};
    for (const [column, type] of Object.entries(table.columns)) {
      const found = existing[column];
      if (found === undefined) missing[column] = type;
      else if (found !== type) {
        throw new SluiceError(
          'TABLE_SCHEMA',
          `table '${table.name}' column '${column}' is declared ${type} but the existing table has it as ${found}; rename the column in the spec, or drop table sluice_tables.${table.name} to recreate it`,
        );
      }
    }
    if (Object.keys(missing).length > 0) await this.#store.createOrExtendTable(table.name, missing, true);
  }

  async #pages(
    name: string,
    options: Omit<RowsOptions, 'limit' | 'offset'>,
    each: (row: Record<string, unknown>) => void,
  ): Promise<number> {
    let count = 0;
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.rows(name, { ...options, limit: PAGE, offset });
      for (const row of page) each(row);
      count += page.length;
      if (page.length < PAGE) return count;
    }
  }
}

/** User columns, then the metadata columns worth exporting. */
function exportColumns(table: UserTableInfo): string[] {
  return [...table.columns.map((column) => column.name), '_run_id', '_step', '_datum', '_created_at'];
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Converts filter values (strings from a command line, or typed values) to their column's type. */
function whereValues(table: UserTableInfo, where: Record<string, unknown>): Record<string, unknown> {
  const types: Record<string, ColumnType> = { ...META_COLUMNS };
  for (const column of table.columns) types[column.name] = column.type;
  const converted: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(where)) {
    const type = types[column];
    if (type === undefined) {
      throw new SluiceError(
        'USAGE',
        `table '${table.name}' has no column '${column}'; columns: ${Object.keys(types).join(', ')}`,
      );
    }
    if (raw === null) {
      converted[column] = null;
      continue;
    }
    const value = typeof raw === 'string' ? fromText(type, raw) : raw;
    const cell = value === undefined ? undefined : cellValue(type, value);
    if (cell === undefined) {
      throw new SluiceError(
        'USAGE',
        `filter ${column}=${typeof raw === 'string' ? raw : JSON.stringify(raw)}: column '${column}' is ${type}`,
      );
    }
    converted[column] =
      type === 'json' ? JSON.stringify(cell) : cell instanceof Date ? cell.toISOString() : cell;
  }
  return converted;
}

function fromText(type: ColumnType, text: string): unknown {
  switch (type) {
    case 'text':
    case 'timestamp':
    case 'bigint':
      return text;
    case 'integer':
    case 'double':
      return text.trim() === '' ? undefined : Number(text);
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default: {
      const never: never = type;
      return never;
    }
  }
}
