export * from './topics.js';
export { encodeMessage, messageValue, checkName, resolveConfig, JSON_TYPE, BYTES_TYPE } from './codec.js';
export { openTopics, type OpenTopicsOptions } from './open.js';
export { createEmbeddedTopics } from './embedded/embedded-topics.js';
export { openNatsTopics } from './nats/nats-topics.js';
export { startMqttSource, mqttMessage } from './mqtt/mqtt-source.js';
export type { MqttSource, MqttSourceOptions } from './mqtt/mqtt-source.js';
export { ensureTopicOnce } from './ensure.js';
