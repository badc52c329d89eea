/** SQL for the `runs` table. */
import type { ListRunsFilter, RunRecord, StoredError } from '../store.js';
import type { SqlClient } from '../sql-client.js';
import { toDate, toDateOrNull, upsertRows } from './rows.js';

const COLUMNS = {
  id: 'text',
  pipeline: 'text',
  pipeline_version: 'text',
  spec_file: 'text',
  params: 'json',
  status: 'text',
  desired_outputs: 'jsonb',
  outputs: 'json',
  error: 'jsonb',
  pid: 'integer',
  created_at: 'timestamptz',
  started_at: 'timestamptz',
  finished_at: 'timestamptz',
  input_commits: 'json',
  output_commit: 'text',
  triggered_by: 'json',
};

export async function upsertRuns(client: SqlClient, runs: RunRecord[]): Promise<void> {
  await upsertRows(
    client,
    'runs',
    COLUMNS,
    runs.map((run) => ({
      id: run.id,
      pipeline: run.pipeline,
      pipeline_version: run.pipelineVersion,
      spec_file: run.specFile,
      params: run.params,
      status: run.status,
      desired_outputs: run.desiredOutputs,
      outputs: run.outputs,
      error: run.error,
      pid: run.pid,
      created_at: run.createdAt,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      input_commits: run.inputCommits,
      output_commit: run.outputCommit,
      triggered_by: run.trigger,
    })),
    ['id'],
    ['status', 'outputs', 'error', 'pid', 'started_at', 'finished_at', 'output_commit'],
  );
}

function toRun(row: Record<string, unknown>): RunRecord {
  return {
    id: String(row.id),
    pipeline: String(row.pipeline),
    pipelineVersion: String(row.pipeline_version),
    specFile: (row.spec_file as string | null) ?? null,
    params: row.params as Record<string, unknown>,
    status: row.status as RunRecord['status'],
    desiredOutputs: row.desired_outputs as string[],
    outputs: (row.outputs as Record<string, unknown> | null) ?? null,
    error: (row.error as StoredError | null) ?? null,
    pid: row.pid === null ? null : Number(row.pid),
    createdAt: toDate(row.created_at),
    startedAt: toDateOrNull(row.started_at),
    inputCommits: (row.input_commits as RunRecord['inputCommits'] | null) ?? [],
    outputCommit: (row.output_commit as string | null) ?? null,
    trigger: (row.triggered_by as RunRecord['trigger']) ?? null,
    finishedAt: toDateOrNull(row.finished_at),
  };
}

export async function getRun(client: SqlClient, id: string): Promise<RunRecord | undefined> {
  const { rows } = await client.query('SELECT * FROM runs WHERE id = $1', [id]);
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** Runs whose id starts with `prefix` (at most `limit`). */
export async function findRunsByPrefix(
  client: SqlClient,
  prefix: string,
  limit: number,
): Promise<RunRecord[]> {
  const escaped = prefix.replace(/[\\%_]/g, (char) => `\\${char}`);
  const { rows } = await client.query('SELECT * FROM runs WHERE id LIKE $1 ORDER BY id LIMIT $2', [
    `${escaped}%`,
    limit,
  ]);
  return rows.map(toRun);
}

export async function listRuns(client: SqlClient, filter: ListRunsFilter): Promise<RunRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.pipeline !== undefined) {
    params.push(filter.pipeline);
    where.push(`pipeline = $${params.length}`);
  }
  if (filter.status !== undefined) {
    params.push(filter.status);
    where.push(`status = $${params.length}`);
  }
  params.push(filter.limit ?? 50);
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const { rows } = await client.query(
    `SELECT * FROM runs ${clause} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toRun);
}

/**
 * Marks runs left `running` by another (dead) process as `interrupted`, with their
 * unfinished tasks `cancelled` and running attempts `crashed`. Returns their ids.
 */
export async function sweepInterrupted(client: SqlClient, livePid: number): Promise<string[]> {
  return client.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE runs SET status = 'interrupted', finished_at = now(),
         error = jsonb_build_object('code', 'RUN_FAILED', 'message', 'the process running it (pid ' || coalesce(pid, 0) || ') stopped before the run ended')
       WHERE status = 'running' AND (pid IS NULL OR pid <> $1) RETURNING id`,
      [livePid],
    );
    const ids = rows.map((row) => row.id);
    await endUnfinishedWork(tx, ids);
    return ids;
  });
}

/** Of runs just recorded interrupted: unfinished tasks `cancelled`, running attempts `crashed`. */
export async function endUnfinishedWork(tx: SqlClient, runIds: string[]): Promise<void> {
  if (runIds.length === 0) return;
  await tx.query(
    `UPDATE tasks SET status = 'cancelled', finished_at = now() WHERE run_id = ANY($1::text[]) AND status IN ('pending', 'running')`,
    [runIds],
  );
  await tx.query(
    `UPDATE attempts SET status = 'crashed', finished_at = now() WHERE run_id = ANY($1::text[]) AND status = 'running'`,
    [runIds],
  );
}
