export { Service } from './service.js';
export type { ServiceCluster, ServiceEvent, ServiceOptions } from './service.js';
export { MAX_CATCH_UP, scheduleKey, schedulesOf, ticksBetween, ticksToCatchUp } from './cron.js';
export type { Schedule } from './cron.js';
export type { BackfillRequest, LaunchRequest, RunLauncher } from './types.js';
export { planBackfill } from './backfill.js';
