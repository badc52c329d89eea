/** Consumer groups as durable consumers: creating one at a start position, deleting, listing. */
import { SluiceError } from '../../core/index.js';
import type { GroupInfo, StartPosition } from '../topics.js';
import type { NatsContext } from './nats-context.js';
import { isConsumerNotFound } from './nats-errors.js';
import { decodeName } from './nats-names.js';
import { seqAtTime } from './nats-reads.js';
import { groupConsumerConfig, toGroupInfo, type TopicStream } from './nats-streams.js';

const NO_COUNTS = { deadLettered: 0, redelivered: 0 };

/** Throws `USAGE` unless `start` is a start position. */
export function checkStart(start: StartPosition): void {
  if (start === 'earliest' || start === 'latest') return;
  if (typeof start !== 'object' || start === null || !('seq' in start || 'time' in start)) {
    throw new SluiceError(
      'USAGE',
      `a start position must be 'earliest', 'latest', { seq } or { time }, found ${JSON.stringify(start)}`,
    );
  }
  if ('seq' in start) {
    if (!Number.isInteger(start.seq) || start.seq < 1) {
      throw new SluiceError(
        'USAGE',
        `a start seq must be an integer >= 1, found ${JSON.stringify(start.seq)}`,
      );
    }
  } else if (!(start.time instanceof Date) || Number.isNaN(start.time.getTime())) {
    throw new SluiceError('USAGE', 'a start time must be a valid date');
  }
}

/** Creates the durable consumer of `group` starting at `start` (unless another member just did). */
export async function createGroup(
  ctx: NatsContext,
  stream: TopicStream,
  group: string,
  start: StartPosition,
): Promise<void> {
  const { jsm, names } = ctx;
  const after = await startAfter(ctx, stream, start);
  await ctx.call(`creating group '${group}' on topic '${stream.name}'`, async () => {
    try {
      await jsm.consumers.add(
        names.stream(stream.name),
        groupConsumerConfig(names, group, stream.config, after),
      );
    } catch (error) {
      // Another member created the group meanwhile: join it as it is.
      await jsm.consumers
        .info(names.stream(stream.name), names.durable(group))
        .catch(() => Promise.reject(error));
    }
  });
}

/** Deletes the durable consumer of `group`; `TOPIC_GROUP_NOT_FOUND` names the groups that exist. */
export async function deleteGroupConsumer(
  ctx: NatsContext,
  stream: TopicStream,
  group: string,
): Promise<void> {
  const { jsm, names } = ctx;
  const deleted = await ctx.call(`deleting group '${group}' of topic '${stream.name}'`, async () => {
    try {
      return await jsm.consumers.delete(names.stream(stream.name), names.durable(group));
    } catch (error) {
      if (isConsumerNotFound(error)) return false;
      throw error;
    }
  });
  if (!deleted) throw await groupNotFound(ctx, stream, group);
}

/** The groups of a topic with their progress, by name. */
export async function listGroups(ctx: NatsContext, stream: TopicStream): Promise<GroupInfo[]> {
  const { jsm, names, counters } = ctx;
  return ctx.call(`reading the groups of topic '${stream.name}'`, async () => {
    const infos = [];
    for await (const info of jsm.consumers.list(names.stream(stream.name))) infos.push(info);
    const counts = await counters.read(
      stream.name,
      infos.map((info) => decodeName(info.name)),
    );
    return infos
      .map((info) => toGroupInfo(stream.name, info, counts.get(decodeName(info.name)) ?? NO_COUNTS))
      .sort((a, b) => a.name.localeCompare(b.name));
  });
}

/** One group of a topic; `TOPIC_GROUP_NOT_FOUND` names the groups that exist. */
export async function readGroup(ctx: NatsContext, stream: TopicStream, group: string): Promise<GroupInfo> {
  const found = (await listGroups(ctx, stream)).find((info) => info.name === group);
  if (found === undefined) throw await groupNotFound(ctx, stream, group);
  return found;
}

async function groupNotFound(ctx: NatsContext, stream: TopicStream, group: string): Promise<SluiceError> {
  const groups = (await listGroups(ctx, stream)).map((info) => info.name);
  const existing = groups.length === 0 ? 'it has no groups' : `groups: ${groups.join(', ')}`;
  return new SluiceError(
    'TOPIC_GROUP_NOT_FOUND',
    `topic '${stream.name}' has no consumer group '${group}'; ${existing}`,
    {
      details: { topic: stream.name, group, groups },
    },
  );
}

/** The last seq before `start`: 0 for the oldest message. */
async function startAfter(ctx: NatsContext, stream: TopicStream, start: StartPosition): Promise<number> {
  const { messages, first_seq: first, last_seq: last } = stream.info.state;
  if (start === 'earliest') return 0;
  if (start === 'latest') return last;
  if ('seq' in start) return start.seq - 1;
  if (messages === 0) return last;
  return (await seqAtTime(ctx, stream.name, start.time, first, last)) - 1;
}
