export { loadRegistered, repoBranch, runCommitTriggers } from './commit-triggers.js';
export type { CommitTriggerOptions, TriggerOutcome } from './commit-triggers.js';
