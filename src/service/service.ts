/**
 * The long-running service (`sluice dev`, `sluice server`): a queue of runs of registered
 * pipelines and the triggers that fill it — cron ticks, commits, upstream successes (fan-in)
 * and launches from the API.
 *
 * Queued runs are run records with status `queued`; they outlive the process, and the next
 * service starts them. The scheduler starts a queued run when the global limit, the
 * pipeline's `max_active_runs`, its pool and (for backfills) the backfill's limit allow,
 * oldest first; a run held back by its own limits does not hold back others.
 */
import { EventEmitter } from 'node:events';
import { SluiceError, newId, silentLogger, toSluiceError, type Logger } from '../core/index.js';
import type { Engine, RunHandle } from '../engine/index.js';
import { resolveParams, type Pipeline } from '../spec/index.js';
import type { CommitRecord, MetadataStore, PipelineRecord, RunRecord, RunTrigger } from '../store/index.js';
import { loadRegistered, repoBranch, triggeredByCommit } from '../triggers/index.js';
import { CronTimers, scheduleKey, schedulesOf, ticksToCatchUp, type Schedule } from './cron.js';
import type { LaunchRequest, RunLauncher } from './types.js';

/** Options of {@link Service}. */
export interface ServiceOptions {
  store: MetadataStore;
  engine: Engine;
  logger?: Logger;
  /** Runs executing at once across all pipelines (default 4). */
  maxActiveRuns?: number;
  /** Named pools: runs of pipelines naming a pool take one of its slots. */
  pools?: Record<string, number>;
  /** Arm cron schedules and catch up missed ticks (default true; false for one-off commands). */
  schedule?: boolean;
  /** Start runs interrupted by a previous shutdown or crash again (default true). */
  resume?: boolean;
  /**
   * Housekeeping run after each successful run and every `maintenanceMs` (the model
   * registry's retention rules); its failures are logged, never fatal.
   */
  maintenance?: () => Promise<unknown>;
  /** How often {@link ServiceOptions.maintenance} runs besides after runs (default 1 hour). */
  maintenanceMs?: number;
}

/** What the service tells listeners (the API's event stream, tests). */
export type ServiceEvent =
  | { type: 'queued'; run: RunRecord }
  | { type: 'started'; runId: string; pipeline: string }
  | { type: 'finished'; run: RunRecord };

/** A registered pipeline with its loaded spec. */
interface Registered {
  record: PipelineRecord;
  pipeline: Pipeline;
}

/** Resume only runs interrupted this recently: older ones are history, not work. */
const RESUME_WINDOW_MS = 24 * 3600_000;
/** Longest chain of pipelines triggering each other through output commits. */
const MAX_TRIGGER_DEPTH = 16;

/** The scheduler; see the module comment. */
export class Service implements RunLauncher {
  readonly events = new EventEmitter<{ event: [ServiceEvent] }>();
  readonly #store: MetadataStore;
  readonly #engine: Engine;
  readonly #logger: Logger;
  readonly #maxActive: number;
  readonly #pools: Record<string, number>;
  readonly #options: ServiceOptions;
  readonly #queue: RunRecord[] = [];
  readonly #running = new Map<string, { run: RunRecord; pipeline: Pipeline; handle?: RunHandle }>();
  readonly #backfillLimits = new Map<string, number>();
  readonly #commitDepth = new Map<string, number>();
  readonly #warnedPools = new Set<string>();
  #registered = new Map<string, Registered>();
  #cron: CronTimers;
  #stopping = false;
  #maintenanceTimer: NodeJS.Timeout | undefined;
  #idle: (() => void)[] = [];
  /** Serialises trigger handling so that two events never launch the same fan-in twice. */
  #triggerChain: Promise<void> = Promise.resolve();

  constructor(options: ServiceOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#engine = options.engine;
    this.#logger = options.logger ?? silentLogger();
    this.#maxActive = options.maxActiveRuns ?? 4;
    this.#pools = options.pools ?? {};
    this.#cron = new CronTimers((schedule, tick) => this.#serially(() => this.#cronTick(schedule, tick)));
  }

  /** Loads registered pipelines, resumes interrupted runs, catches up cron ticks, starts queued runs. */
  async start(): Promise<void> {
    await this.reload();
    const queued = await this.#store.listRuns({ status: 'queued', limit: 100_000 });
    this.#queue.push(...queued.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()));
    if (this.#options.resume !== false) await this.#resumeInterrupted();
    if (this.#options.schedule !== false) await this.#catchUp(new Date());
    if (this.#options.maintenance) {
      this.#maintenanceTimer = setInterval(
        () => void this.#maintain(),
        this.#options.maintenanceMs ?? 3600_000,
      );
      this.#maintenanceTimer.unref();
      await this.#maintain();
    }
    this.#pump();
  }

  async #maintain(): Promise<void> {
    try {
      await this.#options.maintenance?.();
    } catch (error) {
      this.#logger.error({ err: error }, 'maintenance (model retention) failed');
    }
  }

  /** Re-reads the registered pipelines (after `pipeline create/update/delete`) and re-arms cron. */
  async reload(): Promise<void> {
    const records = await this.#store.repos.listPipelines();
    const registered = new Map<string, Registered>();
    for (const record of records) {
      try {
        registered.set(record.name, { record, pipeline: await loadRegistered(record) });
      } catch (error) {
        this.#logger.error({ err: error, pipeline: record.name }, 'registered pipeline cannot be loaded');
      }
    }
    this.#registered = registered;
    if (this.#options.schedule !== false && !this.#stopping) {
      this.#cron.set([...registered.values()].flatMap(({ pipeline }) => schedulesOf(pipeline)));
    }
  }

  /** The registered pipelines this service runs, by name. */
  pipelines(): ReadonlyMap<string, Registered> {
    return this.#registered;
  }

  /** Queued runs, oldest first, and running ones. */
  status(): { queued: RunRecord[]; running: RunRecord[]; maxActiveRuns: number } {
    return {
      queued: [...this.#queue],
      running: [...this.#running.values()].map(({ run }) => run),
      maxActiveRuns: this.#maxActive,
    };
  }

  async launch(request: LaunchRequest & { id?: string }): Promise<RunRecord> {
    if (this.#stopping) throw new SluiceError('USAGE', 'the service is shutting down; no new runs start');
    const { record, pipeline } = await this.#require(request.pipeline);
    const run: RunRecord = {
      id: request.id ?? newId(),
      pipeline: pipeline.name,
      pipelineVersion: record.pipelineVersion,
      specFile: pipeline.file ?? null,
      params: resolveParams(pipeline, request.params ?? {}),
      status: 'queued',
      desiredOutputs: pipeline.outputs,
      outputs: null,
      error: null,
      pid: null,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
      inputCommits: request.inputCommits ?? [],
      outputCommit: null,
      trigger: request.trigger ?? { kind: 'manual' },
    };
    await this.#store.write({ runs: [run] });
    this.#queue.push(run);
    this.events.emit('event', { type: 'queued', run });
    this.#pump();
    return run;
  }

  async cancel(runId: string): Promise<RunRecord> {
    const run = await this.#store.findRun(runId);
    if (!run) throw new SluiceError('RUN_NOT_FOUND', `no run has id '${runId}'`);
    const index = this.#queue.findIndex((queued) => queued.id === run.id);
    if (index >= 0) {
      this.#queue.splice(index, 1);
      const cancelled: RunRecord = {
        ...run,
        status: 'cancelled',
        finishedAt: new Date(),
        error: { code: 'RUN_CANCELLED', message: 'cancelled while queued' },
      };
      await this.#store.write({ runs: [cancelled] });
      this.events.emit('event', { type: 'finished', run: cancelled });
      this.#wakeIdle();
      return cancelled;
    }
    const handle = this.#running.get(run.id)?.handle ?? this.#engine.active().get(run.id);
    if (!handle) {
      throw new SluiceError(
        'USAGE',
        `run ${run.id} is ${run.status}, not queued or running; nothing to cancel`,
      );
    }
    handle.cancel('cancelled by a user');
    return handle.result;
  }

  async retry(runId: string): Promise<RunRecord> {
    const run = await this.#store.findRun(runId);
    if (!run) throw new SluiceError('RUN_NOT_FOUND', `no run has id '${runId}'`);
    return this.launch({
      pipeline: run.pipeline,
      params: run.params,
      inputCommits: run.inputCommits,
      trigger: { kind: 'retry', runId: run.id },
    });
  }

  notifyCommits(commits: CommitRecord[]): void {
    for (const commit of commits) void this.#serially(() => this.#commitTriggers(commit));
  }

  /** Queues one run per item of a backfill, of which at most `concurrency` run at once. */
  async queueBackfill(
    requests: LaunchRequest[],
    concurrency: number,
  ): Promise<{ id: string; runs: RunRecord[] }> {
    const id = newId();
    this.#backfillLimits.set(id, Math.max(1, concurrency));
    const runs: RunRecord[] = [];
    for (const request of requests) {
      const trigger =
        request.trigger?.kind === 'backfill' ? { ...request.trigger, backfill: id } : request.trigger;
      runs.push(await this.launch({ ...request, ...(trigger ? { trigger } : {}) }));
    }
    return { id, runs };
  }

  /** Resolves once nothing is queued, running or about to be triggered (tests, one-off commands). */
  async idle(): Promise<void> {
    for (;;) {
      const chain = this.#triggerChain;
      await chain;
      if (this.#queue.length === 0 && this.#running.size === 0 && chain === this.#triggerChain) return;
      await new Promise<void>((resolve) => {
        this.#idle.push(resolve);
        setTimeout(resolve, 50).unref();
      });
    }
  }

  /**
   * Stops: no new runs start; running ones get `graceMs` to finish, then are stopped and
   * recorded `interrupted` (the next service starts them again). Queued runs stay queued.
   */
  async stop(graceMs = 30_000): Promise<void> {
    this.#stopping = true;
    this.#cron.stop();
    clearInterval(this.#maintenanceTimer);
    await this.#triggerChain;
    const results = () => Promise.all([...this.#running.values()].map(({ handle }) => handle?.result));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([results(), graceOver]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      for (const { handle } of this.#running.values())
        handle?.cancel('the service shut down before the run ended', 'interrupted');
      await results();
    }
    // A run whose start was under way when stopping began has now settled too.
    while (this.#running.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  async #require(name: string): Promise<Registered> {
    const known = this.#registered.get(name);
    const record = await this.#store.repos.getPipeline(name);
    if (!record) {
      throw new SluiceError(
        'PIPELINE_NOT_FOUND',
        `no pipeline '${name}' is registered; register it with \`sluice pipeline create FILE\``,
      );
    }
    if (known && known.record.version === record.version) return known;
    const registered = { record, pipeline: await loadRegistered(record) };
    this.#registered.set(name, registered);
    return registered;
  }

  #serially(task: () => Promise<void>): Promise<void> {
    this.#triggerChain = this.#triggerChain.then(task).catch((error: unknown) => {
      this.#logger.error({ err: error }, 'a trigger failed');
    });
    return this.#triggerChain;
  }

  #pump(): void {
    if (this.#stopping) return;
    for (let index = 0; index < this.#queue.length && this.#running.size < this.#maxActive;) {
      const run = this.#queue[index]!;
      const registered = this.#registered.get(run.pipeline);
      if (registered && this.#mayStart(run, registered.pipeline)) {
        this.#queue.splice(index, 1);
        this.#running.set(run.id, { run, pipeline: registered.pipeline });
        void this.#start(run, registered);
      } else if (!registered) {
        this.#queue.splice(index, 1);
        void this.#failQueued(
          run,
          new SluiceError('PIPELINE_NOT_FOUND', `pipeline '${run.pipeline}' is no longer registered`),
        );
      } else {
        index += 1;
      }
    }
    this.#wakeIdle();
  }

  #mayStart(run: RunRecord, pipeline: Pipeline): boolean {
    const active = [...this.#running.values()];
    const { maxActiveRuns, pool } = pipeline.concurrency;
    if (
      maxActiveRuns !== undefined &&
      active.filter((item) => item.run.pipeline === run.pipeline).length >= maxActiveRuns
    )
      return false;
    if (pool !== undefined) {
      const size = this.#pools[pool];
      if (size === undefined) {
        if (!this.#warnedPools.has(pool)) {
          this.#warnedPools.add(pool);
          this.#logger.warn(
            { pool, pipeline: pipeline.name },
            'pipeline names a pool the service does not define; only the global limit applies',
          );
        }
      } else if (active.filter((item) => item.pipeline.concurrency.pool === pool).length >= size) {
        return false;
      }
    }
    if (run.trigger?.kind === 'backfill') {
      const backfill = run.trigger.backfill;
      const limit = this.#backfillLimits.get(backfill) ?? 1;
      const inBackfill = active.filter(
        (item) => item.run.trigger?.kind === 'backfill' && item.run.trigger.backfill === backfill,
      ).length;
      if (inBackfill >= limit) return false;
    }
    return true;
  }

  async #start(run: RunRecord, { record, pipeline }: Registered): Promise<void> {
    let handle: RunHandle;
    try {
      handle = await this.#engine.startRun(pipeline, {
        runId: run.id,
        createdAt: run.createdAt,
        params: run.params,
        trigger: run.trigger ?? { kind: 'manual' },
        registeredVersion: record.version,
        ...(run.inputCommits.length > 0 ? { inputCommits: run.inputCommits } : {}),
      });
    } catch (error) {
      this.#running.delete(run.id);
      await this.#failQueued(run, error);
      this.#pump();
      return;
    }
    const slot = this.#running.get(run.id);
    if (slot) slot.handle = handle;
    this.events.emit('event', { type: 'started', runId: run.id, pipeline: run.pipeline });
    const finished = await handle.result;
    if (!this.#stopping && finished.status === 'succeeded') {
      void this.#serially(() => this.#afterTriggers(finished));
      if (this.#options.maintenance) void this.#serially(() => this.#maintain());
      if (finished.outputCommit) {
        const commit = await this.#store.repos.getCommit(finished.outputCommit);
        const depth = (this.#runDepth(finished) ?? 0) + 1;
        if (commit && depth < MAX_TRIGGER_DEPTH) {
          this.#commitDepth.set(commit.id, depth);
          this.notifyCommits([commit]);
        }
      }
    }
    // The slot is freed only now, so that idle() never sees a gap before triggered runs queue.
    this.#running.delete(run.id);
    this.events.emit('event', { type: 'finished', run: finished });
    this.#pump();
  }

  #runDepth(run: RunRecord): number | undefined {
    return run.trigger?.kind === 'commit' ? this.#commitDepth.get(run.trigger.commit) : undefined;
  }

  /** Records a queued run that could not start (its spec is gone, its data is missing) as failed. */
  async #failQueued(run: RunRecord, error: unknown): Promise<void> {
    const failed: RunRecord = {
      ...run,
      status: 'failed',
      finishedAt: new Date(),
      error: toSluiceError(error).toJSON(),
    };
    await this.#store.write({ runs: [failed] });
    this.events.emit('event', { type: 'finished', run: failed });
    this.#wakeIdle();
  }

  #wakeIdle(): void {
    if (this.#queue.length > 0 || this.#running.size > 0) return;
    const waiting = this.#idle;
    this.#idle = [];
    for (const resolve of waiting) resolve();
  }

  /** Triggered runs take every param's default (a `logical_date` param gets the tick). */
  #launchTriggered(pipeline: Pipeline, trigger: RunTrigger, id?: string): Promise<RunRecord | undefined> {
    const params: Record<string, unknown> = {};
    if (
      'logical_date' in pipeline.params &&
      (trigger.kind === 'cron' || trigger.kind === 'backfill') &&
      trigger.tick
    )
      params.logical_date = trigger.tick;
    return this.launch({ pipeline: pipeline.name, params, trigger, ...(id ? { id } : {}) }).catch(
      (error: unknown) => {
        this.#logger.error(
          { err: error, pipeline: pipeline.name, trigger },
          'a triggered run could not be queued',
        );
        return undefined;
      },
    );
  }

  async #commitTriggers(commit: CommitRecord): Promise<void> {
    const source = repoBranch(commit.repo, commit.branch);
    for (const { record, pipeline } of this.#registered.values()) {
      if (!record.inputRepos.includes(source) || record.name === commit.repo) continue;
      if (!triggeredByCommit(pipeline, commit.repo)) continue;
      await this.#launchTriggered(pipeline, {
        kind: 'commit',
        repo: commit.repo,
        branch: commit.branch,
        commit: commit.id,
      });
    }
  }

  async #cronTick(schedule: Schedule, tick: Date): Promise<void> {
    const registered = this.#registered.get(schedule.pipeline);
    if (!registered || this.#stopping) return;
    const id = newId();
    const claimed = await this.#store.schedules.claimTick(schedule.pipeline, scheduleKey(schedule), tick, id);
    if (!claimed) return;
    await this.#launchTriggered(
      registered.pipeline,
      { kind: 'cron', schedule: scheduleKey(schedule), tick: tick.toISOString() },
      id,
    );
  }

  /** Starts the ticks missed while no service ran, by each schedule's catch-up policy. */
  async #catchUp(now: Date): Promise<void> {
    for (const { record, pipeline } of this.#registered.values()) {
      for (const schedule of schedulesOf(pipeline)) {
        const last =
          (await this.#store.schedules.lastTick(pipeline.name, scheduleKey(schedule))) ?? record.createdAt;
        for (const tick of ticksToCatchUp(schedule, last, now)) await this.#cronTick(schedule, tick);
      }
    }
  }

  /**
   * After `run` succeeded: every pipeline whose `after` lists its pipeline starts once all
   * of its listed pipelines have succeeded since its last run so triggered (fan-in).
   */
  async #afterTriggers(run: RunRecord): Promise<void> {
    for (const { pipeline } of this.#registered.values()) {
      for (const trigger of pipeline.triggers) {
        if (trigger.kind !== 'after' || !trigger.pipelines.includes(run.pipeline)) continue;
        const recent = await this.#store.listRuns({ pipeline: pipeline.name, limit: 200 });
        const since = recent.find((item) => item.trigger?.kind === 'after')?.createdAt ?? new Date(0);
        const upstream: { pipeline: string; runId: string }[] = [];
        for (const name of trigger.pipelines) {
          const [latest] = await this.#store.listRuns({ pipeline: name, status: 'succeeded', limit: 1 });
          if (!latest?.finishedAt || latest.finishedAt <= since) break;
          upstream.push({ pipeline: name, runId: latest.id });
        }
        if (upstream.length === trigger.pipelines.length)
          await this.#launchTriggered(pipeline, { kind: 'after', runs: upstream });
      }
    }
  }

  /** Queues again the runs a shutdown or crash interrupted (each once). */
  async #resumeInterrupted(): Promise<void> {
    const recent = await this.#store.listRuns({ limit: 2000 });
    const resumed = new Set(
      recent.flatMap((run) => (run.trigger?.kind === 'resume' ? [run.trigger.runId] : [])),
    );
    const horizon = Date.now() - RESUME_WINDOW_MS;
    const interrupted = recent
      .filter(
        (run) => run.status === 'interrupted' && !resumed.has(run.id) && run.createdAt.getTime() > horizon,
      )
      .filter((run) => this.#registered.has(run.pipeline))
      .reverse();
    for (const run of interrupted) {
      this.#logger.info({ runId: run.id, pipeline: run.pipeline }, 'resuming an interrupted run');
      await this.launch({
        pipeline: run.pipeline,
        params: run.params,
        inputCommits: run.inputCommits,
        trigger: { kind: 'resume', runId: run.id },
      }).catch((error: unknown) => this.#logger.error({ err: error, runId: run.id }, 'cannot resume'));
    }
  }
}
