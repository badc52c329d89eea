/**
 * The topics API over a real workspace (embedded topics): create, produce, read, groups
 * and lag, replay (reset), rates, dead letters as a topic, and the 4xx answers that name
 * what is wrong.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileConfig } from '../src/cli/config.js';
import { openLocalWorkspace } from '../src/cli/workspace.js';
import { createApiApp } from '../src/server/http/index.js';
import { TopicRates } from '../src/server/topic-rates.js';
import { Service } from '../src/service/index.js';
import { tempProjects } from './helpers.js';

const project = tempProjects();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup() {
  const dir = await project({});
  const config = compileConfig({}, { SLUICE_HOME: join(dir, '.sluice') }, dir, false);
  const workspace = await openLocalWorkspace(config, 'http-topics test');
  closers.push(() => workspace.close());
  const service = new Service({ store: workspace.store, engine: workspace.engine, schedule: false });
  const topicRates = new TopicRates(workspace.topics, { intervalMs: 60_000 });
  const app = createApiApp({
    workspace,
    launcher: service,
    auth: { mode: 'open' },
    dev: false,
    ui: false,
    topicRates,
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await app.request(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { call, topics: workspace.topics, topicRates };
}

describe('the topics API', () => {
  it('creates a topic, produces and reads messages, and shows groups with their lag', async () => {
    const { call, topics, topicRates } = await setup();
    expect(await call('POST', '/api/topics', { name: 'events', config: { maxDeliveries: 3 } })).toMatchObject(
      {
        status: 201,
        body: {
          name: 'events',
          messages: 0,
          config: { maxDeliveries: 3, deadLetter: 'events.dlq' },
          rates: [],
        },
      },
    );
    const produced = await call('POST', '/api/topics/events/messages', {
      messages: [
        { key: 'a', value: { n: 1 }, id: 'one' },
        { value: 'plain text' },
        { value: Buffer.from([1, 2, 3]).toString('base64'), base64: true },
        { value: { n: 1 }, id: 'one' },
      ],
    });
    expect(produced).toEqual({ status: 200, body: { seqs: [1, 2, 3, 1] } });
    const read = await call('GET', '/api/topics/events/messages?fromSeq=1&limit=10');
    expect(
      (read.body.messages as Record<string, unknown>[]).map((message) => [
        message.seq,
        message.value,
        message.encoding,
      ]),
    ).toEqual([
      [1, { n: 1 }, 'json'],
      [2, 'plain text', 'json'],
      [3, 'AQID', 'base64'],
    ]);

    await topicRates.sample();
    const consumer = await topics.consumer('events', 'workers');
    await consumer.ack((await consumer.fetch({ max: 2, expiresMs: 500 })).slice(0, 1));
    await topicRates.sample();
    const shown = await call('GET', '/api/topics/events');
    expect(shown.body).toMatchObject({
      messages: 3,
      lastSeq: 3,
      groups: [{ name: 'workers', pending: 1, unacked: 1, lag: 2, ackFloor: 1 }],
    });
    expect((shown.body.rates as { consumed: Record<string, number> }[]).length).toBe(1);

    const reset = await call('POST', '/api/topics/events/groups/workers/reset', { position: 'earliest' });
    expect(reset).toMatchObject({ status: 200, body: { name: 'workers', lag: 3, unacked: 0 } });
    expect((await call('GET', '/api/topics')).body).toMatchObject({ topics: [{ name: 'events' }] });
    expect(await call('DELETE', '/api/topics/events/groups/workers')).toMatchObject({ status: 200 });
    expect(await call('DELETE', '/api/topics/events')).toMatchObject({
      status: 200,
      body: { deleted: 'events' },
    });
  });

  it('answers bad requests with the field and missing topics with their names', async () => {
    const { call } = await setup();
    await call('POST', '/api/topics', { name: 'events' });
    expect(await call('POST', '/api/topics', { name: 'events' })).toMatchObject({
      status: 409,
      body: { code: 'TOPIC_EXISTS' },
    });
    expect(await call('POST', '/api/topics', { name: 'Bad Name' })).toMatchObject({ status: 400 });
    expect(await call('GET', '/api/topics/nothing')).toMatchObject({
      status: 404,
      body: { code: 'TOPIC_NOT_FOUND', message: expect.stringContaining('events') },
    });
    expect(
      await call('POST', '/api/topics/events/messages', { messages: [{ value: 'x' }, { key: 1 }] }),
    ).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('messages') },
    });
    expect(
      await call('POST', '/api/topics/events/messages', { messages: [{ value: '%%%', base64: true }] }),
    ).toMatchObject({ status: 400, body: { message: expect.stringContaining('messages[0].value') } });
    expect(await call('POST', '/api/topics/events/groups/nobody/reset', { seq: 1 })).toMatchObject({
      status: 404,
      body: { code: 'TOPIC_GROUP_NOT_FOUND' },
    });
    expect(await call('POST', '/api/topics/events/groups/nobody/reset', {})).toMatchObject({ status: 400 });
    expect(await call('GET', '/api/topics/events/messages?fromTime=yesterday')).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('query.fromTime') },
    });
  });
});
