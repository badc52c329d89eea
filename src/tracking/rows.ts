/**
 * Checks rows a step writes against its table's declared columns, before anything is
 * written: a wrong type or an unknown column fails the attempt with an error naming the
 * table, the row index and the column.
 */
import { SluiceError } from '../core/index.js';
import type { ColumnType, TableSpec } from '../spec/index.js';

const INT32 = 2 ** 31;

function describe(value: unknown): string {
  if (value instanceof Date)
    return `a date (${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'a list' : 'an object';
  return JSON.stringify(value) ?? String(value);
}

/** The value to store for `value` in a column of `type`, or `undefined` when it does not fit. */
export function cellValue(type: ColumnType, value: unknown): unknown {
  switch (type) {
    case 'text':
      return typeof value === 'string' ? value : undefined;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= -INT32 && value < INT32
        ? value
        : undefined;
    case 'bigint':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      return typeof value === 'string' && /^-?\d{1,19}$/.test(value) ? value : undefined;
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'timestamp': {
      const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
      return date && !Number.isNaN(date.getTime()) ? date : undefined;
    }
    case 'json': {
      try {
        const text = JSON.stringify(value);
        return text === undefined ? undefined : (JSON.parse(text) as unknown);
      } catch {
        return undefined;
      }
    }
    default: {
      const never: never = type;
      return never;
    }
  }
}

const EXPECTED: Record<ColumnType, string> = {
  text: 'text (a string)',
  integer: 'integer (a whole number within 32 bits)',
  bigint: 'bigint (a whole number)',
  double: 'double (a finite number)',
  boolean: 'boolean',
  timestamp: 'timestamp (a Date or an ISO 8601 string)',
  json: 'json (any JSON value)',
};

/**
 * Checks and normalises `rows` for `table`; `first` is the index of the first row among
 * those the attempt wrote to the table. Missing columns and `null` are stored as NULL.
 */
export function checkRows(table: TableSpec, rows: unknown[], first = 0): Record<string, unknown>[] {
  const columns = Object.keys(table.columns);
  return rows.map((row, offset) => {
    const index = first + offset;
    const where = `table '${table.name}' row ${index}`;
    if (typeof row !== 'object' || row === null || Array.isArray(row) || row instanceof Date) {
      throw new SluiceError(
        'TABLE_ROW',
        `${where}: expected an object { column: value }, found ${describe(row)}`,
      );
    }
    const checked: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
      const type = table.columns[column];
      if (type === undefined) {
        throw new SluiceError(
          'TABLE_ROW',
          `${where}: unknown column '${column}'; declared columns: ${columns.join(', ')}`,
          { details: { table: table.name, row: index, column } },
        );
      }
      if (value === null || value === undefined) {
        checked[column] = null;
        continue;
      }
      const cell = cellValue(type, value);
      if (cell === undefined) {
        throw new SluiceError(
          'TABLE_ROW',
          `${where}: column '${column}' expected ${EXPECTED[type]}, found ${describe(value)}`,
          {
            details: { table: table.name, row: index, column },
          },
        );
      }
      checked[column] = cell;
    }
    return checked;
  });
}
