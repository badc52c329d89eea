/**
 * `sluice topic ...`: topics from the command line — create, list, show, delete, produce,
 * read, consume with a group, lag, reset (replay), and an MQTT source. Against the data
 * directory (embedded topics, or NATS with SLUICE_NATS_URL), or a server that owns it.
 */
import { readFile } from 'node:fs/promises';
import { pc } from '../colors.js';
import { SluiceError, parseIsoTime } from '../../core/index.js';
import type { SluiceClient } from '../../client/index.js';
import { parseDuration } from '../../spec/index.js';
import {
  messageValue,
  openNatsTopics,
  startMqttSource,
  type GroupInfo,
  type Message,
  type ProduceMessage,
  type StartPosition,
  type TopicConfig,
  type TopicInfo,
  type Topics,
} from '../../streams/index.js';
import type { CliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { integerFlag } from '../flags.js';
import { json, type Io } from '../io.js';
import { serverFor } from '../server-client.js';
import { withWorkspace } from '../workspace.js';

/** What the commands use of a backend, local or over a server's API. */
type TopicsAccess = Pick<
  Topics,
  'create' | 'list' | 'get' | 'delete' | 'produce' | 'read' | 'groups' | 'resetGroup'
>;

const segment = encodeURIComponent;

/** Runs `fn` with the topics of the configured server, or of the data directory. */
async function withTopics<T>(
  config: CliConfig,
  command: string,
  fn: (topics: TopicsAccess) => Promise<T>,
): Promise<T> {
  const client = await serverFor(config);
  if (client) return fn(remoteTopics(client));
  return withWorkspace(config, command, ({ topics }) => fn(topics));
}

interface TopicBody extends Omit<TopicInfo, 'createdAt' | 'lastProducedAt'> {
  createdAt: string;
  lastProducedAt: string | null;
}

function topicOf(body: TopicBody): TopicInfo {
  return {
    ...body,
    createdAt: new Date(body.createdAt),
    lastProducedAt: body.lastProducedAt === null ? null : new Date(body.lastProducedAt),
  };
}

function remoteTopics(client: SluiceClient): TopicsAccess {
  return {
    create: async (name, config = {}) =>
      topicOf(await client.json<TopicBody>('POST', '/api/topics', { json: { name, config } })),
    list: async () => (await client.json<{ topics: TopicBody[] }>('GET', '/api/topics')).topics.map(topicOf),
    get: async (name) => topicOf(await client.json<TopicBody>('GET', `/api/topics/${segment(name)}`)),
    delete: async (name) => {
      await client.json('DELETE', `/api/topics/${segment(name)}`);
    },
    produce: async (name, messages) =>
      (
        await client.json<{ seqs: number[] }>('POST', `/api/topics/${segment(name)}/messages`, {
          json: {
            messages: messages.map((message) =>
              message.value instanceof Uint8Array
                ? { ...message, value: Buffer.from(message.value).toString('base64'), base64: true }
                : message,
            ),
          },
        })
      ).seqs,
    read: async (name, options = {}) => {
      const query: Record<string, string> = { limit: String(options.limit ?? 100) };
      if (options.fromSeq !== undefined) query.fromSeq = String(options.fromSeq);
      else if (options.fromTime !== undefined) query.fromTime = options.fromTime.toISOString();
      const { messages } = await client.json<{
        messages: {
          seq: number;
          key: string | null;
          headers: Record<string, string>;
          time: string;
          value: unknown;
          encoding: string;
        }[];
      }>('GET', `/api/topics/${segment(name)}/messages`, { query });
      return messages.map((message) => ({
        topic: name,
        seq: message.seq,
        key: message.key,
        headers: message.headers,
        time: new Date(message.time),
        data:
          message.encoding === 'base64'
            ? new Uint8Array(Buffer.from(String(message.value), 'base64'))
            : new TextEncoder().encode(JSON.stringify(message.value)),
      }));
    },
    groups: async (name) =>
      (await client.json<{ groups: GroupInfo[] }>('GET', `/api/topics/${segment(name)}/groups`)).groups,
    resetGroup: (name, group, start) =>
      client.json<GroupInfo>('POST', `/api/topics/${segment(name)}/groups/${segment(group)}/reset`, {
        json:
          start === 'earliest' || start === 'latest'
            ? { position: start }
            : 'seq' in start
              ? { seq: start.seq }
              : { time: start.time.toISOString() },
      }),
  };
}

function duration(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDuration(/^\d+$/.test(value) ? Number(value) : value);
  } catch {
    throw new SluiceError(
      'USAGE',
      `${flag}: expected a duration like 500ms, 30s, 5m or 7d... found '${value}'`,
    );
  }
}

const SIZES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** `512MB`, `1GB`, `2048` (bytes; units are powers of 1024). */
function size(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?b)?$/i.exec(value.trim());
  if (!match) throw new SluiceError('USAGE', `${flag}: expected a size like 512MB or 1GB, found '${value}'`);
  return Math.round(Number(match[1]) * (SIZES[(match[2] ?? 'b').toLowerCase()] ?? 1));
}

function days(flag: string, value: string | undefined): number | undefined {
  if (value !== undefined && /^\d+(\.\d+)?d$/.test(value))
    return Math.round(Number(value.slice(0, -1)) * 86_400_000);
  return duration(flag, value);
}

/** A message as one JSON line: seq, key, time, headers, value (bytes as base64). */
function line(message: Message & { deliveries?: number }): string {
  let value: unknown;
  try {
    const decoded = messageValue(message);
    value = decoded instanceof Uint8Array ? { $base64: Buffer.from(decoded).toString('base64') } : decoded;
  } catch {
    value = { $base64: Buffer.from(message.data).toString('base64') };
  }
  return `${JSON.stringify({
    seq: message.seq,
    key: message.key,
    time: message.time.toISOString(),
    headers: message.headers,
    ...(message.deliveries !== undefined ? { deliveries: message.deliveries } : {}),
    value,
  })}\n`;
}

function describeConfig(config: TopicConfig): string {
  const retention = [
    config.maxAgeMs !== null ? `max age ${config.maxAgeMs} ms` : null,
    config.maxBytes !== null ? `max ${config.maxBytes} bytes` : null,
  ].filter(Boolean);
  return `${retention.length ? retention.join(', ') : 'keeps everything'}; ack wait ${config.ackWaitMs} ms; ${config.maxDeliveries} deliveries, then ${config.deadLetter ?? 'dropped'}`;
}

function groupTable(groups: GroupInfo[], io: Io): void {
  const columns = ['GROUP', 'PENDING', 'UNACKED', 'LAG', 'ACK FLOOR', 'REDELIVERED', 'DEAD-LETTERED'];
  io.out(
    `${pc.bold(columns[0]!.padEnd(28))}${columns
      .slice(1)
      .map((column) => pc.bold(column.padStart(14)))
      .join('')}\n`,
  );
  for (const group of groups) {
    const cells = [
      group.pending,
      group.unacked,
      group.lag,
      group.ackFloor,
      group.redelivered,
      group.deadLettered,
    ];
    io.out(`${group.name.padEnd(28)}${cells.map((cell) => String(cell).padStart(14)).join('')}\n`);
  }
}

/** `sluice topic create NAME [...]`. */
export async function topicCreate(
  name: string,
  options: {
    maxAge?: string;
    maxBytes?: string;
    maxDeliveries?: string;
    ackWait?: string;
    deadLetter?: string | false;
    json?: boolean;
  },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const topicConfig: Partial<TopicConfig> = {};
  const maxAge = days('--max-age', options.maxAge);
  if (maxAge !== undefined) topicConfig.maxAgeMs = maxAge;
  const maxBytes = size('--max-bytes', options.maxBytes);
  if (maxBytes !== undefined) topicConfig.maxBytes = maxBytes;
  const deliveries = integerFlag('--max-deliveries', options.maxDeliveries, 1);
  if (deliveries !== undefined) topicConfig.maxDeliveries = deliveries;
  const ackWait = duration('--ack-wait', options.ackWait);
  if (ackWait !== undefined) topicConfig.ackWaitMs = ackWait;
  if (options.deadLetter === false) topicConfig.deadLetter = null;
  else if (typeof options.deadLetter === 'string') topicConfig.deadLetter = options.deadLetter;
  return withTopics(config, 'sluice topic create', async (topics) => {
    const info = await topics.create(name, topicConfig);
    if (options.json) io.out(json(info));
    else io.out(`created topic ${pc.bold(name)}: ${describeConfig(info.config)}\n`);
    return EXIT.ok;
  });
}

/** `sluice topic list`. */
export async function topicList(options: { json?: boolean }, config: CliConfig, io: Io): Promise<number> {
  return withTopics(config, 'sluice topic list', async (topics) => {
    const list = await topics.list();
    if (options.json) {
      io.out(json(list));
      return EXIT.ok;
    }
    if (list.length === 0) {
      io.out('no topics yet: create one with `sluice topic create NAME`\n');
      return EXIT.ok;
    }
    io.out(
      `${pc.bold('TOPIC'.padEnd(28))}${pc.bold('MESSAGES'.padStart(10))}${pc.bold('LAST SEQ'.padStart(10))}${pc.bold('GROUPS'.padStart(8))}${pc.bold('LAG'.padStart(10))}\n`,
    );
    for (const topic of list) {
      const lag = topic.groups.reduce((sum, group) => sum + group.lag, 0);
      io.out(
        `${topic.name.padEnd(28)}${String(topic.messages).padStart(10)}${String(topic.lastSeq).padStart(10)}${String(topic.groups.length).padStart(8)}${String(lag).padStart(10)}\n`,
      );
    }
    return EXIT.ok;
  });
}

/** `sluice topic show NAME`. */
export async function topicShow(
  name: string,
  options: { json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  return withTopics(config, 'sluice topic show', async (topics) => {
    const info = await topics.get(name);
    if (options.json) {
      io.out(json(info));
      return EXIT.ok;
    }
    io.out(
      `${pc.bold(info.name)}: ${info.messages} messages (${info.bytes} bytes), seq ${info.firstSeq}-${info.lastSeq}\n`,
    );
    io.out(`  ${describeConfig(info.config)}\n`);
    if (info.groups.length > 0) groupTable(info.groups, io);
    else io.out('  no consumer groups yet\n');
    return EXIT.ok;
  });
}

/** `sluice topic delete NAME`. */
export async function topicDelete(
  name: string,
  options: { json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  return withTopics(config, 'sluice topic delete', async (topics) => {
    await topics.delete(name);
    io.out(options.json ? json({ deleted: name }) : `deleted topic ${name}\n`);
    return EXIT.ok;
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `sluice topic produce NAME [VALUE...|-] [--key K] [--header k=v] [--file PATH]`. */
export async function topicProduce(
  name: string,
  values: string[],
  options: { key?: string; header?: string[]; file?: string; json?: boolean },
  config: CliConfig,
  io: Io,
  stdin: () => Promise<string> = readStdin,
): Promise<number> {
  const headers: Record<string, string> = {};
  for (const header of options.header ?? []) {
    const at = header.indexOf('=');
    if (at <= 0) throw new SluiceError('USAGE', `--header ${header}: expected name=value`);
    headers[header.slice(0, at)] = header.slice(at + 1);
  }
  const base = { ...(options.key !== undefined ? { key: options.key } : {}), headers };
  const messages: ProduceMessage[] = [];
  if (options.file !== undefined) {
    let data: Buffer;
    try {
      data = await readFile(options.file);
    } catch (error) {
      throw new SluiceError('IO', `--file ${options.file}: ${(error as Error).message}`);
    }
    messages.push({ ...base, value: new Uint8Array(data) });
  }
  const texts =
    values.length === 1 && values[0] === '-'
      ? (await stdin()).split('\n').map((text, index) => ({ text, where: `stdin line ${index + 1}` }))
      : values.map((text, index) => ({ text, where: `value ${index + 1}` }));
  for (const { text, where } of texts) {
    if (text.trim() === '') continue;
    try {
      messages.push({ ...base, value: JSON.parse(text) as unknown });
    } catch (error) {
      throw new SluiceError('MESSAGE_INVALID', `${where} is not JSON: ${(error as Error).message}`);
    }
  }
  if (messages.length === 0) {
    throw new SluiceError(
      'USAGE',
      'nothing to produce: give JSON values, `-` for JSON lines on stdin, or --file',
    );
  }
  return withTopics(config, 'sluice topic produce', async (topics) => {
    const seqs: number[] = [];
    for (let start = 0; start < messages.length; start += 1000) {
      seqs.push(...(await topics.produce(name, messages.slice(start, start + 1000))));
    }
    io.out(
      options.json
        ? json({ seqs })
        : `produced ${seqs.length} message(s) to ${name}: seq ${seqs[0]}-${seqs.at(-1)}\n`,
    );
    return EXIT.ok;
  });
}

/** `sluice topic read NAME [--from-seq N|--from-time ISO] [--limit N]`: JSON lines, no group. */
export async function topicRead(
  name: string,
  options: { fromSeq?: string; fromTime?: string; limit?: string },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const fromSeq = integerFlag('--from-seq', options.fromSeq, 1);
  const limit = integerFlag('--limit', options.limit, 1) ?? 100;
  return withTopics(config, 'sluice topic read', async (topics) => {
    const messages = await topics.read(name, {
      limit,
      ...(fromSeq !== undefined ? { fromSeq } : {}),
      ...(fromSeq === undefined && options.fromTime !== undefined
        ? { fromTime: parseIsoTime(options.fromTime, '--from-time') }
        : {}),
    });
    for (const message of messages) io.out(line(message));
    return EXIT.ok;
  });
}

/**
 * `sluice topic consume NAME --group G`: prints messages as JSON lines and acks each batch
 * after printing it; stops after --max messages or once nothing came for --timeout, unless
 * --follow. It needs a group member, so the data directory or NATS (SLUICE_NATS_URL).
 */
export async function topicConsume(
  name: string,
  options: { group: string; max?: string; timeout?: string; ack?: boolean; follow?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const max = integerFlag('--max', options.max, 1) ?? Infinity;
  const timeoutMs = duration('--timeout', options.timeout) ?? 5000;
  const consume = async (topics: Topics): Promise<number> => {
    const consumer = await topics.consumer(name, options.group);
    let seen = 0;
    let stop = false;
    const onSignal = () => {
      stop = true;
    };
    process.once('SIGINT', onSignal);
    // NOTE: like a stream input, the idle clock runs only while fetches come back empty.
    let idleMs = 0;
    try {
      while (!stop && seen < max) {
        const asked = Date.now();
        const batch = await consumer.fetch({
          max: Math.min(500, max - seen),
          expiresMs: Math.max(1, Math.min(1000, options.follow ? 1000 : timeoutMs - idleMs)),
        });
        if (batch.length === 0) {
          idleMs += Date.now() - asked;
          if (!options.follow && idleMs >= timeoutMs) break;
          continue;
        }
        idleMs = 0;
        for (const message of batch) io.out(line(message));
        seen += batch.length;
        if (options.ack !== false) await consumer.ack(batch);
      }
    } finally {
      process.off('SIGINT', onSignal);
      await consumer.close();
    }
    return EXIT.ok;
  };
  if (config.natsUrl && (await serverFor(config))) {
    const topics = await openNatsTopics({ url: config.natsUrl });
    try {
      return await consume(topics);
    } finally {
      await topics.close();
    }
  }
  const client = await serverFor(config);
  if (client) {
    throw new SluiceError(
      'USAGE',
      `consuming needs a member of the group: the server at ${client.url} owns the data directory's topics; consume in a pipeline, run this where no server runs, or use NATS (SLUICE_NATS_URL)`,
    );
  }
  return withWorkspace(config, 'sluice topic consume', ({ topics }) => consume(topics));
}

/** `sluice topic lag NAME [--group G]`. */
export async function topicLag(
  name: string,
  options: { group?: string; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  return withTopics(config, 'sluice topic lag', async (topics) => {
    const groups = (await topics.groups(name)).filter(
      (group) => !options.group || group.name === options.group,
    );
    if (options.group && groups.length === 0) {
      throw new SluiceError(
        'TOPIC_GROUP_NOT_FOUND',
        `topic '${name}' has no consumer group '${options.group}'`,
      );
    }
    if (options.json) io.out(json(groups));
    else if (groups.length === 0) io.out(`topic ${name} has no consumer groups yet\n`);
    else groupTable(groups, io);
    return EXIT.ok;
  });
}

/** `sluice topic reset NAME GROUP --to-seq N|--to-time ISO|--earliest|--latest` (replay). */
export async function topicReset(
  name: string,
  group: string,
  options: { toSeq?: string; toTime?: string; earliest?: boolean; latest?: boolean; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const given = [options.toSeq, options.toTime, options.earliest, options.latest].filter((item) => item);
  if (given.length !== 1) {
    throw new SluiceError('USAGE', 'give exactly one of --to-seq N, --to-time ISO, --earliest, --latest');
  }
  const start: StartPosition = options.earliest
    ? 'earliest'
    : options.latest
      ? 'latest'
      : options.toSeq !== undefined
        ? { seq: integerFlag('--to-seq', options.toSeq, 1) ?? 1 }
        : { time: parseIsoTime(options.toTime ?? '', '--to-time') };
  return withTopics(config, 'sluice topic reset', async (topics) => {
    const info = await topics.resetGroup(name, group, start);
    io.out(options.json ? json(info) : `group ${group} of ${name} now has ${info.lag} message(s) to take\n`);
    return EXIT.ok;
  });
}

/** `sluice topic mqtt NAME --url mqtt://... --filter F...`: feeds MQTT messages into a topic until stopped. */
export async function topicMqtt(
  name: string,
  options: { url: string; filter: string[]; qos?: string },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const qos = options.qos === undefined ? 1 : Number(options.qos);
  if (qos !== 0 && qos !== 1)
    throw new SluiceError('USAGE', `--qos: expected 0 or 1, found '${options.qos}'`);
  if (await serverFor(config)) {
    if (!config.natsUrl) {
      throw new SluiceError(
        'USAGE',
        'a server owns the data directory: run the MQTT source where no server runs, or with topics in NATS (SLUICE_NATS_URL)',
      );
    }
    const topics = await openNatsTopics({ url: config.natsUrl });
    try {
      return await runMqtt(topics, name, options.url, options.filter, qos, io);
    } finally {
      await topics.close();
    }
  }
  return withWorkspace(config, 'sluice topic mqtt', ({ topics }) =>
    runMqtt(topics, name, options.url, options.filter, qos, io),
  );
}

async function runMqtt(
  topics: Topics,
  name: string,
  url: string,
  filters: string[],
  qos: 0 | 1,
  io: Io,
): Promise<number> {
  await topics.get(name);
  const source = await startMqttSource({ url, filters, topics, topic: name, qos });
  io.err(`feeding ${filters.join(', ')} from ${url} into topic ${name}; stop with Ctrl-C\n`);
  let reported = 0;
  const timer = setInterval(() => {
    const { produced } = source.stats();
    if (produced - reported >= 1000) {
      reported = produced;
      io.err(`${produced} messages produced\n`);
    }
  }, 1000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  await source.close();
  io.err(`stopped after ${source.stats().produced} messages\n`);
  return EXIT.ok;
}
