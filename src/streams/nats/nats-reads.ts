/** Reading a topic without a group: direct gets by seq, and finding a seq by publish time. */
import type { StoredMsg } from '@nats-io/jetstream';
import type { Message } from '../topics.js';
import type { NatsContext } from './nats-context.js';
import { fromStoredMsg } from './nats-messages.js';

/** How many direct gets a read keeps in flight. */
const READ_CONCURRENCY = 512;

/** Retained messages of `topic` by seq, in the order given (a seq not retained is left out). */
export async function readSeqs(ctx: NatsContext, topic: string, seqs: readonly number[]): Promise<Message[]> {
  const { jsm, names } = ctx;
  const stream = names.stream(topic);
  const found: (StoredMsg | null)[] = [];
  await ctx.call(`reading topic '${topic}'`, async () => {
    for (let at = 0; at < seqs.length; at += READ_CONCURRENCY) {
      const chunk = seqs.slice(at, at + READ_CONCURRENCY);
      found.push(...(await Promise.all(chunk.map((seq) => jsm.direct.getMessage(stream, { seq })))));
    }
  });
  return found.flatMap((stored) => (stored === null ? [] : [fromStoredMsg(topic, stored)]));
}

/**
 * The first seq in `[first, last]` of `topic` published at or after `time` (`last + 1` when
 * none), by binary search: JetStream 2.9 cannot get a message by time directly.
 */
export async function seqAtTime(
  ctx: NatsContext,
  topic: string,
  time: Date,
  first: number,
  last: number,
): Promise<number> {
  let low = first;
  let high = last + 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const [message] = await readSeqs(ctx, topic, [middle]);
    // A message gone meanwhile was older than any retained one.
    if (message === undefined || message.time < time) low = middle + 1;
    else high = middle;
  }
  return low;
}
