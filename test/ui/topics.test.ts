/**
 * Topics in a browser: `sluice dev` with its topics in NATS JetStream; the test produces over
 * the API and consumes with a group of its own (so the group lags and one message is
 * dead-lettered), then checks the topics table, a topic's config, groups, replay, messages
 * and dead letters as a user sees them, in light and dark.
 */
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNatsTopics, type Topics } from '../../src/streams/index.js';
import { tempProject } from '../helpers.js';
import { apiGet, launchBrowser, newPage, screenshot, startDev, waitFor, type Dev } from './harness.js';

const NATS_URL = process.env.SLUICE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const TOPIC = `ui-orders-${randomBytes(4).toString('hex')}`;
const DLQ = `${TOPIC}.dlq`;

interface Group {
  name: string;
  lag: number;
  ackFloor: number;
}

let dev: Dev;
let topics: Topics;
let browser: Browser;
let cleanup: () => Promise<void>;

async function post(path: string, body: unknown): Promise<Response> {
  const response = await fetch(`${dev.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return response;
}

async function topicRates(): Promise<{ produced: number; consumed: Record<string, number> }[]> {
  return (
    await apiGet<{ rates: { produced: number; consumed: Record<string, number> }[] }>(
      dev,
      `/api/topics/${TOPIC}`,
    )
  ).rates;
}

beforeAll(async () => {
  const project = await tempProject();
  cleanup = project.cleanup;
  dev = await startDev(project.dir, { env: { SLUICE_NATS_URL: NATS_URL, SLUICE_TOPIC_RATE_MS: '1000' } });
  const browserReady = launchBrowser();
  topics = await openNatsTopics({ url: NATS_URL });

  await post('/api/topics', { name: TOPIC, config: { maxDeliveries: 3, ackWaitMs: 10_000 } });
  const orders = Array.from({ length: 28 }, (_, index) => ({
    key: `customer-${index % 4}`,
    value: { order: index + 1, amount: (index + 1) * 10 },
    headers: { source: 'web' },
  }));
  await post(`/api/topics/${TOPIC}/messages`, { messages: orders.slice(0, 20) });
  const billing = await topics.consumer(TOPIC, 'billing');
  await (await topics.consumer(TOPIC, 'audit')).close();
  // The server samples rates every second here (SLUICE_TOPIC_RATE_MS); the rest is produced and consumed after a sample,
  // so the next one has a produce rate and a consume rate.
  await waitFor('a rate sample', async () => ((await topicRates()).length > 0 ? true : undefined), 20_000);
  await post(`/api/topics/${TOPIC}/messages`, {
    messages: [
      ...orders.slice(20),
      { value: 'plain text note' },
      { value: Buffer.from([0, 1, 2, 3, 254, 255]).toString('base64'), base64: true },
    ],
  });

  // "billing" acks 10 and dead-letters the 11th; "audit" has not read anything.
  const batch = await billing.fetch({ max: 11, expiresMs: 2000 });
  expect(batch.map((delivery) => delivery.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  await billing.ack(batch.slice(0, 10));
  await billing.deadLetter(batch.slice(10), 'amount over the limit');
  await billing.close();
  await waitFor(
    'a rate sample with produce and consume rates',
    async () => {
      const rates = await topicRates();
      const produced = rates.some((point) => point.produced > 0);
      return produced && rates.some((point) => (point.consumed.billing ?? 0) > 0) ? true : undefined;
    },
    20_000,
  );
  browser = await browserReady;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  for (const name of [TOPIC, DLQ]) await topics?.delete(name).catch(() => {});
  await topics?.close();
  await cleanup?.();
});

describe('topics', () => {
  it('lists topics, shows groups, messages and dead letters, and replays a group', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(`${dev.url}/topics`);
    const row = page.getByRole('row').filter({ has: page.getByText(TOPIC, { exact: true }) });
    await row.waitFor();
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('30');
    // The lag of both groups: 19 for billing (seq 12-30) and 30 for audit.
    const lag = row.getByTestId('lag');
    expect(await lag.textContent()).toBe('49');
    expect(await lag.getAttribute('class')).toContain('text-warn');
    expect(await row.getByTestId('dead-letters').textContent()).toBe('1');
    expect(await row.getByTestId('produce-rate').textContent()).toMatch(/^[\d.]+\/s$/);
    await row.getByRole('img', { name: `${TOPIC} produce rate over the last hour` }).waitFor();
    await screenshot(page, 'topics');

    await row.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: TOPIC }).waitFor();
    await page.getByRole('link', { name: DLQ }).waitFor();
    expect(
      await page.getByText('Max deliveries').locator('xpath=following-sibling::dd[1]').textContent(),
    ).toBe('3');
    const chart = page.getByTestId('rate-chart');
    expect(
      await chart
        .locator('[data-series]')
        .evaluateAll((series) => series.map((g) => g.getAttribute('data-series'))),
    ).toEqual(['produced', 'consumed by audit', 'consumed by billing']);
    const groups = page.getByRole('table', { name: 'Consumer groups' });
    const billingRow = groups.getByRole('row', { name: /billing/ });
    expect(await billingRow.locator('[data-counter=lag]').textContent()).toBe('19');
    expect(await billingRow.locator('[data-counter=ackFloor]').textContent()).toBe('11');
    expect(await billingRow.locator('[data-counter=deadLettered]').textContent()).toBe('1');
    await screenshot(page, 'topic');

    await billingRow.getByRole('button', { name: /Replay/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('radio', { name: 'A seq' }).check();
    await dialog.getByRole('textbox', { name: 'Seq' }).fill('21');
    expect(await dialog.getByTestId('replay-effect').textContent()).toContain('from seq 21');
    await screenshot(page, 'topic-replay');
    await dialog.getByRole('button', { name: 'Reset group' }).click();
    await dialog.getByText('billing now has 10 messages to consume').waitFor();
    await screenshot(page, 'topic-replay-done');
    const after = await apiGet<{ groups: Group[] }>(dev, `/api/topics/${TOPIC}/groups`);
    expect(after.groups.find((group) => group.name === 'billing')?.lag).toBe(10);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await billingRow.locator('[data-counter=lag]').filter({ hasText: /^10$/ }).waitFor();

    await page.getByRole('tab', { name: 'Messages' }).click();
    const messages = page.getByRole('table', { name: `Messages of ${TOPIC}` });
    const rows = messages.getByTestId('message-row');
    await rows.first().waitFor();
    // Virtualised: the table knows all 30 (and a header row) but renders those in view.
    expect(await messages.getAttribute('aria-rowcount')).toBe('31');
    expect(await rows.first().getAttribute('data-seq')).toBe('30');
    expect(await rows.first().textContent()).toContain('6 bytes binary');
    expect(await rows.nth(1).textContent()).toContain('plain text note');
    await messages.evaluate((table) => table.scrollTo(0, table.scrollHeight));
    const order = messages.locator('[data-seq="3"]');
    expect(await order.textContent()).toContain('{"order":3,"amount":30}');
    await order.focus();
    await page.keyboard.press('Enter');
    const detail = messages.getByTestId('message-detail');
    // The rows below make room for the expanded one.
    await expect
      .poll(async () => {
        const below = (await messages.locator('[data-seq="2"]').boundingBox())!;
        const box = (await detail.boundingBox())!;
        return below.y >= box.y + box.height - 1;
      })
      .toBe(true);
    expect(await detail.textContent()).toContain('source');
    expect(await detail.locator('pre').textContent()).toBe('{\n  "order": 3,\n  "amount": 30\n}');
    await screenshot(page, 'topic-messages');

    await page.getByRole('tab', { name: 'Dead letters' }).click();
    const dead = page.getByRole('table', { name: `Dead letters of ${TOPIC}` }).getByTestId('message-row');
    await dead.first().waitFor();
    expect(await dead.count()).toBe(1);
    const cells = await dead.first().getByRole('cell').allTextContents();
    expect(cells.slice(2, 6)).toEqual(['amount over the limit', '11', 'billing', '1']);
    await screenshot(page, 'topic-dead-letters');

    const dark = await newPage(browser, { dark: true });
    await dark.page.goto(`${dev.url}/topics/${TOPIC}?tab=dead-letters`);
    await dark.page.getByRole('table', { name: `Dead letters of ${TOPIC}` }).waitFor();
    await screenshot(dark.page, 'topic-dark');
    // `g t` is the section's shortcut.
    await dark.page.keyboard.press('g');
    await dark.page.keyboard.press('t');
    await dark.page.waitForURL(`${dev.url}/topics`);
    await dark.page.getByText(TOPIC, { exact: true }).waitFor();
    await screenshot(dark.page, 'topics-dark');
    expect([...errors, ...dark.errors]).toEqual([]);
  }, 60_000);
});
