/** SQL for the `logs` and `metrics` tables (append-only). */
import type { LogRecord, MetricRecord } from '../store.js';
import type { SqlClient } from '../sql-client.js';
import { toDate, upsertRows } from './rows.js';

export async function insertLogs(client: SqlClient, logs: LogRecord[]): Promise<void> {
  await upsertRows(
    client,
    'logs',
    {
      run_id: 'text',
      seq: 'integer',
      step: 'text',
      datum: 'text',
      attempt: 'integer',
      stream: 'text',
      time: 'timestamptz',
      line: 'text',
    },
    logs.map((log) => ({
      run_id: log.runId,
      seq: log.seq,
      step: log.step,
      datum: log.datum,
      attempt: log.attempt,
      stream: log.stream,
      time: log.time,
      line: log.line,
    })),
    ['run_id', 'seq'],
    [],
  );
}

export async function listLogs(
  client: SqlClient,
  runId: string,
  options: { afterSeq?: number; limit?: number; step?: string },
): Promise<LogRecord[]> {
  const params: unknown[] = [runId, options.afterSeq ?? 0];
  let stepClause = '';
  if (options.step !== undefined) {
    params.push(options.step);
    stepClause = ` AND step = $${params.length}`;
  }
  params.push(options.limit ?? 10_000);
  const { rows } = await client.query(
    `SELECT * FROM logs WHERE run_id = $1 AND seq > $2${stepClause} ORDER BY seq LIMIT $${params.length}`,
    params,
  );
  return rows.map((row) => ({
    runId: String(row.run_id),
    seq: Number(row.seq),
    step: String(row.step),
    datum: String(row.datum),
    attempt: Number(row.attempt),
    stream: row.stream as LogRecord['stream'],
    time: toDate(row.time),
    line: String(row.line),
  }));
}

export async function maxLogSeq(client: SqlClient, runId: string): Promise<number> {
  const { rows } = await client.query<{ max: number | null }>(
    'SELECT max(seq) AS max FROM logs WHERE run_id = $1',
    [runId],
  );
  return Number(rows[0]?.max ?? 0);
}

export async function insertMetrics(client: SqlClient, metrics: MetricRecord[]): Promise<void> {
  await upsertRows(
    client,
    'metrics',
    {
      run_id: 'text',
      step: 'text',
      datum: 'text',
      key: 'text',
      value: 'double precision',
      index: 'integer',
      time: 'timestamptz',
    },
    metrics.map((metric) => ({
      run_id: metric.runId,
      step: metric.step,
      datum: metric.datum,
      key: metric.key,
      value: metric.value,
      index: metric.index,
      time: metric.time,
    })),
    [],
    [],
  );
}

export async function listMetrics(client: SqlClient, runId: string): Promise<MetricRecord[]> {
  const { rows } = await client.query(
    'SELECT * FROM metrics WHERE run_id = $1 ORDER BY step, key, index NULLS FIRST, time',
    [runId],
  );
  return rows.map(toMetric);
}

/** A `metrics` row (or its JSON) as a {@link MetricRecord}. */
export function toMetric(row: Record<string, unknown>): MetricRecord {
  return {
    runId: String(row.run_id),
    step: String(row.step),
    datum: String(row.datum),
    key: String(row.key),
    value: Number(row.value),
    index: row.index === null ? null : Number(row.index),
    time: toDate(row.time),
  };
}
