/**
 * Batches from the process that owns a data directory, over its control socket: for a step
 * of a run (the run owns the directory) or a command started while a server runs. The owner
 * runs the session and its loaders; this side reads the batches as they stream.
 */
import { request, type IncomingMessage } from 'node:http';
import { SluiceError, type ErrorCode } from '../core/index.js';
import type { Batch, BatchesOptions, SessionSummary } from './client.js';
import { readBatchFrames } from './frames.js';

/** Opens a session in the owner listening on `socketPath`; iterate `batches`, or `close` to stop early. */
export async function openRemoteBatches(
  socketPath: string,
  options: Omit<BatchesOptions, 'onLog'>,
): Promise<{ session: SessionSummary; batches: AsyncGenerator<Batch>; close(): void }> {
  const body = JSON.stringify(options);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = request(
      {
        socketPath,
        method: 'POST',
        path: '/v0/batches',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      resolve,
    );
    outgoing.once('error', (error) =>
      reject(
        new SluiceError(
          'SERVER_UNREACHABLE',
          `the data directory's owner at ${socketPath} cannot be reached: ${error.message}`,
          {
            cause: error,
          },
        ),
      ),
    );
    outgoing.end(body);
  });
  if (response.statusCode !== 200) {
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    let failure: { code?: string; message?: string } = {};
    try {
      failure = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof failure;
    } catch {
      failure = { message: Buffer.concat(chunks).toString('utf8') };
    }
    throw new SluiceError(
      (failure.code ?? 'BATCHES_FAILED') as ErrorCode,
      failure.message ?? `the owner answered ${response.statusCode}`,
    );
  }
  const session = JSON.parse(String(response.headers['x-sluice-batches'] ?? '{}')) as SessionSummary;
  return { session, batches: readBatchFrames(response), close: () => response.destroy() };
}
