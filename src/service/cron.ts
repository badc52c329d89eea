/**
 * Cron schedules of registered pipelines: one timer per schedule, armed for its next tick
 * in the schedule's time zone (croner), and the catch-up of ticks missed while no service
 * ran. Ticks are identified by their scheduled time, so every scheduler names a tick the
 * same way and the store's claim makes one tick start one run.
 */
import { Cron } from 'croner';
import type { CatchUpPolicy, Pipeline } from '../spec/index.js';

/** One cron trigger of one pipeline. */
export interface Schedule {
  pipeline: string;
  cron: string;
  tz: string;
  catchup: CatchUpPolicy;
}

/** The key ticks are claimed under: the expression and its zone. */
export function scheduleKey(schedule: Pick<Schedule, 'cron' | 'tz'>): string {
  return `${schedule.cron} ${schedule.tz}`;
}

/** The cron schedules of `pipeline`. */
export function schedulesOf(pipeline: Pipeline): Schedule[] {
  return pipeline.triggers.flatMap((trigger) =>
    trigger.kind === 'cron'
      ? [{ pipeline: pipeline.name, cron: trigger.cron, tz: trigger.tz ?? 'UTC', catchup: trigger.catchup }]
      : [],
  );
}

/** The most ticks one catch-up starts (`catchup: all`); older missed ticks are skipped. */
export const MAX_CATCH_UP = 100;

/** Ticks of `schedule` in `(after, until]`, oldest first, at most `limit` (the newest kept). */
export function ticksBetween(
  schedule: Pick<Schedule, 'cron' | 'tz'>,
  after: Date,
  until: Date,
  limit = Infinity,
): Date[] {
  const cron = new Cron(schedule.cron, { timezone: schedule.tz, paused: true });
  const ticks: Date[] = [];
  for (let next = cron.nextRun(after); next && next <= until; next = cron.nextRun(next)) {
    ticks.push(next);
    if (ticks.length > limit) ticks.shift();
  }
  return ticks;
}

/** The missed ticks a restart starts, by the schedule's catch-up policy. */
export function ticksToCatchUp(schedule: Schedule, lastTick: Date, now: Date): Date[] {
  if (schedule.catchup === 'none') return [];
  const missed = ticksBetween(schedule, lastTick, now, schedule.catchup === 'all' ? MAX_CATCH_UP : 1);
  return missed;
}

/** The longest a Node.js timer can wait; longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Timers firing each schedule's ticks as they come. */
export class CronTimers {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #fire: (schedule: Schedule, tick: Date) => void;

  constructor(fire: (schedule: Schedule, tick: Date) => void) {
    this.#fire = fire;
  }

  /** Replaces every armed schedule with `schedules`, each armed for its next tick after `now`. */
  set(schedules: Schedule[], now = new Date()): void {
    this.stop();
    for (const schedule of schedules) this.#arm(schedule, now);
  }

  #arm(schedule: Schedule, after: Date): void {
    const key = `${schedule.pipeline}\0${scheduleKey(schedule)}`;
    const next = new Cron(schedule.cron, { timezone: schedule.tz, paused: true }).nextRun(after);
    if (!next) return;
    const wait = Math.max(0, next.getTime() - Date.now());
    const timer = setTimeout(
      () => {
        if (wait > MAX_TIMER_MS) return this.#arm(schedule, after);
        this.#fire(schedule, next);
        this.#arm(schedule, next);
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    timer.unref();
    this.#timers.set(key, timer);
  }

  /** Disarms every schedule. */
  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
