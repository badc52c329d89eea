/**
 * What each trigger does once it fires: a commit starts the pipelines reading its repo, a
 * cron tick is claimed and started once, missed ticks are caught up, an upstream success
 * starts `after` (fan-in) pipelines, messages waiting on a topic start the pipelines that
 * consume it (`topic` triggers), and interrupted runs are resumed. The service
 * serialises these calls, so two events never launch the same fan-in twice.
 */
import { SluiceError, newId, type Logger } from '../core/index.js';
import type { Pipeline, TopicInputSpec } from '../spec/index.js';
import type { Topics } from '../streams/index.js';
import type { CommitRecord, MetadataStore, PipelineRecord, RunRecord, RunTrigger } from '../store/index.js';
import { repoBranch, triggeredByCommit } from '../triggers/index.js';
import { scheduleKey, schedulesOf, ticksToCatchUp, type Schedule } from './cron.js';
import type { LaunchRequest } from './types.js';

/** A registered pipeline with its loaded spec. */
export interface Registered {
  record: PipelineRecord;
  pipeline: Pipeline;
}

/** What the trigger handlers need from the service. */
export interface TriggerHost {
  readonly store: MetadataStore;
  readonly logger: Logger;
  /** True once the service is shutting down: no new ticks start. */
  readonly stopping: boolean;
  pipelines(): ReadonlyMap<string, Registered>;
  launch(request: LaunchRequest & { id?: string }): Promise<RunRecord>;
  /** Cluster mode: claims the resumption of an interrupted run (false: another scheduler resumes it). */
  claimResume?(runId: string): Promise<boolean>;
}

/** Messages a stream input's group has yet to ack (a group not created yet: what it would start with). */
async function topicLag(topics: Topics, input: TopicInputSpec): Promise<number> {
  let info;
  try {
    info = await topics.get(input.topic);
  } catch (error) {
    if (error instanceof SluiceError && error.code === 'TOPIC_NOT_FOUND') return 0;
    throw error;
  }
  const group = info.groups.find((item) => item.name === input.group);
  if (group) return group.lag;
  return input.start === 'earliest' ? info.messages : 0;
}

/** Resume only runs interrupted this recently: older ones are history, not work. */
const RESUME_WINDOW_MS = 24 * 3600_000;

/** The trigger handlers of one service. */
export class TriggerHandlers {
  readonly #service: TriggerHost;

  constructor(service: TriggerHost) {
    this.#service = service;
  }

  /** Triggered runs take every param's default (a `logical_date` param gets the tick). */
  launchTriggered(pipeline: Pipeline, trigger: RunTrigger, id?: string): Promise<RunRecord | undefined> {
    const params: Record<string, unknown> = {};
    if (
      'logical_date' in pipeline.params &&
      (trigger.kind === 'cron' || trigger.kind === 'backfill') &&
      trigger.tick
    )
      params.logical_date = trigger.tick;
    return this.#service
      .launch({ pipeline: pipeline.name, params, trigger, ...(id ? { id } : {}) })
      .catch((error: unknown) => {
        this.#service.logger.error(
          { err: error, pipeline: pipeline.name, trigger },
          'a triggered run could not be queued',
        );
        return undefined;
      });
  }

  async commitTriggers(commit: CommitRecord): Promise<void> {
    const source = repoBranch(commit.repo, commit.branch);
    for (const { record, pipeline } of this.#service.pipelines().values()) {
      if (!record.inputRepos.includes(source) || record.name === commit.repo) continue;
      if (!triggeredByCommit(pipeline, commit.repo)) continue;
      await this.launchTriggered(pipeline, {
        kind: 'commit',
        repo: commit.repo,
        branch: commit.branch,
        commit: commit.id,
      });
    }
  }

  async cronTick(schedule: Schedule, tick: Date): Promise<void> {
    const registered = this.#service.pipelines().get(schedule.pipeline);
    if (!registered || this.#service.stopping) return;
    const id = newId();
    const claimed = await this.#service.store.schedules.claimTick(
      schedule.pipeline,
      scheduleKey(schedule),
      tick,
      id,
    );
    if (!claimed) return;
    await this.launchTriggered(
      registered.pipeline,
      { kind: 'cron', schedule: scheduleKey(schedule), tick: tick.toISOString() },
      id,
    );
  }

  /** Starts the ticks missed while no service ran, by each schedule's catch-up policy. */
  async catchUp(now: Date): Promise<void> {
    for (const { record, pipeline } of this.#service.pipelines().values()) {
      for (const schedule of schedulesOf(pipeline)) {
        const last =
          (await this.#service.store.schedules.lastTick(pipeline.name, scheduleKey(schedule))) ??
          record.createdAt;
        for (const tick of ticksToCatchUp(schedule, last, now)) await this.cronTick(schedule, tick);
      }
    }
  }

  /**
   * After `run` succeeded: every pipeline whose `after` lists its pipeline starts once all
   * of its listed pipelines have succeeded since its last run so triggered (fan-in).
   */
  async afterTriggers(run: RunRecord): Promise<void> {
    for (const { pipeline } of this.#service.pipelines().values()) {
      for (const trigger of pipeline.triggers) {
        if (trigger.kind !== 'after' || !trigger.pipelines.includes(run.pipeline)) continue;
        const recent = await this.#service.store.listRuns({ pipeline: pipeline.name, limit: 200 });
        const since = recent.find((item) => item.trigger?.kind === 'after')?.createdAt ?? new Date(0);
        const upstream: { pipeline: string; runId: string }[] = [];
        for (const name of trigger.pipelines) {
          const [latest] = await this.#service.store.listRuns({
            pipeline: name,
            status: 'succeeded',
            limit: 1,
          });
          if (!latest?.finishedAt || latest.finishedAt <= since) break;
          upstream.push({ pipeline: name, runId: latest.id });
        }
        if (upstream.length === trigger.pipelines.length)
          await this.launchTriggered(pipeline, { kind: 'after', runs: upstream });
      }
    }
  }

  /**
   * Starts each pipeline with a `topic` trigger whose stream input's group has messages it
   * has not acked, unless a run of it is queued or running (`busy`): one consumer run at a time.
   */
  async topicTriggers(topics: Topics, busy: (pipeline: string) => boolean): Promise<void> {
    for (const { pipeline } of this.#service.pipelines().values()) {
      const watched = pipeline.triggers.flatMap((trigger) =>
        trigger.kind === 'topic' ? [trigger.topic] : [],
      );
      if (watched.length === 0 || busy(pipeline.name)) continue;
      for (const input of Object.values(pipeline.streams)) {
        if (!watched.includes(input.topic)) continue;
        const lag = await topicLag(topics, input).catch((error: unknown) => {
          this.#service.logger.warn(
            { err: error, topic: input.topic },
            'cannot read a topic for its trigger',
          );
          return 0;
        });
        if (lag === 0) continue;
        await this.launchTriggered(pipeline, { kind: 'topic', topic: input.topic, group: input.group, lag });
        break;
      }
    }
  }

  /** Queues again the runs a shutdown or crash interrupted (each once). */
  async resumeInterrupted(): Promise<void> {
    const recent = await this.#service.store.listRuns({ limit: 2000 });
    const resumed = new Set(
      recent.flatMap((run) => (run.trigger?.kind === 'resume' ? [run.trigger.runId] : [])),
    );
    const horizon = Date.now() - RESUME_WINDOW_MS;
    const interrupted = recent
      .filter(
        (run) => run.status === 'interrupted' && !resumed.has(run.id) && run.createdAt.getTime() > horizon,
      )
      .filter((run) => this.#service.pipelines().has(run.pipeline))
      .reverse();
    for (const run of interrupted) {
      if (this.#service.claimResume && !(await this.#service.claimResume(run.id))) continue;
      this.#service.logger.info({ runId: run.id, pipeline: run.pipeline }, 'resuming an interrupted run');
      await this.#service
        .launch({
          pipeline: run.pipeline,
          params: run.params,
          inputCommits: run.inputCommits,
          trigger: { kind: 'resume', runId: run.id },
        })
        .catch((error: unknown) =>
          this.#service.logger.error({ err: error, runId: run.id }, 'cannot resume'),
        );
    }
  }
}
