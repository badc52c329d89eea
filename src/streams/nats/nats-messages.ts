/**
 * Sluice messages in NATS form and back: the key and the user's headers travel as NATS
 * headers, the publish time and delivery count come from JetStream.
 */
import { headers as natsHeaders, type Msg, type MsgHdrs } from '@nats-io/nats-core';
import type { StoredMsg } from '@nats-io/jetstream';
import { SluiceError } from '../../core/index.js';
import type { EncodedMessage } from '../codec.js';
import type { Message } from '../topics.js';

/** The NATS header holding a message's key. */
export const KEY_HEADER = 'sluice-key';

/**
 * The NATS headers of an encoded message; `MESSAGE_INVALID` when NATS refuses a header.
 * `index` says which message of a produce call is wrong.
 */
export function toNatsHeaders(message: EncodedMessage, index: number): MsgHdrs {
  const headers = natsHeaders();
  try {
    for (const [name, value] of Object.entries(message.headers)) headers.set(name, value);
    if (message.key !== null) headers.set(KEY_HEADER, message.key);
  } catch (error) {
    throw new SluiceError('MESSAGE_INVALID', `message ${index}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return headers;
}

/** The key and user headers of a NATS message (JetStream's own `Nats-*` headers left out). */
function fromNatsHeaders(headers: MsgHdrs | undefined): {
  key: string | null;
  headers: Record<string, string>;
} {
  const result: Record<string, string> = {};
  let key: string | null = null;
  for (const name of headers?.keys() ?? []) {
    // NOTE: user header names are lower-cased on produce, so only JetStream's own headers
    // start with an upper-case `Nats-`.
    if (name.startsWith('Nats-')) continue;
    const value = headers?.get(name) ?? '';
    if (name === KEY_HEADER) key = value;
    else result[name] = value;
  }
  return { key, headers: result };
}

/** A message read from a stream by direct get. */
export function fromStoredMsg(topic: string, stored: StoredMsg): Message {
  return {
    topic,
    seq: stored.seq,
    ...fromNatsHeaders(stored.header),
    data: plainBytes(stored.data),
    time: stored.time,
  };
}

/** What the reply subject of a JetStream delivery says about it. */
export interface AckSubject {
  /** Deliveries of this message to the consumer, this one included. */
  deliveries: number;
  seq: number;
  time: Date;
  /** Messages left for the consumer after this one, when it was delivered. */
  pending: number;
}

/**
 * Parses a delivery's reply subject: `$JS.ACK.<stream>.<consumer>.<deliveries>.<stream seq>.
 * <consumer seq>.<time ns>.<pending>`, or the longer form with a domain and account hash.
 */
export function parseAckSubject(reply: string): AckSubject | null {
  const tokens = reply.split('.');
  if (tokens[0] !== '$JS' || tokens[1] !== 'ACK') return null;
  const at = tokens.length === 9 ? 4 : tokens.length >= 12 ? 6 : -1;
  if (at < 0) return null;
  const deliveries = Number(tokens[at]);
  const seq = Number(tokens[at + 1]);
  const nanos = tokens[at + 3] ?? '';
  const pending = Number(tokens[at + 4]);
  if (!Number.isInteger(deliveries) || !Number.isInteger(seq) || !/^\d+$/.test(nanos)) return null;
  return { deliveries, seq, time: new Date(Number(BigInt(nanos) / 1_000_000n)), pending };
}

/** A message a pull request delivered, with what its reply subject says. */
export function fromDelivered(topic: string, msg: Msg, ack: AckSubject): Message {
  return { topic, seq: ack.seq, ...fromNatsHeaders(msg.headers), data: plainBytes(msg.data), time: ack.time };
}

/** A plain Uint8Array view of bytes the client may hand out as a Buffer. */
function plainBytes(data: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(data) === Uint8Array.prototype
    ? data
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
