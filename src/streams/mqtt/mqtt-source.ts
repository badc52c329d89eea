/**
 * An MQTT source: device data from a broker (Mosquitto...) into a topic. Each MQTT message
 * becomes one message: key = its MQTT topic, value = its JSON payload (or text, or bytes),
 * header `mqtt-topic`.
 *
 * With QoS 1 the broker's message is acknowledged only once the topic has it durably (the
 * client's `handleMessage` hook answers after produce resolved), and the session is
 * persistent (`clean: false`, a stable client id), so messages published while the source
 * was down arrive when it comes back: none is lost between the broker and the topic.
 */
import { connect, type IPublishPacket, type MqttClient } from 'mqtt';
import { SluiceError, type Logger } from '../../core/index.js';
import { BYTES_TYPE } from '../codec.js';
import type { ProduceMessage, Topics } from '../topics.js';

/** Options of {@link startMqttSource}. */
export interface MqttSourceOptions {
  /** The broker, e.g. `mqtt://127.0.0.1:1883`. */
  url: string;
  /** Topic filters to subscribe to (`sensors/#`, `hive/+/temperature`). */
  filters: string[];
  topics: Topics;
  /** The Sluice topic messages go to. */
  topic: string;
  /** 1 (default): at least once, acked after produce; 0: at most once. */
  qos?: 0 | 1;
  /** The MQTT client id; default one derived from the topic, so a restart resumes its session. */
  clientId?: string;
  logger?: Logger;
}

/** A running source. */
export interface MqttSource {
  stats(): { received: number; produced: number };
  close(): Promise<void>;
}

/** The message an MQTT publish becomes. */
export function mqttMessage(mqttTopic: string, payload: Buffer): ProduceMessage {
  const headers = { 'mqtt-topic': mqttTopic };
  const text = payload.toString('utf8');
  const utf8 = Buffer.from(text, 'utf8').equals(payload);
  if (utf8) {
    try {
      return { key: mqttTopic, value: JSON.parse(text) as unknown, headers };
    } catch {
      return {
        key: mqttTopic,
        value: new TextEncoder().encode(text),
        headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
      };
    }
  }
  return {
    key: mqttTopic,
    value: new Uint8Array(payload),
    headers: { ...headers, 'content-type': BYTES_TYPE },
  };
}

/** Subscribes to the broker and feeds the topic until {@link MqttSource.close}. */
export async function startMqttSource(options: MqttSourceOptions): Promise<MqttSource> {
  if (options.filters.length === 0)
    throw new SluiceError('USAGE', 'an MQTT source needs at least one topic filter');
  const qos = options.qos ?? 1;
  let received = 0;
  let produced = 0;
  // NOTE: the hook is set before the connection opens: a persistent session's queued
  // messages arrive right after the handshake, and must not reach the default handler.
  const client: MqttClient = connect(options.url, {
    clientId: options.clientId ?? `sluice-${options.topic}`,
    clean: qos === 0,
    connectTimeout: 5000,
    reconnectPeriod: 1000,
  });
  // The client waits for this callback before it acknowledges a QoS 1 message, and before
  // it reads the next packet: order is kept, and nothing is acked before it is durable.
  client.handleMessage = (packet: IPublishPacket, done: (error?: Error) => void) => {
    received += 1;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    options.topics.produce(options.topic, [mqttMessage(packet.topic, payload)]).then(
      () => {
        produced += 1;
        done();
      },
      (error: unknown) => {
        options.logger?.error({ err: error, mqttTopic: packet.topic }, 'MQTT source: produce failed');
        // Not acknowledged: the broker delivers it again after a reconnect.
        done(error as Error);
      },
    );
  };
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error('the connection closed')));
    });
  } catch (error) {
    await client.endAsync(true);
    throw new SluiceError(
      'TOPIC_UNAVAILABLE',
      `cannot reach the MQTT broker at ${options.url}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  try {
    await client.subscribeAsync(options.filters, { qos });
  } catch (error) {
    await client.endAsync();
    throw new SluiceError(
      'TOPIC_UNAVAILABLE',
      `MQTT subscribe to ${options.filters.join(', ')} failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return {
    stats: () => ({ received, produced }),
    async close() {
      await client.endAsync();
    },
  };
}
