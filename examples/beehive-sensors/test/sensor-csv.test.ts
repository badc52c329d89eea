import { describe, expect, it } from 'vitest';
import { formatProblem, parseSensorCsv, parseTimestamp } from '../lib/sensor-csv.js';

const HEADER = 'timestamp,temperature,humidity,weight,sound_level';
const FILE = 'hive-01/2026-06-01.csv';

function csv(...rows: string[]): string {
  return `${[HEADER, ...rows].join('\n')}\n`;
}

describe('parseSensorCsv', () => {
  it('reads readings sorted by time, with empty cells as missing values', () => {
    const parsed = parseSensorCsv(
      csv('2026-06-01T00:10:00Z,35.1,,40.5,60', '2026-06-01T00:00:00Z,35.0,58.2,40.4,'),
      FILE,
      '2026-06-01',
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.missing).toBe(2);
    expect(parsed.readings).toEqual([
      { time: Date.parse('2026-06-01T00:00:00Z'), values: [35.0, 58.2, 40.4, null] },
      { time: Date.parse('2026-06-01T00:10:00Z'), values: [35.1, null, 40.5, 60] },
    ]);
  });

  it('accepts the columns in any order, CRLF line ends and a byte-order mark', () => {
    const text =
      '\uFEFFweight,timestamp,sound_level,humidity,temperature\r\n40.1,2026-06-01T02:00:00+02:00,61,55,34.9\r\n';
    const parsed = parseSensorCsv(text, FILE, '2026-06-01');
    expect(parsed.readings).toEqual([
      { time: Date.parse('2026-06-01T00:00:00Z'), values: [34.9, 55, 40.1, 61] },
    ]);
  });

  it('skips each malformed line and says where and what was expected', () => {
    const parsed = parseSensorCsv(
      csv(
        '2026-06-01T00:00:00Z,35.0,58.2,40.4,60',
        '2026-06-01T00:10:00Z,35.0,58.2,60',
        '2026-06-01T00:20:00Z,err,58.2,40.4,60',
        '2026-06-01T25:70:00Z,35.0,58.2,40.4,60',
        '2026-02-30T00:00:00Z,35.0,58.2,40.4,60',
        '2026-06-01T00:40:00,35.0,58.2,40.4,60',
        '2026-06-02T00:00:00Z,35.0,58.2,40.4,60',
        '2026-06-01T00:00:00Z,35.0,58.2,40.4,60',
        '2026-06-01T00:50:00Z,35.0,158.2,40.4,60',
        '',
        '2026-06-01T01:00:00Z,"35.0",58.2,40.4,60',
        '2026-06-01T01:10:00Z,35.0,58.2,40.4,60',
      ),
      FILE,
      '2026-06-01',
    );
    expect(parsed.readings).toHaveLength(2);
    expect(parsed.problems.map(formatProblem)).toMatchInlineSnapshot(`
      [
        "hive-01/2026-06-01.csv:3: 4 fields; expected 5 (timestamp,temperature,humidity,weight,sound_level)",
        "hive-01/2026-06-01.csv:4: temperature 'err'; expected a decimal number or an empty cell (missing)",
        "hive-01/2026-06-01.csv:5: timestamp '2026-06-01T25:70:00Z'; expected an ISO 8601 date-time with a time zone, e.g. 2026-06-01T00:10:00Z",
        "hive-01/2026-06-01.csv:6: timestamp '2026-02-30T00:00:00Z'; expected an ISO 8601 date-time with a time zone, e.g. 2026-06-01T00:10:00Z",
        "hive-01/2026-06-01.csv:7: timestamp '2026-06-01T00:40:00'; expected an ISO 8601 date-time with a time zone, e.g. 2026-06-01T00:10:00Z",
        "hive-01/2026-06-01.csv:8: timestamp '2026-06-02T00:00:00Z' (UTC date 2026-06-02); expected a time on 2026-06-01",
        "hive-01/2026-06-01.csv:9: timestamp '2026-06-01T00:00:00Z' a second time; expected one reading per timestamp",
        "hive-01/2026-06-01.csv:10: humidity 158.2; expected a value from 0 to 100",
        "hive-01/2026-06-01.csv:11: a blank line; expected a reading: timestamp,temperature,humidity,weight,sound_level",
        "hive-01/2026-06-01.csv:12: temperature '"35.0"'; expected a decimal number or an empty cell (missing)",
      ]
    `);
  });

  it('refuses a file that cannot be used at all, naming it and what was expected', () => {
    const attempt = (text: string): string => {
      try {
        parseSensorCsv(text, FILE, '2026-06-01');
        return 'parsed';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(attempt('')).toMatchInlineSnapshot(
      `"hive-01/2026-06-01.csv: the file is empty; expected a header line timestamp,temperature,humidity,weight,sound_level"`,
    );
    expect(attempt('time,temp,humidity,weight,sound_level,extra\n')).toMatchInlineSnapshot(
      `"hive-01/2026-06-01.csv:1: header 'time,temp,humidity,weight,sound_level,extra' (missing timestamp, temperature; unknown 'time', 'temp', 'extra'); expected the columns timestamp, temperature, humidity, weight, sound_level in any order"`,
    );
    expect(attempt(`${HEADER}\n`)).toMatchInlineSnapshot(
      `"hive-01/2026-06-01.csv: it has no readings; expected readings after the header"`,
    );
    expect(attempt(csv('a,b', 'c,d'))).toMatchInlineSnapshot(
      `"hive-01/2026-06-01.csv: none of its 2 lines is usable; expected readings after the header"`,
    );
    expect(attempt('PK\u0003\u0004\0\0')).toMatchInlineSnapshot(
      `"hive-01/2026-06-01.csv: a binary file; expected CSV text"`,
    );
  });
});

describe('parseTimestamp', () => {
  it('takes ISO 8601 date-times with a zone and refuses impossible dates', () => {
    expect(parseTimestamp('2026-06-01T00:10:00Z')).toBe(Date.UTC(2026, 5, 1, 0, 10));
    expect(parseTimestamp('2026-06-01 00:10Z')).toBe(Date.UTC(2026, 5, 1, 0, 10));
    expect(parseTimestamp('2026-06-01T02:10:00.5+02:00')).toBe(Date.UTC(2026, 5, 1, 0, 10, 0, 500));
    expect(parseTimestamp('2026-06-31T00:00:00Z')).toBeNull();
    expect(parseTimestamp('2026-06-01T00:60:00Z')).toBeNull();
    expect(parseTimestamp('1717200000')).toBeNull();
  });
});
