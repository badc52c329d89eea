/**
 * SQL for cluster dispatch (migration 9): attempts queued for `sluice worker` processes as
 * `dispatch` rows, leased in batches with `FOR UPDATE SKIP LOCKED`, each lease carrying a
 * fencing token (`fence`) that renewals and the commit must present.
 *
 * Row states: `queued -> leased -> done | failed`, `queued | leased -> cancelled`, and
 * `leased -> queued` again when a lease expires (its worker died or stalled). Every
 * non-terminal state has a deadline that {@link DispatchQueries.sweep} enforces: a lease its
 * `lease_until`, a queued or leased row the life of its run.
 */
import type { SqlClient } from '../sql-client.js';

/** Workers are woken on this channel when attempts are queued. */
export const DISPATCH_CHANNEL = 'sluice_dispatch';
/**
 * Schedulers are told on this channel which rows finished: the payload is a JSON array of
 * `{ id, state, result }` when it fits, else their ids, comma-separated.
 */
export const DISPATCH_DONE_CHANNEL = 'sluice_dispatch_done';
/** Schedulers are woken on this channel when a run is queued. */
export const RUNS_CHANNEL = 'sluice_runs';

export type DispatchState = 'queued' | 'leased' | 'done' | 'failed' | 'cancelled';

/** One attempt to queue. */
export interface DispatchItem {
  runId: string;
  step: string;
  datum: string;
  attempt: number;
  payload: unknown;
}

/** A queued row as enqueueing found it (a row queued earlier, by a previous scheduler, may be finished). */
export interface DispatchRow {
  id: number;
  runId: string;
  step: string;
  datum: string;
  attempt: number;
  state: DispatchState;
  result: unknown;
}

/** A lease a worker holds. */
export interface Lease {
  id: number;
  fence: number;
  runId: string;
  step: string;
  datum: string;
  attempt: number;
  deliveries: number;
  payload: unknown;
}

/** An outcome a worker commits under its lease. */
export interface DispatchOutcome {
  id: number;
  fence: number;
  state: 'done' | 'failed';
  result: unknown;
}

/** What one sweep did. */
export interface SweepCounts {
  /** Expired leases put back in the queue. */
  requeued: number;
  /** Expired leases of attempts delivered too often, failed. */
  failed: number;
  /** Rows of runs that are no longer running, cancelled. */
  orphaned: number;
  /** Finished rows past retention, deleted. */
  deleted: number;
}

/** A registered worker, as `sluice workers` lists it. */
export interface WorkerRecord {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  startedAt: Date;
  heartbeatAt: Date;
  stoppedAt: Date | null;
  done: number;
  rejected: number;
  /** Leases it holds now. */
  leases: number;
}

function toDispatchRow(row: Record<string, unknown>): DispatchRow {
  return {
    id: Number(row.id),
    runId: String(row.run_id),
    step: String(row.step),
    datum: String(row.datum),
    attempt: Number(row.attempt),
    state: row.state as DispatchState,
    result: row.result ?? null,
  };
}

/** The dispatch queries over `client` (a PostgreSQL server). */
export function dispatchQueries(client: SqlClient) {
  return {
    /** Records what workers need to execute a run's attempts: its record and compiled pipeline. */
    async registerRun(runId: string, run: unknown, pipeline: unknown): Promise<void> {
      await client.query(
        `INSERT INTO dispatch_runs (run_id, run, pipeline) VALUES ($1, $2, $3)
         ON CONFLICT (run_id) DO UPDATE SET run = EXCLUDED.run, pipeline = EXCLUDED.pipeline`,
        [runId, JSON.stringify(run), JSON.stringify(pipeline)],
      );
    },

    async getRun(runId: string): Promise<{ run: unknown; pipeline: unknown } | undefined> {
      const { rows } = await client.query<{ run: unknown; pipeline: unknown }>(
        'SELECT run, pipeline FROM dispatch_runs WHERE run_id = $1',
        [runId],
      );
      return rows[0];
    },

    /**
     * Queues attempts (at most one item per attempt key) and wakes workers. An attempt queued
     * before (same run, step, datum and attempt) is not queued again: its row is returned as
     * it stands, so a caller waits for it instead of executing it twice.
     */
    async enqueue(items: DispatchItem[]): Promise<DispatchRow[]> {
      if (items.length === 0) return [];
      const records = items.map((item) => ({
        run_id: item.runId,
        step: item.step,
        datum: item.datum,
        attempt: item.attempt,
        payload: item.payload,
      }));
      const { rows } = await client.query<Record<string, unknown>>(
        `WITH queued AS (
           INSERT INTO dispatch (run_id, step, datum, attempt, payload, state)
           SELECT x.run_id, x.step, x.datum, x.attempt, x.payload, 'queued'
             FROM json_to_recordset($1::json) AS x(run_id text, step text, datum text, attempt integer, payload json)
           ON CONFLICT (run_id, step, datum, attempt) DO UPDATE SET attempt = EXCLUDED.attempt
           RETURNING id, run_id, step, datum, attempt, state, result)
         SELECT q.*, n.woken FROM queued q, (SELECT pg_notify('${DISPATCH_CHANNEL}', '') AS woken) n`,
        [JSON.stringify(records)],
      );
      return rows.map(toDispatchRow);
    },

    /**
     * Leases up to `limit` queued attempts to `worker` for `leaseMs`, oldest first. Rows
     * other workers are claiming are skipped, not waited for; each lease gets a new fence.
     */
    async claim(worker: string, limit: number, leaseMs: number): Promise<Lease[]> {
      const { rows } = await client.query<Record<string, unknown>>(
        `UPDATE dispatch d
            SET state = 'leased', worker = $1, fence = d.fence + 1, deliveries = d.deliveries + 1,
                lease_until = now() + make_interval(secs => $3::double precision / 1000)
          WHERE d.id IN (SELECT id FROM dispatch WHERE state = 'queued' ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING d.id, d.fence, d.run_id, d.step, d.datum, d.attempt, d.deliveries, d.payload`,
        [worker, limit, leaseMs],
      );
      return rows
        .map((row) => ({
          id: Number(row.id),
          fence: Number(row.fence),
          runId: String(row.run_id),
          step: String(row.step),
          datum: String(row.datum),
          attempt: Number(row.attempt),
          deliveries: Number(row.deliveries),
          payload: row.payload,
        }))
        .sort((a, b) => a.id - b.id);
    },

    /**
     * Extends leases still held under their fence; returns the ids renewed. A lease missing
     * from the answer is lost (expired and swept, re-leased, or its attempt cancelled).
     */
    async renew(leases: { id: number; fence: number }[], leaseMs: number): Promise<Set<number>> {
      if (leases.length === 0) return new Set();
      const { rows } = await client.query<{ id: number }>(
        `WITH locked AS (
           SELECT d.id FROM dispatch d JOIN unnest($1::bigint[], $2::bigint[]) AS h(id, fence)
               ON d.id = h.id AND d.fence = h.fence
            WHERE d.state = 'leased'
            ORDER BY d.id FOR UPDATE OF d)
         UPDATE dispatch d SET lease_until = now() + make_interval(secs => $3::double precision / 1000)
           FROM locked WHERE d.id = locked.id
          RETURNING d.id`,
        [leases.map((lease) => lease.id), leases.map((lease) => lease.fence), leaseMs],
      );
      return new Set(rows.map((row) => Number(row.id)));
    },

    /**
     * Commits outcomes, each only if its lease is still held under its fence and unexpired:
     * the fencing rule that keeps a stalled worker's late result out. Returns the ids
     * accepted and tells schedulers which rows finished. `whileCommitting` runs once the
     * statement is sent (fault tests).
     */
    async commit(outcomes: DispatchOutcome[], whileCommitting?: () => void): Promise<Set<number>> {
      if (outcomes.length === 0) return new Set();
      // NOTE: one statement (its own transaction): the update and the notification of the
      // rows it accepted commit together, in one round trip.
      const pending = client.query<{ ids: string | null }>(
        `WITH given AS (
           SELECT * FROM json_to_recordset($1::json) AS o(id bigint, fence bigint, state text, result json)),
         locked AS (
           SELECT d.id FROM dispatch d JOIN given o ON d.id = o.id AND d.fence = o.fence
            WHERE d.state = 'leased' AND d.lease_until >= now()
            ORDER BY d.id FOR UPDATE OF d),
         accepted AS (
           UPDATE dispatch d SET state = o.state, result = o.result, finished_at = now(), lease_until = NULL
             FROM given o, locked
            WHERE d.id = o.id AND d.id = locked.id
            RETURNING d.id),
         ids AS (SELECT string_agg(id::text, ',') AS ids FROM accepted),
         -- The outcomes themselves ride on the notification when they fit (8,000 bytes),
         -- sparing the scheduler a read: what a chain of short steps waits for.
         outcomes AS (
           SELECT json_agg(json_build_object('id', o.id, 'state', o.state, 'result', o.result))::text AS body
             FROM given o WHERE o.id IN (SELECT id FROM accepted))
         SELECT ids.ids, pg_notify('${DISPATCH_DONE_CHANNEL}',
                  CASE WHEN octet_length(outcomes.body) < 7900 THEN outcomes.body ELSE coalesce(ids.ids, '') END)
           FROM ids, outcomes`,
        [JSON.stringify(outcomes)],
      );
      // Fault tests stop the process here, with the commit sent and its outcome unknown.
      whileCommitting?.();
      const { rows } = await pending;
      const ids = rows[0]?.ids;
      return new Set(ids ? ids.split(',').map(Number) : []);
    },

    /** Gives leases back to the queue (a stopping worker's unstarted ones). */
    async release(leases: { id: number; fence: number }[]): Promise<void> {
      if (leases.length === 0) return;
      await client.transaction(async (tx) => {
        await tx.query(
          `UPDATE dispatch d SET state = 'queued', worker = NULL, lease_until = NULL, deliveries = d.deliveries - 1
             FROM unnest($1::bigint[], $2::bigint[]) AS h(id, fence)
            WHERE d.id = h.id AND d.fence = h.fence AND d.state = 'leased'`,
          [leases.map((lease) => lease.id), leases.map((lease) => lease.fence)],
        );
        await tx.query(`SELECT pg_notify('${DISPATCH_CHANNEL}', '')`);
      });
    },

    /** Finished rows among `ids` (what a scheduler waiting for them reads). */
    async finished(ids: number[]): Promise<DispatchRow[]> {
      if (ids.length === 0) return [];
      const { rows } = await client.query<Record<string, unknown>>(
        `SELECT id, run_id, step, datum, attempt, state, result FROM dispatch
          WHERE id = ANY($1::bigint[]) AND state IN ('done', 'failed', 'cancelled')`,
        [ids],
      );
      return rows.map(toDispatchRow);
    },

    /** Cancels attempts not finished yet (their workers stop them at their next renewal). */
    async cancel(ids: number[]): Promise<void> {
      if (ids.length === 0) return;
      await client.query(
        `UPDATE dispatch SET state = 'cancelled', finished_at = now(), lease_until = NULL
          WHERE id = ANY($1::bigint[]) AND state IN ('queued', 'leased')`,
        [ids],
      );
    },

    /**
     * Enforces the deadlines: expired leases go back to the queue, or fail with
     * `STEP_CRASHED` once delivered `maxDeliveries` times; rows of runs no longer running are
     * cancelled; finished rows older than `retentionMs` are deleted. Safe to run from every
     * scheduler and worker at once: each row changes state once.
     */
    async sweep(maxDeliveries: number, retentionMs: number): Promise<SweepCounts> {
      return client.transaction(async (tx) => {
        // NOTE: every statement that changes several rows locks them in id order (claims skip
        // locked rows), so two of them never wait on each other in a cycle (a deadlock).
        const requeued = await tx.query<{ id: number }>(
          `UPDATE dispatch SET state = 'queued', worker = NULL, lease_until = NULL
            WHERE id IN (SELECT id FROM dispatch WHERE state = 'leased' AND lease_until < now() AND deliveries < $1
                          ORDER BY id FOR UPDATE)
              AND state = 'leased' AND lease_until < now()
            RETURNING id`,
          [maxDeliveries],
        );
        const failed = await tx.query<{ id: number }>(
          `UPDATE dispatch SET state = 'failed', finished_at = now(), lease_until = NULL,
                  result = json_build_object('error', json_build_object(
                    'code', 'STEP_CRASHED',
                    'message', 'its worker stopped heartbeating ' || deliveries || ' times (killed, stalled or cut off); the attempt was given up'))
            WHERE id IN (SELECT id FROM dispatch WHERE state = 'leased' AND lease_until < now() AND deliveries >= $1
                          ORDER BY id FOR UPDATE)
              AND state = 'leased' AND lease_until < now()
            RETURNING id`,
          [maxDeliveries],
        );
        const orphaned = await tx.query<{ id: number }>(
          `UPDATE dispatch d SET state = 'cancelled', finished_at = now(), lease_until = NULL
            WHERE d.state IN ('queued', 'leased')
              AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = d.run_id AND r.status IN ('queued', 'running'))
              AND d.created_at < now() - interval '5 seconds'
            RETURNING d.id`,
        );
        const deleted = await tx.query<{ n: number }>(
          `WITH gone AS (
             DELETE FROM dispatch WHERE finished_at < now() - make_interval(secs => $1::double precision / 1000)
             RETURNING run_id)
           SELECT count(*)::int AS n FROM gone`,
          [retentionMs],
        );
        await tx.query(
          `DELETE FROM dispatch_runs dr WHERE dr.created_at < now() - make_interval(secs => $1::double precision / 1000)
             AND NOT EXISTS (SELECT 1 FROM dispatch d WHERE d.run_id = dr.run_id)`,
          [retentionMs],
        );
        if (requeued.rows.length > 0) await tx.query(`SELECT pg_notify('${DISPATCH_CHANNEL}', '')`);
        const ended = [...failed.rows, ...orphaned.rows].map((row) => Number(row.id));
        if (ended.length > 0) {
          await tx.query(`SELECT pg_notify('${DISPATCH_DONE_CHANNEL}', $1)`, [ended.join(',')]);
        }
        return {
          requeued: requeued.rows.length,
          failed: failed.rows.length,
          orphaned: orphaned.rows.length,
          deleted: Number(deleted.rows[0]?.n ?? 0),
        };
      });
    },

    /** Records a worker starting (or its heartbeat, with its counters). */
    async heartbeatWorker(worker: {
      id: string;
      host: string;
      pid: number;
      concurrency: number;
      startedAt: Date;
      done: number;
      rejected: number;
      stopped?: boolean;
    }): Promise<void> {
      await client.query(
        `INSERT INTO workers (id, host, pid, concurrency, started_at, heartbeat_at, stopped_at, done, rejected)
         VALUES ($1, $2, $3, $4, $5, now(), CASE WHEN $6 THEN now() END, $7, $8)
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = EXCLUDED.stopped_at,
           done = EXCLUDED.done, rejected = EXCLUDED.rejected`,
        [
          worker.id,
          worker.host,
          worker.pid,
          worker.concurrency,
          worker.startedAt,
          worker.stopped === true,
          worker.done,
          worker.rejected,
        ],
      );
    },

    /** Workers seen within `withinMs`, newest first, with the leases each holds. */
    async listWorkers(withinMs: number): Promise<WorkerRecord[]> {
      const { rows } = await client.query<Record<string, unknown>>(
        `SELECT w.*, (SELECT count(*)::int FROM dispatch d WHERE d.worker = w.id AND d.state = 'leased') AS leases
           FROM workers w
          WHERE w.heartbeat_at > now() - make_interval(secs => $1::double precision / 1000)
          ORDER BY w.started_at DESC`,
        [withinMs],
      );
      return rows.map((row) => ({
        id: String(row.id),
        host: String(row.host),
        pid: Number(row.pid),
        concurrency: Number(row.concurrency),
        startedAt: new Date(row.started_at as string),
        heartbeatAt: new Date(row.heartbeat_at as string),
        stoppedAt: row.stopped_at ? new Date(row.stopped_at as string) : null,
        done: Number(row.done),
        rejected: Number(row.rejected),
        leases: Number(row.leases),
      }));
    },
  };
}

/** The dispatch queries. */
export type DispatchQueries = ReturnType<typeof dispatchQueries>;
