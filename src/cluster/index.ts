/** Cluster mode: dispatch of attempts to `sluice worker` processes, and scheduler run leases. */
export { createDispatchRuntime } from './dispatch-runtime.js';
export type { AttemptOutcome, AttemptPayload, DispatchRuntimeOptions } from './dispatch-runtime.js';
export { ClusterWorker, FAULT_POINTS } from './worker.js';
export type { FaultPoint, WorkerOptions } from './worker.js';
export { RunLeaseKeeper } from './run-leases.js';
export type { RunLeaseOptions } from './run-leases.js';
