/**
 * The runs grid of one pipeline (the web UI's Airflow-style grid): its newest runs, oldest
 * first, each with a count of datums per step and state, in one statement however many
 * runs, steps and datums there are.
 */
import type { RunGrid } from '../api-records.js';
import type { SqlClient } from '../sql-client.js';
import { toDate, toDateOrNull } from './rows.js';

/**
 * The newest `limit` runs of `pipeline`, oldest first, with per-step datum counts by state,
 * and the steps in the order they first started.
 */
export async function runGrid(client: SqlClient, pipeline: string, limit: number): Promise<RunGrid> {
  // NOTE: a success that needed more than one attempt counts as `recovered`, as datum listings show it.
  const { rows } = await client.query(
    `WITH r AS (
       SELECT id, status, created_at, started_at, finished_at, triggered_by
         FROM runs WHERE pipeline = $1 ORDER BY created_at DESC, id DESC LIMIT $2
     ), c AS (
       SELECT t.run_id, t.step,
              CASE WHEN t.status = 'success' AND t.attempts > 1 THEN 'recovered' ELSE t.status END AS state,
              count(*)::int AS n
         FROM tasks t JOIN r ON r.id = t.run_id
        GROUP BY 1, 2, 3
     ), o AS (
       SELECT t.step, min(t.started_at) AS first FROM tasks t JOIN r ON r.id = t.run_id GROUP BY 1
     ), s AS (
       SELECT run_id, step, json_object_agg(state, n) AS states FROM c GROUP BY 1, 2
     )
     SELECT r.*,
            (SELECT coalesce(json_object_agg(s.step, s.states), '{}')::text FROM s WHERE s.run_id = r.id) AS steps,
            (SELECT coalesce(json_agg(o.step ORDER BY o.first NULLS LAST, o.step), '[]')::text FROM o) AS step_order
       FROM r ORDER BY r.created_at ASC, r.id ASC`,
    [pipeline, limit],
  );
  const runs = rows.map((row) => ({
    id: String(row.id),
    status: String(row.status),
    createdAt: toDate(row.created_at),
    startedAt: toDateOrNull(row.started_at),
    finishedAt: toDateOrNull(row.finished_at),
    trigger: (row.triggered_by as Record<string, unknown> | null) ?? null,
    steps: JSON.parse(String(row.steps)) as Record<string, Record<string, number>>,
  }));
  const steps = rows[0] ? (JSON.parse(String(rows[0].step_order)) as string[]) : [];
  return { steps, runs };
}
