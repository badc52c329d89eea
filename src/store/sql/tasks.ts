/** SQL for the `tasks` and `attempts` tables. */
import type { AttemptRecord, MetricRecord, StoredError, TaskRecord } from '../store.js';
import { toMetric } from './logs.js';
import type { SqlClient } from '../sql-client.js';
import { toDate, toDateOrNull, upsertRows } from './rows.js';

export async function upsertTasks(client: SqlClient, tasks: TaskRecord[]): Promise<void> {
  await upsertRows(
    client,
    'tasks',
    {
      run_id: 'text',
      step: 'text',
      datum: 'text',
      status: 'text',
      exec_key: 'text',
      attempts: 'integer',
      error: 'jsonb',
      started_at: 'timestamptz',
      finished_at: 'timestamptz',
    },
    tasks.map((task) => ({
      run_id: task.runId,
      step: task.step,
      datum: task.datum,
      status: task.status,
      exec_key: task.execKey,
      attempts: task.attempts,
      error: task.error,
      started_at: task.startedAt,
      finished_at: task.finishedAt,
    })),
    ['run_id', 'step', 'datum'],
    ['status', 'exec_key', 'attempts', 'error', 'started_at', 'finished_at'],
  );
}

export async function upsertAttempts(client: SqlClient, attempts: AttemptRecord[]): Promise<void> {
  await upsertRows(
    client,
    'attempts',
    {
      run_id: 'text',
      step: 'text',
      datum: 'text',
      attempt: 'integer',
      status: 'text',
      error: 'jsonb',
      started_at: 'timestamptz',
      finished_at: 'timestamptz',
    },
    attempts.map((attempt) => ({
      run_id: attempt.runId,
      step: attempt.step,
      datum: attempt.datum,
      attempt: attempt.attempt,
      status: attempt.status,
      error: attempt.error,
      started_at: attempt.startedAt,
      finished_at: attempt.finishedAt,
    })),
    ['run_id', 'step', 'datum', 'attempt'],
    ['status', 'error', 'finished_at'],
  );
}

/** Tasks of a run, ordered by when they started, then step and datum. */
export async function listTasks(client: SqlClient, runId: string): Promise<TaskRecord[]> {
  const { rows } = await client.query(
    'SELECT * FROM tasks WHERE run_id = $1 ORDER BY started_at ASC NULLS LAST, step, datum',
    [runId],
  );
  return rows.map(toTask);
}

/** A `tasks` row (or its JSON) as a {@link TaskRecord}. */
export function toTask(row: Record<string, unknown>): TaskRecord {
  return {
    runId: String(row.run_id),
    step: String(row.step),
    datum: String(row.datum),
    status: row.status as TaskRecord['status'],
    execKey: (row.exec_key as string | null) ?? null,
    attempts: Number(row.attempts),
    error: (row.error as StoredError | null) ?? null,
    startedAt: toDateOrNull(row.started_at),
    finishedAt: toDateOrNull(row.finished_at),
  };
}

export async function listAttempts(client: SqlClient, runId: string): Promise<AttemptRecord[]> {
  const { rows } = await client.query(
    'SELECT * FROM attempts WHERE run_id = $1 ORDER BY started_at, step, datum, attempt',
    [runId],
  );
  return rows.map(toAttempt);
}

/** An `attempts` row (or its JSON) as an {@link AttemptRecord}. */
export function toAttempt(row: Record<string, unknown>): AttemptRecord {
  return {
    runId: String(row.run_id),
    step: String(row.step),
    datum: String(row.datum),
    attempt: Number(row.attempt),
    status: row.status as AttemptRecord['status'],
    error: (row.error as StoredError | null) ?? null,
    startedAt: toDate(row.started_at),
    finishedAt: toDateOrNull(row.finished_at),
  };
}

/**
 * A run's tasks, attempts and metrics in one statement (each list aggregated to JSON text,
 * in the orders of the list functions above): what a run's page reads on every refresh.
 */
export async function runContents(
  client: SqlClient,
  runId: string,
): Promise<{ tasks: TaskRecord[]; attempts: AttemptRecord[]; metrics: MetricRecord[] }> {
  const { rows } = await client.query<{ tasks: string; attempts: string; metrics: string }>(
    `SELECT
       (SELECT coalesce(json_agg(t ORDER BY t.started_at ASC NULLS LAST, t.step, t.datum), '[]')::text
          FROM tasks t WHERE t.run_id = $1) AS tasks,
       (SELECT coalesce(json_agg(a ORDER BY a.started_at, a.step, a.datum, a.attempt), '[]')::text
          FROM attempts a WHERE a.run_id = $1) AS attempts,
       (SELECT coalesce(json_agg(m ORDER BY m.step, m.key, m.index NULLS FIRST, m.time), '[]')::text
          FROM metrics m WHERE m.run_id = $1) AS metrics`,
    [runId],
  );
  const row = rows[0] ?? { tasks: '[]', attempts: '[]', metrics: '[]' };
  const parse = (text: string): Record<string, unknown>[] => JSON.parse(text) as Record<string, unknown>[];
  return {
    tasks: parse(row.tasks).map(toTask),
    attempts: parse(row.attempts).map(toAttempt),
    metrics: parse(row.metrics).map(toMetric),
  };
}
