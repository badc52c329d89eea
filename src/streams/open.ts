/** Opening the configured topic backend: NATS JetStream when a URL is given, else the embedded one. */
import type { Logger } from '../core/index.js';
import type { MetadataStore } from '../store/index.js';
import { createEmbeddedTopics } from './embedded/embedded-topics.js';
import { openNatsTopics } from './nats/nats-topics.js';
import type { Topics } from './topics.js';

/** Options of {@link openTopics}. */
export interface OpenTopicsOptions {
  /** The metadata store, whose database holds the embedded topics. */
  store: MetadataStore;
  /** `SLUICE_NATS_URL`: topics live in NATS JetStream instead. */
  natsUrl?: string | undefined;
  logger?: Logger;
}

/** Opens the topic backend a deployment is configured for. */
export function openTopics(options: OpenTopicsOptions): Promise<Topics> {
  const logger = options.logger ? { logger: options.logger } : {};
  if (options.natsUrl) return openNatsTopics({ url: options.natsUrl, ...logger });
  return createEmbeddedTopics(options.store.sql, logger);
}
