/**
 * `sluice worker`: executes attempts that cluster schedulers queued in PostgreSQL.
 *
 * The loop claims leases in batches (`FOR UPDATE SKIP LOCKED`) while it has free slots,
 * sleeping on LISTEN between batches. Each lease is renewed by a heartbeat every third of
 * its length under its fencing token; a lease the heartbeat finds lost (expired and swept,
 * taken by another worker, or cancelled) stops its attempt. An attempt's model versions,
 * table rows, params and artifacts are recorded here under its execution key, then its
 * outcome is committed under the fence, batched with other outcomes: a worker that lost
 * its lease while paused or cut off cannot commit.
 *
 * The worker executes the project's code from its own checkout at the pipeline's path, and
 * refuses an attempt whose code hash differs from the one the scheduler prepared.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { SluiceError, newId, sha256, silentLogger, toSluiceError, type Logger } from '../core/index.js';
import type { LogStream, MetricPoint, StepRuntime } from '../runtime/index.js';
import type { Pipeline } from '../spec/index.js';
import {
  DISPATCH_CHANNEL,
  listen,
  type DispatchOutcome,
  type DispatchQueries,
  type Lease,
  type Listener,
  type RunRecord,
} from '../store/index.js';
import type { RunTracking, Tracking } from '../tracking/index.js';
import type { AttemptOutcome, AttemptPayload } from './dispatch-runtime.js';

/** Points of an attempt where a fault test may kill the worker (`SLUICE_FAULT_POINT`). */
export const FAULT_POINTS = [
  'before-user-code',
  'during-user-code',
  'before-commit',
  'during-commit',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

/** Options of {@link ClusterWorker}. */
export interface WorkerOptions {
  queries: DispatchQueries;
  databaseUrl: string;
  tracking: Tracking;
  runtimes: { ts: StepRuntime; command: StepRuntime };
  /** Attempts at once (default 4). */
  concurrency?: number;
  /** Where attempts get scratch folders. */
  scratchDir: string;
  /** Lease length (ms, default 10 s); renewed every third of it. */
  leaseMs?: number;
  /** How often the queue is polled besides notifications (ms, default 500). */
  pollMs?: number;
  /** Deliveries of an attempt before the sweeper fails it (default 3). */
  maxDeliveries?: number;
  logger?: Logger;
  /** Test hook: the worker kills itself (SIGKILL) the first time an attempt reaches this point. */
  faultPoint?: FaultPoint;
  /** Called for each attempt started and committed (progress lines). */
  onAttempt?(event: { type: 'start' | 'committed' | 'rejected' | 'lost'; lease: Lease }): void;
}

/** How long an outcome waits for others to commit with (ms). */
const COMMIT_WINDOW_MS = 2;
/** Most leases claimed by one statement. */
const MAX_CLAIM = 64;
/** Attempts shorter than this on average (ms) make the worker prefetch a full batch. */
const SHORT_ATTEMPT_MS = 20;

/** A run's context on this worker, loaded once per run. */
interface RunContext {
  run: RunRecord;
  pipeline: Pipeline;
  tracking: RunTracking;
}

interface Active {
  lease: Lease;
  controller: AbortController;
  lost: boolean;
}

/** A worker process's executor; see the module comment. */
export class ClusterWorker {
  readonly id: string;
  readonly #options: WorkerOptions;
  readonly #logger: Logger;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  /** Leases held: started, waiting in the backlog, or committing (what renewals cover). */
  readonly #active = new Map<number, Active>();
  readonly #backlog: Active[] = [];
  #running = 0;
  /** Moving average of attempt durations (ms), which sets how far ahead leases are claimed. */
  #attemptMs = SHORT_ATTEMPT_MS * 2;
  readonly #runs = new Map<string, Promise<RunContext>>();
  readonly #prepared = new Map<string, Promise<string>>();
  readonly #commandSteps = new Set<string>();
  readonly #commits: { outcome: DispatchOutcome; lease: Lease; resolve(): void }[] = [];
  readonly #startedAt = new Date();
  #committing: Promise<void> | undefined;
  #listener: Listener | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #stopping = false;
  #loop: Promise<void> | undefined;
  #done = 0;
  #rejected = 0;
  #faultFired = false;

  constructor(options: WorkerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger();
    this.#concurrency = options.concurrency ?? 4;
    this.#leaseMs = options.leaseMs ?? 10_000;
    this.id = `${hostname()}:${process.pid}:${newId().slice(0, 8)}`;
  }

  /** Attempts committed, and results refused because their lease was lost. */
  get counts(): { done: number; rejected: number; active: number } {
    return { done: this.#done, rejected: this.#rejected, active: this.#running };
  }

  /** Registers the worker and starts claiming. */
  async start(): Promise<void> {
    await this.#beat();
    this.#listener = await listen({
      url: this.#options.databaseUrl,
      channels: [DISPATCH_CHANNEL],
      onNotify: () => this.#wake?.(),
      onReconnect: () => this.#wake?.(),
      logger: this.#logger,
    });
    this.#heartbeat = setInterval(() => void this.#renew(), Math.max(50, Math.floor(this.#leaseMs / 3)));
    this.#loop = this.#run();
  }

  /**
   * Stops claiming, lets running attempts finish within `graceMs` (then stops them; their
   * leases expire and other workers take them), and deregisters.
   */
  async stop(graceMs = 30_000): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    const deadline = Date.now() + graceMs;
    while (this.#active.size > 0 && Date.now() < deadline) await sleep(20);
    for (const active of this.#active.values()) active.controller.abort();
    while (this.#active.size > 0) await sleep(20);
    await this.#committing;
    clearInterval(this.#heartbeat);
    await rm(this.#options.scratchDir, { recursive: true, force: true }).catch(() => undefined);
    await this.#listener?.close();
    await this.#beat(true).catch(() => undefined);
  }

  async #run(): Promise<void> {
    let sweptAt = 0;
    while (!this.#stopping) {
      // NOTE: leases beyond the free slots are prefetched, so a freed slot refills without a
      // round trip to the server: as many again as the slots, or eight times as many while
      // attempts are short (a hoarded backlog of short attempts delays other workers little).
      const prefetch =
        this.#attemptMs < SHORT_ATTEMPT_MS ? Math.min(MAX_CLAIM, this.#concurrency * 8) : this.#concurrency;
      // Claims top the backlog up once it is half spent, in one statement, not per attempt.
      const stocked = this.#backlog.length > prefetch / 2;
      const want = stocked ? 0 : this.#concurrency + prefetch - this.#running - this.#backlog.length;
      let claimed: Lease[] = [];
      if (want > 0) {
        try {
          if (Date.now() - sweptAt > this.#leaseMs) {
            sweptAt = Date.now();
            await this.#options.queries.sweep(this.#options.maxDeliveries ?? 3, 600_000);
          }
          claimed = await this.#options.queries.claim(this.id, Math.min(want, MAX_CLAIM), this.#leaseMs);
        } catch (error) {
          this.#logger.warn({ err: error }, 'claiming attempts failed; retrying');
          await sleep(500);
          continue;
        }
      }
      for (const lease of claimed) {
        const active: Active = { lease, controller: new AbortController(), lost: false };
        this.#active.set(lease.id, active);
        this.#backlog.push(active);
      }
      this.#drain();
      if (claimed.length > 0 && claimed.length === Math.min(want, MAX_CLAIM)) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#options.pollMs ?? 500);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = undefined;
          resolve();
        };
      });
    }
    // Leases claimed but not started go back to the queue at once instead of expiring.
    const unstarted = this.#backlog.splice(0);
    for (const active of unstarted) this.#active.delete(active.lease.id);
    await this.#options.queries
      .release(unstarted.map((active) => ({ id: active.lease.id, fence: active.lease.fence })))
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'releasing unstarted leases failed'));
  }

  /** Starts backlog attempts while slots are free. */
  #drain(): void {
    while (this.#running < this.#concurrency && this.#backlog.length > 0 && !this.#stopping) {
      const active = this.#backlog.shift()!;
      if (active.lost) {
        this.#active.delete(active.lease.id);
        continue;
      }
      this.#execute(active);
    }
  }

  #execute(active: Active): void {
    const { lease } = active;
    this.#running += 1;
    this.#options.onAttempt?.({ type: 'start', lease });
    const started = performance.now();
    void this.#attempt(active)
      .then(async (outcome) => {
        this.#attemptMs = 0.7 * this.#attemptMs + 0.3 * (performance.now() - started);
        // The slot is free once the attempt ended; its commit goes on beside the next one.
        this.#running -= 1;
        this.#drain();
        this.#wake?.();
        if (active.lost) {
          this.#rejected += 1;
          this.#options.onAttempt?.({ type: 'lost', lease });
          this.#logger.warn(
            { lease: lease.id, step: lease.step, datum: lease.datum },
            'lease lost before the attempt ended; its result is discarded',
          );
          return;
        }
        if (!outcome) return;
        this.#fault('before-commit');
        await this.#commit({ id: lease.id, fence: lease.fence, ...outcome }, lease);
      })
      .catch((error: unknown) =>
        this.#logger.error({ err: error, lease: lease.id }, 'attempt bookkeeping failed'),
      )
      .finally(() => {
        this.#active.delete(lease.id);
      });
  }

  /** Executes one leased attempt; resolves to the outcome to commit (none: left to expire). */
  async #attempt({ lease, controller }: Active): Promise<Omit<DispatchOutcome, 'id' | 'fence'> | undefined> {
    const logs: [LogStream, string][] = [];
    const metrics: MetricPoint[] = [];
    const payload = lease.payload as AttemptPayload;
    const scratchDir = join(
      this.#options.scratchDir,
      lease.runId,
      lease.step,
      lease.datum ? sha256(lease.datum).slice(0, 16) : '_',
      `${lease.attempt}-${lease.fence}`,
    );
    try {
      const context = await this.#runContext(lease.runId);
      const step = context.pipeline.steps[lease.step];
      if (!step)
        throw new SluiceError(
          'STEP_FAILED',
          `pipeline '${context.pipeline.name}' has no step '${lease.step}'`,
        );
      const runtime = step.run.kind === 'ts' ? this.#options.runtimes.ts : this.#options.runtimes.command;
      if (step.run.kind === 'command') this.#commandSteps.add(`${lease.runId}\0${lease.step}`);
      const codeHash = await this.#prepare(runtime, context.pipeline, lease.step);
      if (codeHash !== payload.codeHash) {
        throw new SluiceError(
          'STEP_FAILED',
          `worker ${this.id} has other code for step '${lease.step}' than its scheduler (code hash ${codeHash.slice(0, 12)} here, ${payload.codeHash.slice(0, 12)} there): deploy the same project version under ${payload.pipelineDir} on every worker`,
        );
      }
      const tracking = context.tracking.attempt(step, lease.datum, scratchDir);
      const given = await context.tracking.withModels(step, payload.inputs, payload.params);
      this.#fault('before-user-code');
      if (this.#options.faultPoint === 'during-user-code' && !this.#faultFired) {
        setTimeout(() => this.#fault('during-user-code'), 100).unref();
      }
      const result = await runtime.execute({
        runId: lease.runId,
        step,
        pipelineDir: payload.pipelineDir,
        datum: lease.datum,
        attempt: lease.attempt,
        inputs: given.inputs,
        params: given.params,
        scratchDir,
        log: (stream, line) => logs.push([stream, line]),
        metric: (point) => metrics.push(point),
        signal: controller.signal,
        tracking,
        ...(payload.execKey ? { execKey: payload.execKey } : {}),
      });
      const execKey = payload.execKey ?? sha256(`${lease.runId}\n${lease.step}\n${lease.datum}`);
      await tracking.commit(execKey);
      const outcome: AttemptOutcome = { outputs: result.outputs, logs, metrics, worker: this.id };
      return { state: 'done', result: outcome };
    } catch (error) {
      const failure = toSluiceError(error);
      // The store failed, not the step (a restart, a cut): the lease is left to expire, and
      // the attempt is delivered again instead of being recorded as the step's failure.
      if (failure.code === 'STORE') {
        this.#logger.warn(
          { err: failure, lease: lease.id },
          'the store failed during the attempt; it will be delivered again',
        );
        return undefined;
      }
      const outcome: AttemptOutcome = { error: failure.toJSON(), logs, metrics, worker: this.id };
      return { state: 'failed', result: outcome };
    } finally {
      // NOTE: as in the engine: a command attempt always has a scratch folder, a TS attempt
      // frees its own; the rest goes with the run's folder when the worker forgets the run.
      if (this.#commandSteps.has(`${lease.runId}\0${lease.step}`))
        await rm(scratchDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Commits an outcome with others ending at the same time; resolves once decided. */
  #commit(outcome: DispatchOutcome, lease: Lease): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#commits.push({ outcome, lease, resolve });
      if (!this.#committing) this.#committing = this.#flushCommits();
    });
  }

  async #flushCommits(): Promise<void> {
    // NOTE: outcomes ending within a couple of milliseconds share one statement; with no
    // other attempt running, none is coming, and the commit goes at once.
    await new Promise((resolve) =>
      this.#running > 0 ? setTimeout(resolve, COMMIT_WINDOW_MS) : setImmediate(resolve),
    );
    while (this.#commits.length > 0) {
      const batch = this.#commits.splice(0, 256);
      let accepted = new Set<number>();
      for (let tries = 0; ; tries += 1) {
        try {
          accepted = await this.#options.queries.commit(
            batch.map((item) => item.outcome),
            this.#options.faultPoint === 'during-commit' && !this.#faultFired
              ? () => this.#fault('during-commit')
              : undefined,
          );
          break;
        } catch (error) {
          // NOTE: the server may be restarting; the lease, not this loop, bounds the wait.
          if (tries >= 20) {
            this.#logger.error({ err: error }, 'cannot commit outcomes; their leases will expire');
            break;
          }
          await sleep(250);
        }
      }
      for (const item of batch) {
        if (accepted.has(item.outcome.id)) {
          this.#done += 1;
          this.#options.onAttempt?.({ type: 'committed', lease: item.lease });
        } else {
          this.#rejected += 1;
          this.#options.onAttempt?.({ type: 'rejected', lease: item.lease });
          this.#logger.warn(
            { lease: item.outcome.id, fence: item.outcome.fence },
            'commit refused: the lease expired or was taken over; another worker owns the attempt',
          );
        }
        item.resolve();
      }
    }
    this.#committing = undefined;
  }

  /** Renews held leases; a lease lost stops its attempt. */
  async #renew(): Promise<void> {
    const held = [...this.#active.values()].filter((active) => !active.lost);
    try {
      const renewed = await this.#options.queries.renew(
        held.map((active) => ({ id: active.lease.id, fence: active.lease.fence })),
        this.#leaseMs,
      );
      for (const active of held) {
        if (renewed.has(active.lease.id) || !this.#active.has(active.lease.id)) continue;
        active.lost = true;
        active.controller.abort();
      }
      await this.#beat();
    } catch (error) {
      this.#logger.warn({ err: error }, 'lease renewal failed; retrying');
    }
  }

  #beat(stopped = false): Promise<void> {
    return this.#options.queries.heartbeatWorker({
      id: this.id,
      host: hostname(),
      pid: process.pid,
      concurrency: this.#concurrency,
      startedAt: this.#startedAt,
      done: this.#done,
      rejected: this.#rejected,
      stopped,
    });
  }

  #runContext(runId: string): Promise<RunContext> {
    let context = this.#runs.get(runId);
    if (!context) {
      context = (async () => {
        const stored = await this.#options.queries.getRun(runId);
        if (!stored) throw new SluiceError('RUN_NOT_FOUND', `run ${runId} was not registered for dispatch`);
        const run = reviveRun(stored.run as Record<string, unknown>);
        const pipeline = stored.pipeline as Pipeline;
        const scratch = join(this.#options.scratchDir, runId);
        return { run, pipeline, tracking: this.#options.tracking.forRun(run, pipeline, scratch) };
      })();
      this.#runs.set(runId, context);
      context.catch(() => this.#runs.delete(runId));
      // NOTE: contexts are small; a long-lived worker forgets the oldest runs, and their scratch.
      if (this.#runs.size > 256) {
        const oldest = this.#runs.keys().next().value as string;
        this.#runs.delete(oldest);
        void rm(join(this.#options.scratchDir, oldest), { recursive: true, force: true }).catch(
          () => undefined,
        );
      }
    }
    return context;
  }

  #prepare(runtime: StepRuntime, pipeline: Pipeline, stepName: string): Promise<string> {
    const step = pipeline.steps[stepName]!;
    const key = `${pipeline.dir}\0${JSON.stringify(step.run)}`;
    let prepared = this.#prepared.get(key);
    if (!prepared) {
      prepared = runtime.prepare(step, pipeline.dir).then((result) => result.codeHash);
      this.#prepared.set(key, prepared);
      // A failed prepare (code missing on this machine) is tried again by the next attempt.
      prepared.catch(() => this.#prepared.delete(key));
      // NOTE: code changes between runs; entries expire so a redeployed checkout is seen.
      setTimeout(() => this.#prepared.delete(key), 5000).unref();
    }
    return prepared;
  }

  #fault(point: FaultPoint): void {
    if (this.#options.faultPoint !== point || this.#faultFired) return;
    this.#faultFired = true;
    process.kill(process.pid, 'SIGKILL');
  }
}

/** A run record read back from JSON (dates are strings there). */
function reviveRun(json: Record<string, unknown>): RunRecord {
  const date = (value: unknown): Date | null => (value ? new Date(String(value)) : null);
  return {
    ...(json as unknown as RunRecord),
    createdAt: date(json.createdAt) ?? new Date(),
    startedAt: date(json.startedAt),
    finishedAt: date(json.finishedAt),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
