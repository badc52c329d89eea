/**
 * What the long-running service keeps in the store besides runs: the cron ticks it has
 * claimed, so that one tick starts one run however many schedulers see it, and a restart
 * knows which ticks it missed.
 */

/** The service's own records. */
export interface ScheduleStore {
  /**
   * Claims the tick `tick` of `pipeline`'s `schedule` for `runId`. Returns false when
   * another claim (another scheduler, or a repeated timer) already holds it.
   */
  claimTick(pipeline: string, schedule: string, tick: Date, runId: string): Promise<boolean>;
  /** The newest claimed tick of a schedule, if any. */
  lastTick(pipeline: string, schedule: string): Promise<Date | undefined>;
}
