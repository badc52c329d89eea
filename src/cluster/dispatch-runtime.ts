/**
 * The step runtime of a cluster scheduler: instead of executing attempts, it queues them
 * as `dispatch` rows for `sluice worker` processes and waits for their outcome.
 *
 * Attempts becoming ready together are queued in one statement; finished rows are announced
 * on a NOTIFY channel and read back in one statement per announcement, with a slow poll as
 * a safety net for notifications lost while the connection was down. The scheduler also
 * runs the dispatch sweeper, so expired leases return to the queue even with no worker
 * alive to notice.
 */
import { setMaxListeners } from 'node:events';
import { SluiceError, type Logger, silentLogger } from '../core/index.js';
import type { LogStream, MetricPoint, StepResult, StepRuntime, StepTask } from '../runtime/index.js';
import type { Pipeline, StepSpec } from '../spec/index.js';
import {
  DISPATCH_DONE_CHANNEL,
  listen,
  type DispatchQueries,
  type DispatchRow,
  type Listener,
  type RunRecord,
  type StoredError,
} from '../store/index.js';

/** What a worker needs to execute one attempt, besides the run's record and pipeline. */
export interface AttemptPayload {
  pipelineDir: string;
  /** The code hash the scheduler prepared; a worker with other code refuses the attempt. */
  codeHash: string;
  execKey: string | null;
  inputs: Record<string, unknown>;
  params: Record<string, unknown>;
}

/** What a worker commits for an attempt. */
export interface AttemptOutcome {
  outputs?: Record<string, unknown>;
  error?: StoredError;
  logs?: [LogStream, string][];
  metrics?: MetricPoint[];
  /** The worker that executed it. */
  worker?: string;
}

/** Options of {@link createDispatchRuntime}. */
export interface DispatchRuntimeOptions {
  queries: DispatchQueries;
  /** The PostgreSQL URL, for the LISTEN connection. */
  databaseUrl: string;
  /** Local runtimes, used only to prepare steps (their code hash is part of the step version). */
  local: { ts: StepRuntime; command: StepRuntime };
  logger?: Logger;
  /** How often finished rows are polled besides notifications (ms, default 1000). */
  pollMs?: number;
  /** How often the dispatch sweeper runs (ms, default 1000). */
  sweepMs?: number;
  /** Deliveries of an attempt before it fails with `STEP_CRASHED` (default 3). */
  maxDeliveries?: number;
  /** How long finished rows are kept (ms, default 10 minutes). */
  retentionMs?: number;
}

interface Waiter {
  task: StepTask;
  codeHash: string;
  id?: number;
  settled: boolean;
  /** Stops listening for the run's cancellation. */
  detach(): void;
  resolve(result: StepResult): void;
  reject(error: unknown): void;
}

/** Most attempts queued by one statement. */
const ENQUEUE_BATCH = 1000;

/** Creates the dispatch runtime and starts listening for finished attempts. */
export async function createDispatchRuntime(options: DispatchRuntimeOptions): Promise<StepRuntime> {
  const { queries } = options;
  const logger = options.logger ?? silentLogger();
  const codeHashes = new Map<string, string>();
  const pending: Waiter[] = [];
  const waiting = new Map<number, Waiter>();
  let flushing: Promise<void> | undefined;
  let closed = false;

  const keyOf = (step: StepSpec, pipelineDir: string): string => `${pipelineDir}\0${step.name}`;

  function settle(row: DispatchRow): void {
    const waiter = waiting.get(row.id);
    if (!waiter || waiter.settled) return;
    waiting.delete(row.id);
    waiter.settled = true;
    waiter.detach();
    const outcome = (row.result ?? {}) as AttemptOutcome;
    for (const [stream, line] of outcome.logs ?? []) waiter.task.log(stream, line);
    for (const point of outcome.metrics ?? []) waiter.task.metric(point);
    if (row.state === 'done') waiter.resolve({ outputs: outcome.outputs ?? {} });
    else if (row.state === 'cancelled') {
      waiter.reject(new SluiceError('RUN_CANCELLED', 'the attempt was cancelled'));
    } else {
      const error = outcome.error ?? { code: 'STEP_FAILED', message: 'the attempt failed on its worker' };
      waiter.reject(
        new SluiceError(error.code as never, error.message, error.details ? { details: error.details } : {}),
      );
    }
  }

  async function flush(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending.splice(0, ENQUEUE_BATCH).filter((waiter) => !waiter.settled);
      try {
        const rows = await retrying(
          () =>
            queries.enqueue(
              batch.map((waiter) => ({
                runId: waiter.task.runId,
                step: waiter.task.step.name,
                datum: waiter.task.datum,
                attempt: waiter.task.attempt,
                payload: {
                  pipelineDir: waiter.task.pipelineDir,
                  codeHash: waiter.codeHash,
                  execKey: waiter.task.execKey ?? null,
                  inputs: waiter.task.inputs,
                  params: waiter.task.params,
                } satisfies AttemptPayload,
              })),
            ),
          logger,
        );
        const byKey = new Map(batch.map((waiter) => [attemptKey(waiter.task), waiter]));
        const done: DispatchRow[] = [];
        for (const row of rows) {
          const waiter = byKey.get(`${row.runId}\0${row.step}\0${row.datum}\0${row.attempt}`);
          if (!waiter) continue;
          waiter.id = row.id;
          waiting.set(row.id, waiter);
          if (waiter.settled) void queries.cancel([row.id]).catch(() => undefined);
          else if (row.state !== 'queued' && row.state !== 'leased') done.push(row);
        }
        for (const row of done) settle(row);
      } catch (error) {
        for (const waiter of batch) {
          if (waiter.settled) continue;
          waiter.settled = true;
          waiter.detach();
          waiter.reject(error);
        }
      }
    }
  }

  function scheduleFlush(): void {
    if (flushing) return;
    flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(flush).finally(() => {
      flushing = undefined;
      if (pending.length > 0) scheduleFlush();
    });
  }

  async function readFinished(ids: number[]): Promise<void> {
    const wanted = ids.filter((id) => waiting.has(id));
    if (wanted.length === 0) return;
    try {
      for (const row of await queries.finished(wanted)) settle(row);
    } catch (error) {
      logger.warn({ err: error }, 'reading finished attempts failed; the poll retries');
    }
  }

  const listener: Listener = await listen({
    url: options.databaseUrl,
    channels: [DISPATCH_DONE_CHANNEL],
    onNotify: (_channel, payload) => {
      if (payload.startsWith('[')) {
        for (const item of JSON.parse(payload) as {
          id: number;
          state: DispatchRow['state'];
          result: unknown;
        }[]) {
          settle({
            id: Number(item.id),
            state: item.state,
            result: item.result,
            runId: '',
            step: '',
            datum: '',
            attempt: 0,
          });
        }
      } else {
        void readFinished(payload.split(',').filter(Boolean).map(Number));
      }
    },
    onReconnect: () => void readFinished([...waiting.keys()]),
    logger,
  });
  // NOTE: kept referenced until close(): while the server restarts, this timer is what keeps
  // a waiting process alive.
  const poll = setInterval(() => void readFinished([...waiting.keys()]), options.pollMs ?? 1000);
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    queries
      .sweep(options.maxDeliveries ?? 3, options.retentionMs ?? 600_000)
      .then((counts) => {
        if (counts.requeued + counts.failed + counts.orphaned > 0) logger.info(counts, 'dispatch sweep');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'dispatch sweep failed'))
      .finally(() => {
        sweeping = false;
      });
  }, options.sweepMs ?? 1000);
  sweeper.unref();

  return {
    remote: true,
    async prepare(step, pipelineDir) {
      const local = step.run.kind === 'ts' ? options.local.ts : options.local.command;
      const prepared = await local.prepare(step, pipelineDir);
      codeHashes.set(keyOf(step, pipelineDir), prepared.codeHash);
      return prepared;
    },
    async beginRun(run: RunRecord, pipeline: Pipeline) {
      await queries.registerRun(run.id, run, pipeline);
    },
    execute(task) {
      if (closed) return Promise.reject(new SluiceError('RUN_CANCELLED', 'the scheduler is shutting down'));
      return new Promise<StepResult>((resolve, reject) => {
        const waiter: Waiter = {
          task,
          codeHash: codeHashes.get(keyOf(task.step, task.pipelineDir)) ?? '',
          settled: false,
          detach: () => task.signal.removeEventListener('abort', onAbort),
          resolve,
          reject,
        };
        const onAbort = (): void => {
          if (waiter.settled) return;
          waiter.settled = true;
          if (waiter.id !== undefined) {
            waiting.delete(waiter.id);
            void queries.cancel([waiter.id]).catch(() => undefined);
          }
          reject(new SluiceError('RUN_CANCELLED', 'the attempt was cancelled'));
        };
        if (task.signal.aborted) return onAbort();
        // NOTE: one listener per attempt in flight on the run's signal, possibly thousands.
        setMaxListeners(0, task.signal);
        task.signal.addEventListener('abort', onAbort, { once: true });
        pending.push(waiter);
        scheduleFlush();
      });
    },
    async close() {
      // NOTE: the engine closes its ts and command runtimes, which are both this one.
      if (closed) return;
      closed = true;
      clearInterval(poll);
      clearInterval(sweeper);
      await flushing;
      await listener.close();
      await Promise.all([options.local.ts.close(), options.local.command.close()]);
    },
  };
}

function attemptKey(task: StepTask): string {
  return `${task.runId}\0${task.step.name}\0${task.datum}\0${task.attempt}`;
}

/**
 * Retries `fn` while the server is unreachable (a restart, a failover) for up to half a
 * minute; queueing is idempotent, so a statement that did commit before its answer was lost
 * is harmless to send again.
 */
async function retrying<T>(fn: () => Promise<T>, logger: Logger): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= 60) throw error;
      if (attempt === 1) logger.warn({ err: error }, 'queueing attempts failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
