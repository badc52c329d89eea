/**
 * `sluice table list|show|export`: the tables steps wrote, read without SQL. Filters are
 * `--where column=value` (repeatable; values are converted to the column's type).
 */
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { pc } from '../colors.js';
import { SluiceError } from '../../core/index.js';
import type { TextSink } from '../../tracking/index.js';
import type { CliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { json, type Io } from '../io.js';
import { integerFlag } from '../flags.js';
import { withTracking } from '../tracking-access.js';

/** Parses `--where col=value` flags. */
export function parseWhere(flags: string[] = []): Record<string, string> {
  const where: Record<string, string> = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0) throw new SluiceError('USAGE', `--where ${flag}: expected column=value`);
    where[flag.slice(0, at)] = flag.slice(at + 1);
  }
  return where;
}

function count(flag: string, value: string | undefined, fallback: number): number {
  return integerFlag(flag, value, 0) ?? fallback;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** `sluice table list`. */
export async function tableList(options: { json?: boolean }, config: CliConfig, io: Io): Promise<number> {
  return withTracking(config, 'sluice table list', async ({ tables }) => {
    const list = await tables.list();
    if (options.json) {
      io.out(json(list));
      return EXIT.ok;
    }
    if (list.length === 0) {
      io.out("no tables yet: a step listing 'tables' creates one on its first write\n");
      return EXIT.ok;
    }
    io.out(`${pc.bold('TABLE'.padEnd(28))}${pc.bold('ROWS'.padEnd(10))}${pc.bold('COLUMNS')}\n`);
    for (const table of list) {
      const columns = table.columns.map((column) => `${column.name} ${column.type}`).join(', ');
      io.out(`${table.name.padEnd(28)}${String(table.rows).padEnd(10)}${columns}\n`);
    }
    return EXIT.ok;
  });
}

/** `sluice table show NAME [--limit N] [--offset N] [--where col=val] [--run RUN]`. */
export async function tableShow(
  name: string,
  options: { limit?: string; offset?: string; where?: string[]; run?: string; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const limit = count('--limit', options.limit, 20);
  const offset = count('--offset', options.offset, 0);
  const where = parseWhere(options.where);
  return withTracking(config, 'sluice table show', async ({ tables }) => {
    const table = await tables.describe(name);
    const rows = await tables.rows(name, {
      limit,
      offset,
      where,
      ...(options.run !== undefined ? { runId: options.run } : {}),
    });
    if (options.json) {
      io.out(json({ table: table.name, columns: table.columns, total: table.rows, rows }));
      return EXIT.ok;
    }
    const columns = [...table.columns.map((column) => column.name), '_run_id', '_datum'];
    const cells = rows.map((row) => columns.map((column) => cell(row[column])));
    const widths = columns.map((column, index) =>
      Math.min(40, Math.max(column.length, ...cells.map((line) => (line[index] ?? '').length))),
    );
    const pad = (text: string, index: number): string => {
      const width = widths[index] ?? 0;
      return (text.length > width ? `${text.slice(0, width - 1)}…` : text).padEnd(width);
    };
    io.out(`${columns.map((column, index) => pc.bold(pad(column, index))).join('  ')}\n`);
    for (const line of cells) io.out(`${line.map(pad).join('  ').trimEnd()}\n`);
    const filtered = Object.keys(where).length > 0 || options.run !== undefined;
    io.out(
      pc.dim(
        `${rows.length} row${rows.length === 1 ? '' : 's'} shown${filtered ? ' (filtered)' : ''} of ${table.rows} in ${table.name}\n`,
      ),
    );
    return EXIT.ok;
  });
}

/** `sluice table export NAME --format csv|json [-o FILE] [--where col=val] [--run RUN]`. */
export async function tableExport(
  name: string,
  options: { format?: string; output?: string; where?: string[]; run?: string; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const format = options.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') {
    throw new SluiceError('USAGE', `--format: expected csv or json, found '${format}'`);
  }
  const where = parseWhere(options.where);
  return withTracking(config, 'sluice table export', async ({ tables }) => {
    await tables.describe(name);
    const filter = { where, ...(options.run !== undefined ? { runId: options.run } : {}) };
    const path = options.output === undefined ? undefined : resolve(io.cwd, options.output);
    const file = path === undefined ? undefined : createWriteStream(path);
    const sink: TextSink = file ?? { write: (text: string) => io.out(text) };
    try {
      const rows =
        format === 'csv'
          ? await tables.exportCsv(name, sink, filter)
          : await tables.exportJson(name, sink, filter);
      if (file) {
        await new Promise<void>((done, fail) => {
          file.on('error', fail);
          file.end(done);
        });
        io.err(`${rows} row${rows === 1 ? '' : 's'} of ${name} written to ${path}\n`);
      }
      return EXIT.ok;
    } catch (error) {
      file?.destroy();
      throw error;
    }
  });
}
