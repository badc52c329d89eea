import { describe, expect, it } from 'vitest';
import type { TableSpec } from '../spec/index.js';
import { checkRows } from './rows.js';

const predictions: TableSpec = {
  name: 'predictions',
  columns: {
    sensor_id: 'text',
    cluster: 'integer',
    score: 'double',
    at: 'timestamp',
    extra: 'json',
    big: 'bigint',
  },
};

function message(rows: unknown[], first = 0): string {
  try {
    checkRows(predictions, rows, first);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('checkRows', () => {
  it('normalises good rows: missing and null columns become NULL, timestamps Dates', () => {
    const [row] = checkRows(predictions, [
      {
        sensor_id: 's1',
        cluster: 2,
        score: 0.5,
        at: '2026-11-25T16:00:00Z',
        extra: { a: [1] },
        big: '9007199254740993',
      },
    ]);
    expect(row).toEqual({
      sensor_id: 's1',
      cluster: 2,
      score: 0.5,
      at: new Date('2026-11-25T16:00:00Z'),
      extra: { a: [1] },
      big: '9007199254740993',
    });
    expect(checkRows(predictions, [{ sensor_id: null }])).toEqual([{ sensor_id: null }]);
  });

  it('names the table, the row index and the column of a bad value', () => {
    expect(message([{ sensor_id: 's1' }, { sensor_id: 's2', cluster: 1.5 }], 10)).toMatchInlineSnapshot(
      `"table 'predictions' row 11: column 'cluster' expected integer (a whole number within 32 bits), found 1.5"`,
    );
    expect(message([{ score: 'high' }])).toMatchInlineSnapshot(
      `"table 'predictions' row 0: column 'score' expected double (a finite number), found "high""`,
    );
    expect(message([{ at: 'yesterday' }])).toMatchInlineSnapshot(
      `"table 'predictions' row 0: column 'at' expected timestamp (a Date or an ISO 8601 string), found "yesterday""`,
    );
    expect(message([{ cluster: 2 ** 31 }])).toMatchInlineSnapshot(
      `"table 'predictions' row 0: column 'cluster' expected integer (a whole number within 32 bits), found 2147483648"`,
    );
  });

  it('refuses unknown columns and rows that are not objects', () => {
    expect(message([{ sensor: 's1' }])).toMatchInlineSnapshot(
      `"table 'predictions' row 0: unknown column 'sensor'; declared columns: sensor_id, cluster, score, at, extra, big"`,
    );
    expect(message([['s1', 2]])).toMatchInlineSnapshot(
      `"table 'predictions' row 0: expected an object { column: value }, found a list"`,
    );
  });
});
