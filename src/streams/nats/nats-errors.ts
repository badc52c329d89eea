/** How NATS and JetStream failures become {@link SluiceError}s. */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { NoRespondersError, RequestError } from '@nats-io/nats-core';
import { SluiceError } from '../../core/index.js';

/** True when JetStream answered that a stream does not exist. */
export function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

/** True when JetStream answered that a consumer does not exist. */
export function isConsumerNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound;
}

/** True when JetStream refused to create a stream or consumer because one of that name exists. */
export function isNameInUse(error: unknown): boolean {
  // 10058: stream name already in use with a different configuration; 10013: consumer name already in use.
  return error instanceof JetStreamApiError && (error.code === 10058 || error.code === 10013);
}

/** True when nobody listens on a subject: no stream captures it, or a consumer is gone. */
export function isNoResponders(error: unknown): boolean {
  if (error instanceof NoRespondersError || (error instanceof RequestError && error.isNoResponders()))
    return true;
  // NOTE: the JetStream client wraps a publish nobody captured as 'JetStreamNotEnabled'.
  return error instanceof Error && error.cause !== undefined && isNoResponders(error.cause);
}

/**
 * `TOPIC_UNAVAILABLE` naming the server and the operation, unless `error` is a SluiceError
 * already (which passes through).
 */
export function unavailable(url: string, what: string, error: unknown): SluiceError {
  if (error instanceof SluiceError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new SluiceError('TOPIC_UNAVAILABLE', `NATS at ${url}: ${what} failed: ${reason}`, { cause: error });
}
