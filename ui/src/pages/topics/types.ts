/** The topics API's shapes as the topic pages name them (from the generated `schema.d.ts`). */
import type { Topic, TopicGroup, TopicMessage as ApiTopicMessage } from '../../api/types';

/** A topic with its config, counters, groups and sampled rates. */
export type TopicSummary = Topic;
/** A consumer group's position and counters. */
export type GroupInfo = TopicGroup;
/** A retained message as the API renders it. */
export type TopicMessage = ApiTopicMessage;
/** One rate sample: messages/s produced, and acked per group. */
export type RateSample = Topic['rates'][number];

/** Where a replay moves a group. */
export type ResetTarget = { seq: number } | { time: string } | { position: 'earliest' | 'latest' };
