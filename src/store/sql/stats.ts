/**
 * Aggregates read on every `/metrics` scrape and by the API: one GROUP BY or one ordered
 * range query each, so a scrape stays cheap however many runs the store holds.
 */
import type { FinishedSpan, StatsStore, StateCounts } from '../api-records.js';
import type { SqlClient } from '../sql-client.js';
import { experimentPipelines, experimentRuns, metricSeries } from './experiments.js';
import { toPipeline } from './pipelines.js';
import { runGrid } from './run-grid.js';
import { toDate } from './rows.js';

function counts(rows: Record<string, unknown>[]): StateCounts {
  const out: StateCounts = {};
  for (const row of rows) out[String(row.status)] = Number(row.count);
  return out;
}

function toSpan(row: Record<string, unknown>): FinishedSpan {
  return {
    pipeline: String(row.pipeline),
    step: row.step === undefined || row.step === null ? null : String(row.step),
    status: String(row.status),
    seconds: Math.max(0, Number(row.seconds)),
    finishedAt: toDate(row.finished_at),
  };
}

/** The stats queries over `client`. */
export function statsQueries(client: SqlClient): StatsStore {
  return {
    async runsByStatus() {
      const { rows } = await client.query('SELECT status, count(*) AS count FROM runs GROUP BY status');
      return counts(rows);
    },
    async tasksByStatus(runId) {
      const { rows } =
        runId === undefined
          ? await client.query('SELECT status, count(*) AS count FROM tasks GROUP BY status')
          : await client.query(
              'SELECT status, count(*) AS count FROM tasks WHERE run_id = $1 GROUP BY status',
              [runId],
            );
      return counts(rows);
    },
    async latestMetrics() {
      const { rows } = await client.query(
        `SELECT DISTINCT ON (r.pipeline, m.step, m.key) r.pipeline, m.step, m.key, m.value
           FROM metrics m JOIN runs r ON r.id = m.run_id
          ORDER BY r.pipeline, m.step, m.key, m.time DESC, m.index DESC NULLS LAST`,
      );
      return rows.map((row) => ({
        pipeline: String(row.pipeline),
        step: String(row.step),
        key: String(row.key),
        value: Number(row.value),
      }));
    },
    async finishedRuns(after, limit) {
      const { rows } = await client.query(
        `SELECT pipeline, NULL AS step, status, finished_at,
                extract(epoch FROM finished_at - coalesce(started_at, created_at)) AS seconds
           FROM runs WHERE finished_at > $1 ORDER BY finished_at LIMIT $2`,
        [after.toISOString(), limit],
      );
      return rows.map(toSpan);
    },
    async finishedTasks(after, limit) {
      const { rows } = await client.query(
        `SELECT r.pipeline, t.step, t.status, t.finished_at,
                extract(epoch FROM t.finished_at - t.started_at) AS seconds
           FROM tasks t JOIN runs r ON r.id = t.run_id
          WHERE t.finished_at > $1 AND t.started_at IS NOT NULL
          ORDER BY t.finished_at LIMIT $2`,
        [after.toISOString(), limit],
      );
      return rows.map(toSpan);
    },
    async pipelineVersions(name) {
      const { rows } = await client.query('SELECT * FROM pipelines WHERE name = $1 ORDER BY version DESC', [
        name,
      ]);
      return rows.map(toPipeline);
    },
    experimentPipelines: () => experimentPipelines(client),
    experimentRuns: (pipeline, limit) => experimentRuns(client, pipeline, limit),
    metricSeries: (pipeline, runIds, key) => metricSeries(client, pipeline, runIds, key),
    runGrid: (pipeline, limit) => runGrid(client, pipeline, limit),
  };
}
