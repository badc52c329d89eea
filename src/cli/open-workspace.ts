/**
 * Opening a data directory from a script (`openWorkspace`), and `batches(options)`: training
 * batches wherever the caller runs — a script that may own the data directory, or code that
 * runs while a run or a server owns it (a TS step, a notebook beside `sluice dev`).
 */
import { join } from 'node:path';
import {
  batches as sessionBatches,
  type Batch,
  type BatchesOptions,
  type BatchSource,
} from '../batches/client.js';
import { openRemoteBatches } from '../batches/remote.js';
import { LockHeldError } from '../store/index.js';
import { compileConfig } from './config.js';
import { openLocalWorkspace, type LocalWorkspace } from './workspace.js';

/** Where the data directory is: like the CLI by default (`SLUICE_HOME`, else `./.sluice`). */
export interface WorkspaceLocation {
  home?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Opens a data directory as its owner, configured like the CLI (`SLUICE_HOME`, default
 * `./.sluice`; `SLUICE_NATS_URL`...). Close it when done.
 *
 * @example
 * const workspace = await openWorkspace();
 * for await (const batch of batches(workspace, { repo: 'cardiac-mri', path: '/datapoints' })) train(batch);
 * await workspace.close();
 */
export async function openWorkspace(options: WorkspaceLocation = {}): Promise<LocalWorkspace & BatchSource> {
  const cwd = options.cwd ?? process.cwd();
  const config = compileConfig(
    options.home ? { home: options.home } : {},
    options.env ?? process.env,
    cwd,
    false,
  );
  const workspace = await openLocalWorkspace(config, 'script');
  return Object.assign(workspace, { objectsDir: join(config.home, 'objects'), spoolDir: config.scratchDir });
}

/**
 * Random training batches of a repo's datapoints (see {@link BatchesOptions}).
 * - `batches(workspace, options)`: a session on a workspace the caller opened;
 * - `batches(options)`: opens the data directory for the iteration; when a run or a server
 *   owns it, the owner runs the session and the batches stream over its control socket.
 *
 * @example
 * for await (const batch of batches({ repo: 'cardiac-mri', path: '/datapoints', size: 8 })) {
 *   const { image, mask } = batch.arrays; // float32 [8,H,W], uint8 [8,H,W]
 * }
 */
export function batches(options: BatchesOptions & WorkspaceLocation): AsyncIterable<Batch>;
export function batches(source: BatchSource, options: BatchesOptions): AsyncIterable<Batch>;
export function batches(
  first: BatchSource | (BatchesOptions & WorkspaceLocation),
  second?: BatchesOptions,
): AsyncIterable<Batch> {
  if (second) return sessionBatches(first as BatchSource, second);
  const { home, env, cwd, ...options } = first as BatchesOptions & WorkspaceLocation;
  const location: WorkspaceLocation = {
    ...(home === undefined ? {} : { home }),
    ...(env === undefined ? {} : { env }),
    ...(cwd === undefined ? {} : { cwd }),
  };
  const fromOwner = async function* (socket: string): AsyncGenerator<Batch> {
    const { onLog: _onLog, ...remoteOptions } = options;
    const remote = await openRemoteBatches(socket, remoteOptions);
    try {
      yield* remote.batches;
    } finally {
      remote.close();
    }
  };
  return {
    async *[Symbol.asyncIterator]() {
      // In a step: the process running it owns the data directory and says how to reach it.
      const stepSocket = (env ?? process.env).SLUICE_CONTROL_SOCKET;
      if (home === undefined && stepSocket) {
        yield* fromOwner(stepSocket);
        return;
      }
      let workspace: (LocalWorkspace & BatchSource) | undefined;
      try {
        workspace = await openWorkspace(location);
      } catch (error) {
        const socket =
          error instanceof LockHeldError ? (error.info as { socket?: unknown }).socket : undefined;
        if (typeof socket !== 'string') throw error;
        yield* fromOwner(socket);
        return;
      }
      try {
        yield* sessionBatches(workspace, options);
      } finally {
        await workspace.close();
      }
    },
  };
}
