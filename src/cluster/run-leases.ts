/**
 * Run ownership among the processes executing runs on one PostgreSQL store (schedulers and
 * `sluice run`): each renews a lease on the runs its engine executes; a process whose lease
 * expired (killed, paused, cut off) loses its runs, and a scheduler's sweeper records them
 * `interrupted` (exactly once) so that one scheduler resumes each.
 */
import { silentLogger, type Logger } from '../core/index.js';
import type { Engine } from '../engine/index.js';
import { endUnfinishedWork, type SqlClient } from '../store/index.js';

/** Options of {@link RunLeaseKeeper}. */
export interface RunLeaseOptions {
  sql: SqlClient;
  engine: Engine;
  /** This process's owner name (host, pid and a random part). */
  owner: string;
  /** Lease length (ms, default 15 s); renewed every third of it. */
  leaseMs?: number;
  logger?: Logger;
}

/** Keeps the leases of the runs an engine executes; see the module comment. */
export class RunLeaseKeeper {
  /**
   * Set by a scheduler: expired leases of other owners are then swept, and the runs they
   * interrupted handed to it for resuming.
   */
  onOrphaned: ((runIds: string[]) => void) | undefined;
  readonly #options: RunLeaseOptions;
  readonly #leaseMs: number;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(options: RunLeaseOptions) {
    this.#options = options;
    this.#leaseMs = options.leaseMs ?? 15_000;
    this.#logger = options.logger ?? silentLogger();
  }

  get leaseMs(): number {
    return this.#leaseMs;
  }

  start(): void {
    this.#timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(this.#leaseMs / 3)));
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Claims a queued run for this process; false when another scheduler has it. */
  async claim(runId: string): Promise<boolean> {
    const { rows } = await this.#options.sql.query(
      `UPDATE runs SET owner = $2, lease_until = now() + make_interval(secs => $3::double precision / 1000)
        WHERE id = $1 AND status = 'queued' AND owner IS NULL
        RETURNING id`,
      [runId, this.#options.owner, this.#leaseMs],
    );
    return rows.length > 0;
  }

  /** Claims the resumption of an interrupted run; false when another scheduler resumes it. */
  async claimResume(runId: string): Promise<boolean> {
    const { rows } = await this.#options.sql.query(
      `UPDATE runs SET owner = $2 WHERE id = $1 AND status = 'interrupted' AND owner IS NULL RETURNING id`,
      [runId, `resumed by ${this.#options.owner}`],
    );
    return rows.length > 0;
  }

  /** Asks the owner of a run to cancel it; it does so at its next renewal. */
  async requestCancel(runId: string, reason: string): Promise<boolean> {
    const { rows } = await this.#options.sql.query(
      `UPDATE runs SET cancel_requested = $2 WHERE id = $1 AND status IN ('queued', 'running') RETURNING id`,
      [runId, reason],
    );
    return rows.length > 0;
  }

  /** Queued runs nobody claimed, oldest first. */
  async unclaimed(limit = 100): Promise<string[]> {
    const { rows } = await this.#options.sql.query<{ id: string }>(
      `SELECT id FROM runs WHERE status = 'queued' AND owner IS NULL ORDER BY created_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  /** One heartbeat: renew, obey cancel requests, give up runs taken over, sweep. */
  async tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await this.#renew();
      const onOrphaned = this.onOrphaned;
      if (onOrphaned) {
        const orphaned = await this.#sweep();
        if (orphaned.length > 0) {
          this.#logger.warn(
            { runs: orphaned },
            'runs whose owner stopped renewing its lease were interrupted',
          );
          onOrphaned(orphaned);
        }
      }
    } catch (error) {
      this.#logger.warn({ err: error }, 'run lease heartbeat failed; retrying');
    } finally {
      this.#busy = false;
    }
  }

  async #renew(): Promise<void> {
    const active = this.#options.engine.active();
    if (active.size === 0) return;
    const ids = [...active.keys()];
    // NOTE: a run started directly (`sluice run`) has no owner until its first renewal.
    const { rows } = await this.#options.sql.query<{ id: string; cancel_requested: string | null }>(
      `UPDATE runs SET owner = $2, lease_until = now() + make_interval(secs => $3::double precision / 1000)
        WHERE id = ANY($1::text[]) AND status IN ('queued', 'running') AND (owner IS NULL OR owner = $2)
        RETURNING id, cancel_requested`,
      [ids, this.#options.owner, this.#leaseMs],
    );
    const held = new Map(rows.map((row) => [row.id, row.cancel_requested]));
    for (const [id, handle] of active) {
      if (!held.has(id)) {
        // Recorded interrupted by a sweeper while this process stalled: another scheduler resumes it.
        const { rows: current } = await this.#options.sql.query<{ status: string }>(
          'SELECT status FROM runs WHERE id = $1',
          [id],
        );
        if (current[0] && current[0].status !== 'running' && current[0].status !== 'queued') {
          handle.cancel('its lease expired and another scheduler took the run over', 'interrupted');
        }
        continue;
      }
      const reason = held.get(id);
      if (reason) handle.cancel(reason);
    }
  }

  async #sweep(): Promise<string[]> {
    return this.#options.sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `UPDATE runs SET status = 'interrupted', owner = NULL, lease_until = NULL, finished_at = now(),
                error = jsonb_build_object('code', 'RUN_FAILED',
                  'message', 'its scheduler (' || owner || ') stopped renewing its lease before the run ended')
          WHERE owner IS NOT NULL AND status IN ('queued', 'running') AND lease_until < now()
          RETURNING id`,
      );
      const ids = rows.map((row) => row.id);
      await endUnfinishedWork(tx, ids);
      return ids;
    });
  }
}
