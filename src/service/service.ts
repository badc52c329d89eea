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
import type { Repos } from '../data/index.js';
import type { Engine, RunHandle } from '../engine/index.js';
import { resolveParams, type Pipeline } from '../spec/index.js';
import type { CommitRecord, MetadataStore, RunRecord } from '../store/index.js';
import type { Topics } from '../streams/index.js';
import { loadRegistered } from '../triggers/index.js';
import { CronTimers, schedulesOf } from './cron.js';
import { TriggerHandlers, type Registered, type TriggerHost } from './trigger-handlers.js';
import { planBackfill } from './backfill.js';
import type { BackfillRequest, LaunchRequest, RunLauncher } from './types.js';

/** Options of {@link Service}. */
export interface ServiceOptions {
  store: MetadataStore;
  engine: Engine;
  /** Versioned data, for backfills over commit ranges. */
  repos?: Repos;
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
  /** Topics, for pipelines with `topic` triggers (started when their group has messages to take). */
  topics?: Topics;
  /** How often topic triggers look at their topics' lag (default 1 s). */
  topicPollMs?: number;
  /**
   * Cluster mode: run ownership shared with other schedulers on the same PostgreSQL store.
   * A queued run starts only once claimed here; queued runs others launched are picked up.
   */
  cluster?: ServiceCluster;
}

/** What a scheduler shares with the others in cluster mode (`RunLeaseKeeper` implements it). */
export interface ServiceCluster {
  claim(runId: string): Promise<boolean>;
  claimResume(runId: string): Promise<boolean>;
  requestCancel(runId: string, reason: string): Promise<boolean>;
  unclaimed(limit?: number): Promise<string[]>;
  /** How often queued runs of other schedulers are looked for (ms, default 500). */
  pollMs?: number;
}

/** What the service tells listeners (the API's event stream, tests). */
export type ServiceEvent =
  | { type: 'queued'; run: RunRecord }
  | { type: 'started'; runId: string; pipeline: string }
  | { type: 'finished'; run: RunRecord };

/** Longest chain of pipelines triggering each other through output commits. */
const MAX_TRIGGER_DEPTH = 16;

/** The scheduler; see the module comment. */
export class Service implements RunLauncher, TriggerHost {
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
  #topicTimer: NodeJS.Timeout | undefined;
  #adoptTimer: NodeJS.Timeout | undefined;
  #adopting = false;
  #idle: (() => void)[] = [];
  /** Serialises trigger handling so that two events never launch the same fan-in twice. */
  #triggerChain: Promise<void> = Promise.resolve();
  readonly #triggers = new TriggerHandlers(this);

  constructor(options: ServiceOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#engine = options.engine;
    this.#logger = options.logger ?? silentLogger();
    this.#maxActive = options.maxActiveRuns ?? 4;
    this.#pools = options.pools ?? {};
    this.#cron = new CronTimers((schedule, tick) =>
      this.#serially(() => this.#triggers.cronTick(schedule, tick)),
    );
  }

  /** Loads registered pipelines, resumes interrupted runs, catches up cron ticks, starts queued runs. */
  async start(): Promise<void> {
    await this.reload();
    // Runs launched before start() (`sluice dev` registers its folder first) are already in
    // hand, and may still read `queued` in the store while their start is under way.
    const inHand = new Set([...this.#queue.map((run) => run.id), ...this.#running.keys()]);
    const queued = await this.#store.listRuns({ status: 'queued', limit: 100_000 });
    this.#queue.push(
      ...queued
        .filter((run) => !inHand.has(run.id))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()),
    );
    if (this.#options.resume !== false) await this.#triggers.resumeInterrupted();
    if (this.#options.schedule !== false) await this.#triggers.catchUp(new Date());
    if (this.#options.maintenance) {
      this.#maintenanceTimer = setInterval(
        () => void this.#maintain(),
        this.#options.maintenanceMs ?? 3600_000,
      );
      this.#maintenanceTimer.unref();
      await this.#maintain();
    }
    const topics = this.#options.topics;
    if (topics && this.#options.schedule !== false) {
      this.#topicTimer = setInterval(() => {
        void this.#serially(() => this.#triggers.topicTriggers(topics, (name) => this.#busy(name)));
      }, this.#options.topicPollMs ?? 1000);
      this.#topicTimer.unref();
    }
    const cluster = this.#options.cluster;
    if (cluster) {
      this.#adoptTimer = setInterval(() => void this.#adoptQueued(cluster), cluster.pollMs ?? 500);
      this.#adoptTimer.unref();
    }
    this.#pump();
  }

  /** Cluster mode: takes queued runs nobody claimed (launched through another scheduler) into the queue. */
  async #adoptQueued(cluster: ServiceCluster): Promise<void> {
    if (this.#adopting || this.#stopping) return;
    this.#adopting = true;
    try {
      const inHand = new Set([...this.#queue.map((run) => run.id), ...this.#running.keys()]);
      const ids = (await cluster.unclaimed(100)).filter((id) => !inHand.has(id));
      if (ids.length === 0) return;
      for (const id of ids) {
        const run = await this.#store.getRun(id);
        if (
          run?.status !== 'queued' ||
          this.#queue.some((queued) => queued.id === id) ||
          this.#running.has(id)
        )
          continue;
        // A pipeline registered through another scheduler is loaded from the store.
        if (!this.#registered.has(run.pipeline)) await this.#require(run.pipeline).catch(() => undefined);
        this.#queue.push(run);
      }
      this.#queue.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      this.#pump();
    } catch (error) {
      this.#logger.warn({ err: error }, 'looking for queued runs failed');
    } finally {
      this.#adopting = false;
    }
  }

  /** Cluster mode: claims the resumption of an interrupted run. */
  claimResume(runId: string): Promise<boolean> {
    return this.#options.cluster ? this.#options.cluster.claimResume(runId) : Promise.resolve(true);
  }

  /** Cluster mode: resumes runs whose scheduler died (each is resumed by one scheduler). */
  resumeOrphans(runIds: string[]): void {
    void this.#serially(async () => {
      for (const id of runIds) {
        const run = await this.#store.getRun(id);
        if (!run || !this.#registered.has(run.pipeline) || this.#stopping) continue;
        if (!(await this.claimResume(id))) continue;
        this.#logger.info({ runId: id, pipeline: run.pipeline }, 'resuming a run whose scheduler died');
        await this.launch({
          pipeline: run.pipeline,
          params: run.params,
          inputCommits: run.inputCommits,
          trigger: { kind: 'resume', runId: id },
        });
      }
    });
  }

  /** Whether a run of `pipeline` is queued or running here (a topic trigger waits for it). */
  #busy(pipeline: string): boolean {
    if (this.#stopping) return true;
    if (this.#queue.some((run) => run.pipeline === pipeline)) return true;
    for (const entry of this.#running.values()) if (entry.run.pipeline === pipeline) return true;
    return false;
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

  get store(): MetadataStore {
    return this.#store;
  }

  get logger(): Logger {
    return this.#logger;
  }

  /** True once {@link Service.stop} began. */
  get stopping(): boolean {
    return this.#stopping;
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
    if (!handle && this.#options.cluster && (run.status === 'queued' || run.status === 'running')) {
      // Owned by another scheduler, which cancels it at its next lease renewal.
      if (await this.#options.cluster.requestCancel(run.id, 'cancelled by a user')) return run;
    }
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
    for (const commit of commits) void this.#serially(() => this.#triggers.commitTriggers(commit));
  }

  async backfill(request: BackfillRequest): Promise<{ id: string; runs: RunRecord[] }> {
    const { pipeline } = await this.#require(request.pipeline);
    if (!this.#options.repos) throw new SluiceError('INTERNAL', 'this service was started without repos');
    const requests = await planBackfill(
      pipeline,
      {
        from: request.from,
        to: request.to,
        ...(request.input ? { input: request.input } : {}),
        ...(request.params ? { params: request.params } : {}),
      },
      this.#options.repos,
    );
    return this.queueBackfill(requests, request.concurrency ?? 2);
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
    clearInterval(this.#topicTimer);
    clearInterval(this.#adoptTimer);
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
      if (this.#options.cluster && !(await this.#options.cluster.claim(run.id))) {
        // Another scheduler claimed it first: it runs there.
        this.#running.delete(run.id);
        this.#pump();
        return;
      }
      handle = await this.#engine.startRun(pipeline, {
        runId: run.id,
        createdAt: run.createdAt,
        params: run.params,
        trigger: run.trigger ?? { kind: 'manual' },
        registeredVersion: record.version,
        ...(run.inputCommits.length > 0 ? { inputCommits: run.inputCommits } : {}),
        // A restart executes only the datums it names; the others take stored results.
        ...(run.trigger?.kind === 'restart' ? { onlyDatums: run.trigger.datums } : {}),
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
      void this.#serially(() => this.#triggers.afterTriggers(finished));
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
}
