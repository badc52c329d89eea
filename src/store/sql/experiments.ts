/**
 * Experiment aggregates over `metrics`, `runs` and `logged_params`: the pipelines that log
 * metrics, a pipeline's runs with a summary per metric key, and the series of chosen runs.
 * Each is one statement, however many runs and keys there are.
 */
import type { ExperimentPipeline, ExperimentRun, MetricSummary } from '../api-records.js';
import type { MetricRecord } from '../store.js';
import type { SqlClient } from '../sql-client.js';
import { toMetric } from './logs.js';
import { toDate, toDateOrNull } from './rows.js';

/** Pipelines with at least one logged metric, by name. */
export async function experimentPipelines(client: SqlClient): Promise<ExperimentPipeline[]> {
  const { rows } = await client.query(
    `SELECT r.pipeline, count(DISTINCT r.id)::int AS runs,
            to_json(array_agg(DISTINCT m.key ORDER BY m.key)) AS keys,
            max(r.created_at) AS last_run_at
       FROM metrics m JOIN runs r ON r.id = m.run_id
      GROUP BY r.pipeline ORDER BY r.pipeline`,
  );
  return rows.map((row) => ({
    pipeline: String(row.pipeline),
    runs: Number(row.runs),
    keys: row.keys as string[],
    lastRunAt: toDate(row.last_run_at),
  }));
}

/**
 * The newest `limit` runs of `pipeline` with their run params, the params their steps
 * logged, and per metric key the last value (by time, then index), min, max and count.
 */
export async function experimentRuns(
  client: SqlClient,
  pipeline: string,
  limit: number,
): Promise<ExperimentRun[]> {
  const { rows } = await client.query(
    `WITH r AS (
       SELECT id, status, params, created_at, started_at, finished_at
         FROM runs WHERE pipeline = $1 ORDER BY created_at DESC LIMIT $2
     ), s AS (
       SELECT m.run_id, m.key, count(*)::int AS count, min(m.value) AS min, max(m.value) AS max,
              (array_agg(m.value ORDER BY m.time DESC, m.index DESC NULLS LAST))[1] AS last
         FROM metrics m JOIN r ON r.id = m.run_id
        GROUP BY m.run_id, m.key
     ), sj AS (
       SELECT run_id, json_agg(json_build_object('key', key, 'last', last, 'min', min, 'max', max,
                                                 'count', count) ORDER BY key) AS metrics
         FROM s GROUP BY run_id
     ), p AS (
       SELECT lp.run_id, json_object_agg(lp.key, lp.value -> 'v' ORDER BY lp.time, lp.key) AS logged
         FROM logged_params lp JOIN r ON r.id = lp.run_id
        GROUP BY lp.run_id
     )
     SELECT r.*, sj.metrics, p.logged
       FROM r LEFT JOIN sj ON sj.run_id = r.id LEFT JOIN p ON p.run_id = r.id
      ORDER BY r.created_at DESC`,
    [pipeline, limit],
  );
  return rows.map((row) => ({
    id: String(row.id),
    status: String(row.status),
    params: row.params as Record<string, unknown>,
    loggedParams: (row.logged as Record<string, unknown> | null) ?? {},
    metrics: ((row.metrics as MetricSummary[] | null) ?? []).map((metric) => ({
      key: String(metric.key),
      last: Number(metric.last),
      min: Number(metric.min),
      max: Number(metric.max),
      count: Number(metric.count),
    })),
    createdAt: toDate(row.created_at),
    startedAt: toDateOrNull(row.started_at),
    finishedAt: toDateOrNull(row.finished_at),
  }));
}

/** Every metric point of those of `runIds` that are runs of `pipeline` (optionally of one key). */
export async function metricSeries(
  client: SqlClient,
  pipeline: string,
  runIds: string[],
  key?: string,
): Promise<MetricRecord[]> {
  const params: unknown[] = [pipeline, runIds];
  if (key !== undefined) params.push(key);
  const { rows } = await client.query(
    `SELECT m.* FROM metrics m JOIN runs r ON r.id = m.run_id
      WHERE r.pipeline = $1 AND m.run_id = ANY($2::text[])${key === undefined ? '' : ' AND m.key = $3'}
      ORDER BY m.run_id, m.key, m.index NULLS FIRST, m.time`,
    params,
  );
  return rows.map(toMetric);
}
