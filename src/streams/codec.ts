/**
 * Message payloads: bytes travel as they are; any other value is JSON. The encoding is
 * named in the `content-type` header, so readers (CLI, UI, pipeline steps) decode alike.
 */
import { SluiceError } from '../core/index.js';
import {
  DEFAULT_TOPIC_CONFIG,
  TOPIC_NAME,
  type Message,
  type ProduceMessage,
  type TopicConfig,
} from './topics.js';

export const JSON_TYPE = 'application/json';
export const BYTES_TYPE = 'application/octet-stream';

/** A message's payload and headers as stored. */
export interface EncodedMessage {
  key: string | null;
  data: Uint8Array;
  headers: Record<string, string>;
  id: string | null;
}

/** Encodes a message to produce; `MESSAGE_INVALID` names what is wrong and where (`index`). */
export function encodeMessage(message: ProduceMessage, index = 0): EncodedMessage {
  const where = `message ${index}`;
  if (message === null || typeof message !== 'object') {
    throw new SluiceError('MESSAGE_INVALID', `${where}: expected an object with a 'value'`);
  }
  if (message.key !== undefined && typeof message.key !== 'string') {
    throw new SluiceError('MESSAGE_INVALID', `${where}: 'key' must be a string`);
  }
  if (message.id !== undefined && (typeof message.id !== 'string' || message.id === '')) {
    throw new SluiceError('MESSAGE_INVALID', `${where}: 'id' must be a non-empty string`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (typeof value !== 'string') {
      throw new SluiceError('MESSAGE_INVALID', `${where}: header '${name}' must be a string`);
    }
    headers[name.toLowerCase()] = value;
  }
  let data: Uint8Array;
  if (message.value instanceof Uint8Array) {
    data = message.value;
    headers['content-type'] ??= BYTES_TYPE;
  } else {
    if (message.value === undefined) {
      throw new SluiceError('MESSAGE_INVALID', `${where}: 'value' is missing`);
    }
    data = new TextEncoder().encode(JSON.stringify(message.value));
    headers['content-type'] = JSON_TYPE;
  }
  return { key: message.key ?? null, data, headers, id: message.id ?? null };
}

/** A message's payload decoded: JSON when its content type says so, bytes otherwise. */
export function messageValue(message: Pick<Message, 'data' | 'headers'>): unknown {
  const type = message.headers['content-type'] ?? '';
  if (type.startsWith(JSON_TYPE)) return JSON.parse(new TextDecoder().decode(message.data)) as unknown;
  if (type.startsWith('text/')) return new TextDecoder().decode(message.data);
  return message.data;
}

/** Throws `USAGE` unless `name` is a valid topic or group name. */
export function checkName(name: string, what: 'topic' | 'group'): void {
  if (!TOPIC_NAME.test(name)) {
    throw new SluiceError(
      'USAGE',
      `${what} name '${name}' is invalid: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit (at most 128)`,
    );
  }
}

/** A full topic config from a partial one, checked: `USAGE` names the field that is wrong. */
export function resolveConfig(
  name: string,
  config: Partial<TopicConfig> = {},
  base?: TopicConfig,
): TopicConfig {
  const resolved: TopicConfig = {
    ...DEFAULT_TOPIC_CONFIG,
    deadLetter: name.endsWith('.dlq') ? null : `${name}.dlq`,
    ...base,
    ...config,
  };
  const positive = (field: keyof TopicConfig, value: number | null, nullable: boolean) => {
    if (value === null && nullable) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new SluiceError(
        'USAGE',
        `topic '${name}': ${field} must be a positive integer${nullable ? ' or null' : ''}, found ${JSON.stringify(value)}`,
      );
    }
  };
  positive('maxAgeMs', resolved.maxAgeMs, true);
  positive('maxBytes', resolved.maxBytes, true);
  positive('maxDeliveries', resolved.maxDeliveries, false);
  positive('ackWaitMs', resolved.ackWaitMs, false);
  if (resolved.deadLetter !== null) {
    checkName(resolved.deadLetter, 'topic');
    if (resolved.deadLetter === name) {
      throw new SluiceError('USAGE', `topic '${name}': deadLetter must name another topic`);
    }
  }
  return resolved;
}
