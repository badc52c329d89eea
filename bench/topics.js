// Topic benchmarks: Sluice's NATS JetStream backend and its embedded backend against a raw
// JetStream client (@nats-io packages used directly) measured in the same run:
//   1. produce rate, batches of 100 and 1000 messages of 200 bytes, every publish acked;
//   2. consume rate, fetch + explicit ack in batches of 100 and 1000;
//   3. end-to-end latency p50/p99: one message at a time at a steady rate, from the produce
//      call to the consumer holding it.
// Needs NATS with JetStream (SLUICE_NATS_URL, default 127.0.0.1:4222) and a build:
// `npm run build && node bench/topics.js`; SLUICE_DIST points at another build directory.
// `--json` prints the figures as JSON.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const NATS_URL = process.env.SLUICE_NATS_URL ?? '127.0.0.1:4222';
const DIST = pathToFileURL(
  `${resolve(process.env.SLUICE_DIST ?? new URL('../dist', import.meta.url).pathname)}/`,
);
const MESSAGES = 20_000;
const PAYLOAD_BYTES = 200;
const BATCHES = [100, 1000];
const LATENCY_MESSAGES = 400;
const LATENCY_RATE = 200;
const asJson = process.argv.includes('--json');

/** @param {string} text */
function say(text) {
  if (!asJson) process.stdout.write(`${text}\n`);
}

/** A payload whose first 8 bytes hold `performance.now()` at the call. */
function stampedPayload() {
  const payload = new Uint8Array(PAYLOAD_BYTES).fill(120);
  new DataView(payload.buffer).setFloat64(0, performance.now());
  return payload;
}

/** @param {Uint8Array} data */
function stampOf(data) {
  return new DataView(data.buffer, data.byteOffset, 8).getFloat64(0);
}

/**
 * @param {number[]} values
 * @param {number} q
 */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** @param {number} ms */
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * A message as a consumer got it: its payload and `performance.now()` when it arrived.
 * @typedef {{ data: Uint8Array, at: number }} Received
 */

/**
 * What each system under test offers the three measurements.
 * @typedef {object} System
 * @property {string} name
 * @property {(topic: string) => Promise<void>} create
 * @property {(topic: string, payloads: Uint8Array[]) => Promise<void>} produce
 * @property {(topic: string, group: string, latest: boolean) => Promise<(max: number) => Promise<Received[]>>} consumer
 *   a fetch function: up to `max` messages (acked), `[]` after a short wait when none come
 * @property {() => Promise<void>} close
 */

/**
 * A raw JetStream client: one stream per topic, js.publish per message with the acks
 * pipelined, a durable pull consumer with explicit acks.
 * @returns {Promise<System>}
 */
async function rawSystem() {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const id = Math.random().toString(36).slice(2, 8);
  /** @type {string[]} */
  const streams = [];
  /** @type {{ close(): Promise<void | Error> }[]} */
  const open = [];
  /** @param {string} topic */
  const stream = (topic) => `BENCHRAW_${id}_${topic}`;
  /** @param {string} topic */
  const subject = (topic) => `benchraw.${id}.${topic}`;
  return {
    name: 'raw JetStream',
    async create(topic) {
      await jsm.streams.add({ name: stream(topic), subjects: [subject(topic)] });
      streams.push(stream(topic));
    },
    async produce(topic, payloads) {
      await Promise.all(payloads.map((payload) => js.publish(subject(topic), payload)));
    },
    async consumer(topic, group, latest) {
      await jsm.consumers.add(stream(topic), {
        durable_name: group,
        ack_policy: 'explicit',
        deliver_policy: latest ? 'new' : 'all',
        max_ack_pending: -1,
      });
      const consumer = await js.consumers.get(stream(topic), group);
      if (latest) {
        // For latency, a raw client keeps pull requests open (consume) rather than fetching.
        const messages = await consumer.consume({ max_messages: 100 });
        open.push(messages);
        /** @type {Received[]} */
        const queue = [];
        const waiter = { wake: /** @type {(() => void) | null} */ (null) };
        void (async () => {
          for await (const message of messages) {
            queue.push({ data: message.data, at: performance.now() });
            message.ack();
            waiter.wake?.();
          }
        })();
        return async (max) => {
          if (queue.length === 0)
            await Promise.race([new Promise((done) => (waiter.wake = () => done(undefined))), sleep(1000)]);
          waiter.wake = null;
          return queue.splice(0, max);
        };
      }
      return async (max) => {
        const messages = await consumer.fetch({ max_messages: max, expires: 1000 });
        /** @type {Received[]} */
        const out = [];
        for await (const message of messages) {
          out.push({ data: message.data, at: performance.now() });
          message.ack();
        }
        return out;
      };
    },
    async close() {
      for (const messages of open) await messages.close();
      for (const name of streams) await jsm.streams.delete(name);
      await nc.close();
    },
  };
}

/**
 * A Sluice topic backend.
 * @param {string} name
 * @param {any} topics the `Topics` instance
 * @param {() => Promise<void>} release
 * @returns {System}
 */
function sluiceSystem(name, topics, release) {
  return {
    name,
    async create(topic) {
      await topics.create(topic);
    },
    async produce(topic, payloads) {
      await topics.produce(
        topic,
        payloads.map((value) => ({ value })),
      );
    },
    async consumer(topic, group, latest) {
      const consumer = await topics.consumer(topic, group, { start: latest ? 'latest' : 'earliest' });
      return async (max) => {
        const batch = await consumer.fetch({ max, expiresMs: 1000 });
        const at = performance.now();
        if (batch.length > 0) await consumer.ack(batch);
        return batch.map((/** @type {{ data: Uint8Array }} */ message) => ({ data: message.data, at }));
      };
    },
    async close() {
      for (const info of await topics.list()) await topics.delete(info.name);
      await topics.close();
      await release();
    },
  };
}

/** @returns {Promise<System>} */
async function natsSystem() {
  const { openNatsTopics } = await import(new URL('streams/nats/nats-topics.js', DIST).href);
  const prefix = `bench${Math.random().toString(36).slice(2, 8)}`;
  return sluiceSystem('sluice nats', await openNatsTopics({ url: NATS_URL, prefix }), async () => {});
}

/** @returns {Promise<System>} */
async function embeddedSystem() {
  const { openEmbeddedStore } = await import(new URL('index.js', DIST).href);
  const { createEmbeddedTopics } = await import(new URL('streams/embedded/embedded-topics.js', DIST).href);
  const home = await mkdtemp(join(tmpdir(), 'sluice-bench-topics-'));
  const { store, lock } = await openEmbeddedStore({ home });
  return sluiceSystem('sluice embedded', await createEmbeddedTopics(store.sql), async () => {
    await store.close();
    await lock.release();
    await rm(home, { recursive: true, force: true });
  });
}

/**
 * Measures one system; returns its figures.
 * @param {System} system
 */
async function measure(system) {
  /** @type {Record<string, number>} */
  const figures = {};
  const payloads = Array.from({ length: MESSAGES }, () => new Uint8Array(PAYLOAD_BYTES).fill(120));
  // Warm-up: connections, JIT, first stream writes.
  await system.create('warm');
  await system.produce('warm', payloads.slice(0, 2000));
  const warm = await system.consumer('warm', 'warm', false);
  for (let got = 0; got < 2000;) got += (await warm(500)).length;

  for (const batch of BATCHES) {
    const topic = `produce-${batch}`;
    await system.create(topic);
    const started = performance.now();
    for (let at = 0; at < MESSAGES; at += batch) await system.produce(topic, payloads.slice(at, at + batch));
    figures[`produce_${batch}`] = MESSAGES / ((performance.now() - started) / 1000);
  }
  for (const batch of BATCHES) {
    const fetch = await system.consumer(`produce-${BATCHES.at(-1)}`, `consume-${batch}`, false);
    const started = performance.now();
    let got = 0;
    while (got < MESSAGES) {
      const messages = await fetch(Math.min(batch, MESSAGES - got));
      if (messages.length === 0) throw new Error(`${system.name}: consumed ${got} of ${MESSAGES} messages`);
      got += messages.length;
    }
    figures[`consume_${batch}`] = MESSAGES / ((performance.now() - started) / 1000);
  }

  await system.create('latency');
  const fetch = await system.consumer('latency', 'latency', true);
  /** @type {number[]} */
  const latencies = [];
  const receiving = (async () => {
    const until = performance.now() + (LATENCY_MESSAGES / LATENCY_RATE) * 1000 + 10_000;
    while (latencies.length < LATENCY_MESSAGES && performance.now() < until) {
      for (const { data, at } of await fetch(100)) latencies.push(at - stampOf(data));
    }
  })();
  const period = 1000 / LATENCY_RATE;
  const started = performance.now();
  for (let sent = 0; sent < LATENCY_MESSAGES; sent++) {
    const due = started + sent * period - performance.now();
    if (due > 0) await sleep(due);
    await system.produce('latency', [stampedPayload()]);
  }
  await receiving;
  figures.latency_p50_ms = quantile(latencies, 0.5);
  figures.latency_p99_ms = quantile(latencies, 0.99);
  figures.latency_received = latencies.length;
  return figures;
}

/**
 * @param {number} value
 * @param {number} digits
 */
const format = (value, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';

async function main() {
  /** @type {Record<string, Record<string, number>>} */
  const results = {};
  /** @type {[string, () => Promise<System>][]} */
  const systems = [
    ['raw', rawSystem],
    ['nats', natsSystem],
    ['embedded', embeddedSystem],
  ];
  for (const [key, open] of systems) {
    const system = await open().catch((/** @type {any} */ error) => {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
      say(`${key}: skipped, not built (${error.message})`);
      return null;
    });
    if (system === null) continue;
    try {
      results[key] = await measure(system);
    } finally {
      await system.close();
    }
  }
  const raw = results.raw ?? {};
  /** @type {[string, string, number][]} */
  const rows = [
    ...BATCHES.map(
      (batch) =>
        /** @type {[string, string, number]} */ ([
          `produce, batches of ${batch} (msg/s)`,
          `produce_${batch}`,
          0,
        ]),
    ),
    ...BATCHES.map(
      (batch) =>
        /** @type {[string, string, number]} */ ([
          `consume + ack, batches of ${batch} (msg/s)`,
          `consume_${batch}`,
          0,
        ]),
    ),
    ['latency p50 (ms)', 'latency_p50_ms', 2],
    ['latency p99 (ms)', 'latency_p99_ms', 2],
  ];
  say(
    `Topics: ${MESSAGES.toLocaleString('en-US')} messages of ${PAYLOAD_BYTES} B; latency: ${LATENCY_MESSAGES} messages at ${LATENCY_RATE}/s; NATS at ${NATS_URL}`,
  );
  say(
    `${'figure'.padEnd(40)}${'raw JetStream'.padStart(15)}${'sluice nats'.padStart(14)}${'/raw'.padStart(8)}${'sluice embedded'.padStart(18)}${'/raw'.padStart(8)}`,
  );
  for (const [label, key, digits] of rows) {
    const base = raw[key] ?? NaN;
    const [nats, embedded] = ['nats', 'embedded'].map((system) => {
      const value = results[system]?.[key] ?? NaN;
      return {
        value: format(value, digits),
        ratio: Number.isFinite(value) ? `${(value / base).toFixed(2)}x` : '',
      };
    });
    say(
      `${label.padEnd(40)}${format(base, digits).padStart(15)}${(nats?.value ?? '').padStart(14)}${(nats?.ratio ?? '').padStart(8)}${(embedded?.value ?? '').padStart(18)}${(embedded?.ratio ?? '').padStart(8)}`,
    );
  }
  say('ratios are sluice / raw: above 1 is faster for rates, slower for latencies');
  if (asJson) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

await main();
