/**
 * Creating the topics steps publish to, once per backend and topic: `ensure` reads the
 * topic's extent, which costs a scan on the embedded backend, and publishing is on every
 * successful attempt's path.
 */
import type { Topics } from './topics.js';

const ensured = new WeakMap<Topics, Map<string, Promise<unknown>>>();

/** Creates `topic` unless it exists (at most once per `topics` and name; a failure is retried next time). */
export function ensureTopicOnce(topics: Topics, topic: string): Promise<unknown> {
  let names = ensured.get(topics);
  if (!names) {
    names = new Map();
    ensured.set(topics, names);
  }
  let pending = names.get(topic);
  if (!pending) {
    pending = topics.ensure(topic).catch((error: unknown) => {
      names.delete(topic);
      throw error;
    });
    names.set(topic, pending);
  }
  return pending;
}
