/** The errors an attempt ends with when Sluice stops it, the same for every runtime. */
import { SluiceError, formatDuration } from '../core/index.js';
import type { StepTask } from './runtime.js';

/** The attempt ran past `step.timeoutMs` and was killed. */
export function timeoutError(task: StepTask, ms: number): SluiceError {
  return new SluiceError(
    'STEP_TIMEOUT',
    `step '${task.step.name}' attempt ${task.attempt} timed out after ${formatDuration(ms)} and was killed`,
  );
}

/** The attempt was stopped because its run was cancelled. */
export function cancelledError(task: StepTask): SluiceError {
  return new SluiceError('RUN_CANCELLED', `step '${task.step.name}' attempt ${task.attempt} was cancelled`);
}
