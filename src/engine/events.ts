/**
 * What a run reports while it executes: the CLI draws progress from these, the control
 * server streams them to other processes (`sluice logs -f`), later the UI.
 */
import type { LogRecord, RunStatus, StoredError, TaskStatus } from '../store/index.js';

/** One thing that happened in a run. */
export type RunEvent =
  | { type: 'run'; runId: string; status: RunStatus; error?: StoredError }
  | {
      type: 'task';
      runId: string;
      step: string;
      datum: string;
      status: TaskStatus;
      attempt: number;
      error?: StoredError;
    }
  | { type: 'log'; record: LogRecord };

/** Receives run events; must not throw and must return quickly. */
export type RunEventListener = (event: RunEvent) => void;
