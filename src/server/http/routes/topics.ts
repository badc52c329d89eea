/**
 * Topics over HTTP: list and inspect them with their groups, lag and rates; create, change
 * and delete them; produce and read messages; replay a group (reset) or remove it. Dead
 * letters are a topic of their own (`config.deadLetter`), read with the same routes.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { SluiceError, parseIsoTime } from '../../../core/index.js';
import {
  BYTES_TYPE,
  messageValue,
  type GroupInfo,
  type Message,
  type ProduceMessage,
  type StartPosition,
  type TopicInfo,
  type Topics,
} from '../../../streams/index.js';
import type { ApiApp } from '../app.js';
import type { ApiDeps } from '../deps.js';
import { ok } from '../respond.js';
import { errorResponses, intQuery, jsonContent, pathParam } from '../schemas.js';

const Name = z.object({ name: pathParam('name', 'topic name') });
const NameGroup = z.object({
  name: pathParam('name', 'topic name'),
  group: pathParam('group', 'consumer group'),
});

const ConfigSchema = z
  .object({
    maxAgeMs: z
      .number()
      .int()
      .positive()
      .nullable()
      .openapi({ description: 'drop older messages; null: keep' }),
    maxBytes: z.number().int().positive().nullable().openapi({ description: 'keep at most this many bytes' }),
    maxDeliveries: z.number().int().positive().openapi({ description: 'deliveries before dead-lettering' }),
    ackWaitMs: z
      .number()
      .int()
      .positive()
      .openapi({ description: 'redelivery after this long without an ack' }),
    deadLetter: z.string().nullable().openapi({ description: 'the dead-letter topic; null: dropped' }),
  })
  .openapi('TopicConfig');

const GroupSchema = z
  .object({
    topic: z.string(),
    name: z.string(),
    pending: z.number().openapi({ description: 'not yet delivered' }),
    unacked: z.number().openapi({ description: 'delivered, waiting for an ack' }),
    lag: z.number().openapi({ description: 'pending + unacked' }),
    ackFloor: z.number().openapi({ description: 'every seq at or below is acked' }),
    delivered: z.number().openapi({ description: 'the highest seq delivered' }),
    redelivered: z.number(),
    deadLettered: z.number(),
  })
  .openapi('TopicGroup');

const TopicSchema = z
  .object({
    name: z.string(),
    config: ConfigSchema,
    messages: z.number(),
    bytes: z.number(),
    firstSeq: z.number(),
    lastSeq: z.number(),
    createdAt: z.string(),
    lastProducedAt: z.string().nullable(),
    groups: z.array(GroupSchema),
    rates: z
      .array(z.object({ time: z.string(), produced: z.number(), consumed: z.record(z.string(), z.number()) }))
      .openapi({
        description: 'messages/s produced and acked per group, sampled every few seconds (last hour)',
      }),
  })
  .openapi('Topic');

const MessageSchema = z
  .object({
    seq: z.number(),
    key: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    time: z.string(),
    size: z.number(),
    value: z.unknown(),
    encoding: z.enum(['json', 'text', 'base64']),
  })
  .openapi('TopicMessage');

const ConfigInput = ConfigSchema.partial();

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/topics',
    tags: ['topics'],
    summary: 'Topics with their extent, groups, lag and rates',
    responses: { 200: jsonContent(z.object({ topics: z.array(TopicSchema) }), 'topics') },
  }),
  get: createRoute({
    method: 'get',
    path: '/api/topics/{name}',
    tags: ['topics'],
    request: { params: Name },
    responses: { 200: jsonContent(TopicSchema, 'the topic'), ...errorResponses(404) },
  }),
  create: createRoute({
    method: 'post',
    path: '/api/topics',
    tags: ['topics'],
    summary: 'Create a topic',
    request: {
      body: jsonContent(z.object({ name: z.string(), config: ConfigInput.optional() }), 'the topic'),
    },
    responses: { 201: jsonContent(TopicSchema, 'the new topic'), ...errorResponses(400, 409) },
  }),
  update: createRoute({
    method: 'patch',
    path: '/api/topics/{name}',
    tags: ['topics'],
    summary: "Change a topic's config (retention applies at once)",
    request: { params: Name, body: jsonContent(z.object({ config: ConfigInput }), 'the changes') },
    responses: { 200: jsonContent(TopicSchema, 'the topic'), ...errorResponses(400, 404) },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/api/topics/{name}',
    tags: ['topics'],
    summary: 'Delete a topic with its messages and groups',
    request: { params: Name },
    responses: { 200: jsonContent(z.object({ deleted: z.string() }), 'deleted'), ...errorResponses(404) },
  }),
  produce: createRoute({
    method: 'post',
    path: '/api/topics/{name}/messages',
    tags: ['topics'],
    summary: 'Produce messages (in order; an id produced before is dropped)',
    request: {
      params: Name,
      body: jsonContent(
        z.object({
          messages: z
            .array(
              z.object({
                key: z.string().optional(),
                value: z.unknown(),
                headers: z.record(z.string(), z.string()).optional(),
                id: z.string().min(1).optional(),
                base64: z.boolean().optional().openapi({ description: 'value is a base64 string of bytes' }),
              }),
            )
            .min(1)
            .max(10_000),
        }),
        'the messages',
      ),
    },
    responses: {
      200: jsonContent(z.object({ seqs: z.array(z.number()) }), 'their seqs'),
      ...errorResponses(400, 404),
    },
  }),
  read: createRoute({
    method: 'get',
    path: '/api/topics/{name}/messages',
    tags: ['topics'],
    summary: 'Read retained messages in seq order (no group)',
    request: {
      params: Name,
      query: z.object({
        fromSeq: intQuery('fromSeq', 'first seq (default: the oldest retained)', Number.MAX_SAFE_INTEGER),
        fromTime: z
          .string()
          .optional()
          .openapi({ description: 'first publish time (ISO), when fromSeq is not given' }),
        limit: intQuery('limit', 'how many (default 100, at most 1000)', 1000),
      }),
    },
    responses: {
      200: jsonContent(z.object({ messages: z.array(MessageSchema) }), 'messages'),
      ...errorResponses(400, 404),
    },
  }),
  groups: createRoute({
    method: 'get',
    path: '/api/topics/{name}/groups',
    tags: ['topics'],
    request: { params: Name },
    responses: {
      200: jsonContent(z.object({ groups: z.array(GroupSchema) }), 'groups'),
      ...errorResponses(404),
    },
  }),
  reset: createRoute({
    method: 'post',
    path: '/api/topics/{name}/groups/{group}/reset',
    tags: ['topics'],
    summary: 'Move a group to a seq, a time, the earliest or the latest message (replay)',
    request: {
      params: NameGroup,
      body: jsonContent(
        z.object({
          seq: z.number().int().positive().optional(),
          time: z.string().optional(),
          position: z.enum(['earliest', 'latest']).optional(),
        }),
        'where to',
      ),
    },
    responses: { 200: jsonContent(GroupSchema, 'the group'), ...errorResponses(400, 404) },
  }),
  removeGroup: createRoute({
    method: 'delete',
    path: '/api/topics/{name}/groups/{group}',
    tags: ['topics'],
    request: { params: NameGroup },
    responses: { 200: jsonContent(z.object({ deleted: z.string() }), 'deleted'), ...errorResponses(404) },
  }),
};

/** A message as the API shows it: JSON and text decoded, bytes as base64. */
export function messageBody(message: Message): z.infer<typeof MessageSchema> {
  const base = {
    seq: message.seq,
    key: message.key,
    headers: message.headers,
    time: message.time.toISOString(),
    size: message.data.byteLength,
  };
  try {
    const value = messageValue(message);
    if (value instanceof Uint8Array)
      return { ...base, value: Buffer.from(value).toString('base64'), encoding: 'base64' };
    return {
      ...base,
      value,
      encoding:
        typeof value === 'string' && !message.headers['content-type']?.includes('json') ? 'text' : 'json',
    };
  } catch {
    return { ...base, value: Buffer.from(message.data).toString('base64'), encoding: 'base64' };
  }
}

/** Registers the topic routes; rates come from the server's sampler (`deps.topicRates`), if any. */
export function registerTopicRoutes(app: ApiApp, deps: ApiDeps): void {
  const topics: Topics | undefined = deps.workspace.topics;
  const rates = deps.topicRates;
  const open = (): Topics => {
    if (!topics) throw new SluiceError('TOPIC_UNAVAILABLE', 'this server has no topics open');
    return topics;
  };
  const summary = (info: TopicInfo) => ({
    ...info,
    createdAt: info.createdAt.toISOString(),
    lastProducedAt: info.lastProducedAt?.toISOString() ?? null,
    rates: rates?.of(info.name) ?? [],
  });
  const group = (info: GroupInfo) => info;

  app.openapi(routes.list, async (c) => ok(c, { topics: (await open().list()).map(summary) }));
  app.openapi(routes.get, async (c) => ok(c, summary(await open().get(c.req.valid('param').name))));
  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    return c.json(summary(await open().create(body.name, body.config ?? {})), 201);
  });
  app.openapi(routes.update, async (c) =>
    ok(c, summary(await open().update(c.req.valid('param').name, c.req.valid('json').config))),
  );
  app.openapi(routes.remove, async (c) => {
    const { name } = c.req.valid('param');
    await open().delete(name);
    return ok(c, { deleted: name });
  });
  app.openapi(routes.produce, async (c) => {
    const { name } = c.req.valid('param');
    const messages: ProduceMessage[] = c.req.valid('json').messages.map((message, index) => {
      let value: unknown = message.value;
      const headers = { ...message.headers };
      if (message.base64) {
        if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
          throw new SluiceError(
            'INVALID_REQUEST',
            `messages[${index}].value: expected a base64 string (base64: true)`,
          );
        }
        value = new Uint8Array(Buffer.from(value, 'base64'));
        headers['content-type'] ??= BYTES_TYPE;
      } else if (value === undefined) {
        throw new SluiceError(
          'INVALID_REQUEST',
          `messages[${index}].value: missing; expected any JSON value`,
        );
      }
      return {
        value,
        headers,
        ...(message.key !== undefined ? { key: message.key } : {}),
        ...(message.id !== undefined ? { id: message.id } : {}),
      };
    });
    return ok(c, { seqs: await open().produce(name, messages) });
  });
  app.openapi(routes.read, async (c) => {
    const { name } = c.req.valid('param');
    const query = c.req.valid('query');
    const messages = await open().read(name, {
      limit: query.limit ?? 100,
      ...(query.fromSeq !== undefined ? { fromSeq: query.fromSeq } : {}),
      ...(query.fromSeq === undefined && query.fromTime !== undefined
        ? { fromTime: parseIsoTime(query.fromTime, 'query.fromTime', 'INVALID_REQUEST') }
        : {}),
    });
    return ok(c, { messages: messages.map(messageBody) });
  });
  app.openapi(routes.groups, async (c) =>
    ok(c, { groups: (await open().groups(c.req.valid('param').name)).map(group) }),
  );
  app.openapi(routes.reset, async (c) => {
    const { name, group: groupName } = c.req.valid('param');
    const body = c.req.valid('json');
    const given = [body.seq, body.time, body.position].filter((item) => item !== undefined);
    if (given.length !== 1) {
      throw new SluiceError(
        'INVALID_REQUEST',
        'body: give exactly one of seq, time or position (earliest, latest)',
      );
    }
    const start: StartPosition =
      body.seq !== undefined
        ? { seq: body.seq }
        : body.time !== undefined
          ? { time: parseIsoTime(body.time, 'body.time', 'INVALID_REQUEST') }
          : (body.position ?? 'earliest');
    return ok(c, group(await open().resetGroup(name, groupName, start)));
  });
  app.openapi(routes.removeGroup, async (c) => {
    const { name, group: groupName } = c.req.valid('param');
    await open().deleteGroup(name, groupName);
    return ok(c, { deleted: groupName });
  });
}
