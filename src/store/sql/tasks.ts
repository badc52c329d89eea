/** SQL for the `tasks` and `attempts` tables. */
import type { AttemptRecord, StoredError, TaskRecord } from '../store.js';
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
  return rows.map((row) => ({
    runId: String(row.run_id),
    step: String(row.step),
    datum: String(row.datum),
    status: row.status as TaskRecord['status'],
    execKey: (row.exec_key as string | null) ?? null,
    attempts: Number(row.attempts),
    error: (row.error as StoredError | null) ?? null,
    startedAt: toDateOrNull(row.started_at),
    finishedAt: toDateOrNull(row.finished_at),
  }));
}

export async function listAttempts(client: SqlClient, runId: string): Promise<AttemptRecord[]> {
  const { rows } = await client.query(
    'SELECT * FROM attempts WHERE run_id = $1 ORDER BY started_at, step, datum, attempt',
    [runId],
  );
  return rows.map((row) => ({
    runId: String(row.run_id),
    step: String(row.step),
    datum: String(row.datum),
    attempt: Number(row.attempt),
    status: row.status as AttemptRecord['status'],
    error: (row.error as StoredError | null) ?? null,
    startedAt: toDate(row.started_at),
    finishedAt: toDateOrNull(row.finished_at),
  }));
}
