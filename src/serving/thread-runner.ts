/**
 * Runs a TF.js or ONNX model version in worker threads (`model-thread.js`), one loaded copy
 * per thread: a batch goes to an idle thread, or waits for one. The event loop only moves
 * buffers, so health checks and `/metrics` answer while the model computes.
 */
import { Worker } from 'node:worker_threads';
import { SluiceError } from '../core/index.js';
import type { ModelRunner, RunnerOutput } from './runner.js';

/** Options of {@link startThreadRunner}. */
export interface ThreadRunnerOptions {
  flavor: 'tfjs' | 'onnx';
  /** The folder holding the version's files. */
  dir: string;
  rowShape: number[];
  /** Threads, each with its own copy of the model (default 1). */
  replicas?: number;
  /** Compute threads inside each copy (wasm / ORT intra-op; default 1). */
  threads?: number;
  /** Names the version in errors. */
  where: string;
}

interface Pending {
  resolve(output: RunnerOutput): void;
  reject(error: Error): void;
}

interface Replica {
  worker: Worker;
  busy: boolean;
  pending: Map<number, Pending>;
}

/** Starts the threads and resolves once every copy is loaded; a load failure names the version. */
export async function startThreadRunner(options: ThreadRunnerOptions): Promise<ModelRunner> {
  const replicas: Replica[] = [];
  const waiting: { input: Float32Array; n: number; pending: Pending }[] = [];
  let nextId = 1;
  let closed = false;

  const dispatch = (replica: Replica) => {
    const job = waiting.shift();
    if (!job) return;
    const id = nextId++;
    replica.busy = true;
    replica.pending.set(id, job.pending);
    replica.worker.postMessage({ id, input: job.input, n: job.n }, [job.input.buffer as ArrayBuffer]);
  };
  const spawn = () =>
    new Promise<Replica>((resolve, reject) => {
      const worker = new Worker(new URL('./model-thread.js', import.meta.url), {
        workerData: {
          flavor: options.flavor,
          dir: options.dir,
          rowShape: options.rowShape,
          threads: options.threads ?? 1,
        },
      });
      const replica: Replica = { worker, busy: false, pending: new Map() };
      let ready = false;
      const failAll = (message: string) => {
        for (const pending of replica.pending.values()) pending.reject(new SluiceError('INTERNAL', message));
        replica.pending.clear();
      };
      worker.on('message', (message: Record<string, unknown>) => {
        if (message.ready) {
          ready = true;
          resolve(replica);
          return;
        }
        if (typeof message.fatal === 'string') {
          reject(new SluiceError('MODEL_MANIFEST', `${options.where} cannot be loaded: ${message.fatal}`));
          void worker.terminate();
          return;
        }
        const id = message.id as number;
        const pending = replica.pending.get(id);
        replica.pending.delete(id);
        replica.busy = false;
        if (typeof message.error === 'string') {
          // NOTE: rows were checked against the manifest, so a failing run is the version's fault.
          pending?.reject(
            new SluiceError(
              'MODEL_MANIFEST',
              `${options.where} could not run a batch (does sluice-model.json's input fit the model?): ${message.error}`,
            ),
          );
        } else {
          pending?.resolve({ output: message.output as Float32Array, width: message.width as number });
        }
        dispatch(replica);
      });
      worker.on('error', (error) => {
        if (!ready)
          reject(new SluiceError('MODEL_MANIFEST', `${options.where} cannot be loaded: ${error.message}`));
        failAll(`${options.where}: its model thread crashed: ${error.message}`);
      });
      worker.on('exit', (code) => {
        const index = replicas.indexOf(replica);
        if (index >= 0) replicas.splice(index, 1);
        failAll(`${options.where}: its model thread exited with code ${code}`);
        if (!ready) {
          reject(
            new SluiceError('MODEL_MANIFEST', `${options.where}: its model thread exited while loading`),
          );
        } else if (!closed) {
          replace();
        }
      });
    });

  /** A thread died while serving: start another; if that fails, nothing waits forever. */
  const replace = () => {
    spawn().then(
      (replica) => {
        if (closed) return void replica.worker.terminate();
        replicas.push(replica);
        dispatch(replica);
      },
      (error: unknown) => {
        if (replicas.length > 0) return;
        for (const job of waiting.splice(0)) job.pending.reject(error as Error);
      },
    );
  };

  const count = Math.max(1, options.replicas ?? 1);
  const started = await Promise.allSettled(Array.from({ length: count }, spawn));
  const failed = started.find((result) => result.status === 'rejected');
  for (const result of started) if (result.status === 'fulfilled') replicas.push(result.value);
  if (failed) {
    closed = true;
    await Promise.all(replicas.map((replica) => replica.worker.terminate()));
    throw failed.reason;
  }

  return {
    run(values, n) {
      // NOTE: tensors are float32; numeric rows for TF.js and ONNX are prepared as such.
      const input = values instanceof Float32Array ? values : new Float32Array(values);
      if (closed) return Promise.reject(new SluiceError('INTERNAL', `${options.where} is unloaded`));
      if (replicas.length === 0) {
        return Promise.reject(new SluiceError('INTERNAL', `${options.where}: every model thread has died`));
      }
      return new Promise<RunnerOutput>((resolve, reject) => {
        waiting.push({ input, n, pending: { resolve, reject } });
        const idle = replicas.find((replica) => !replica.busy);
        if (idle) dispatch(idle);
      });
    },
    async close() {
      closed = true;
      await Promise.all(replicas.map((replica) => replica.worker.terminate()));
    },
  };
}
