/** Queries of the service's cron ticks (migration 4). */
import type { SqlClient } from '../sql-client.js';
import type { ScheduleStore } from '../service-records.js';

/** The {@link ScheduleStore} over `client`. */
export function scheduleQueries(client: SqlClient): ScheduleStore {
  return {
    async claimTick(pipeline, schedule, tick, runId) {
      const { rows } = await client.query<{ run_id: string }>(
        `INSERT INTO cron_ticks (pipeline, schedule, tick, run_id, claimed_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (pipeline, schedule, tick) DO NOTHING RETURNING run_id`,
        [pipeline, schedule, tick, runId],
      );
      return rows.length === 1;
    },
    async lastTick(pipeline, schedule) {
      const { rows } = await client.query<{ tick: Date | null }>(
        'SELECT max(tick) AS tick FROM cron_ticks WHERE pipeline = $1 AND schedule = $2',
        [pipeline, schedule],
      );
      const tick = rows[0]?.tick;
      return tick ? new Date(tick) : undefined;
    },
  };
}
