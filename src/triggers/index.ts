export { loadRegistered, repoBranch, runCommitTriggers, triggeredByCommit } from './commit-triggers.js';
export type { CommitTriggerOptions, TriggerOutcome } from './commit-triggers.js';
