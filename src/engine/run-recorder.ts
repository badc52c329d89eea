/**
 * Everything a run reports goes through here: each change becomes a row enqueued to the
 * batched {@link StateWriter} and, where someone watches, a {@link RunEvent}. Log lines get
 * their per-run sequence numbers here.
 */
import type { MetricPoint } from '../runtime/index.js';
import type {
  AttemptStatus,
  LogRecord,
  RunRecord,
  StateWriter,
  StoredError,
  TaskRecord,
} from '../store/index.js';
import type { RunEventListener } from './events.js';
import type { TaskState } from './run-execution.js';

/** Records the state of one run. */
export class RunRecorder {
  readonly #runId: string;
  readonly #writer: StateWriter;
  readonly #onEvent: RunEventListener;
  #logSeq: number;

  constructor(runId: string, writer: StateWriter, onEvent: RunEventListener, firstLogSeq: number) {
    this.#runId = runId;
    this.#writer = writer;
    this.#onEvent = onEvent;
    this.#logSeq = firstLogSeq;
  }

  /** The run record (created, finished). */
  run(record: RunRecord): void {
    this.#writer.enqueue({ runs: [record] });
    this.#onEvent({
      type: 'run',
      runId: record.id,
      status: record.status,
      ...(record.error ? { error: record.error } : {}),
    });
  }

  /** A task's current state; `announce` also tells watchers (a status change). */
  task(task: TaskState, announce: boolean): void {
    const succeeded = task.status === 'success' || task.status === 'skipped';
    const record: TaskRecord = {
      runId: this.#runId,
      step: task.step.name,
      datum: task.datum,
      status: task.status,
      execKey: task.execKey,
      attempts: task.attempts,
      error: succeeded ? null : task.error,
      startedAt: task.startedAt,
      finishedAt: task.finishedAt,
    };
    this.#writer.enqueue({ tasks: [record] });
    if (!announce) return;
    this.#onEvent({
      type: 'task',
      runId: this.#runId,
      step: task.step.name,
      datum: task.datum,
      status: task.status,
      attempt: task.attempts,
      ...(task.error && !succeeded ? { error: task.error } : {}),
    });
  }

  attempt(
    task: TaskState,
    attempt: number,
    status: AttemptStatus,
    error: StoredError | null,
    startedAt: Date,
    finishedAt: Date | null,
  ): void {
    this.#writer.enqueue({
      attempts: [
        {
          runId: this.#runId,
          step: task.step.name,
          datum: task.datum,
          attempt,
          status,
          error,
          startedAt,
          finishedAt,
        },
      ],
    });
  }

  /** One log line of a step's attempt, or of the engine about the run (`step` ''). */
  log(step: string, datum: string, attempt: number, stream: LogRecord['stream'], line: string): void {
    this.#logSeq += 1;
    const record: LogRecord = {
      runId: this.#runId,
      seq: this.#logSeq,
      step,
      datum,
      attempt,
      stream,
      time: new Date(),
      line,
    };
    this.#writer.enqueue({ logs: [record] });
    this.#onEvent({ type: 'log', record });
  }

  metric(step: string, datum: string, point: MetricPoint): void {
    this.#writer.enqueue({
      metrics: [
        {
          runId: this.#runId,
          step,
          datum,
          key: point.key,
          value: point.value,
          index: point.step ?? null,
          time: new Date(),
        },
      ],
    });
  }

  /** A step's outputs under its execution key (stored once per key). */
  result(execKey: string, step: string, outputs: Record<string, unknown>): void {
    this.#writer.enqueue({ results: [{ execKey, step, outputs, createdAt: new Date() }] });
  }

  /** Resolves once everything recorded so far is durable. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }
}
