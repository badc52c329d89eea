/**
 * The pipelines pages in a browser: the list shows a registered pipeline, its page draws
 * both steps of its DAG, and the launch form refuses a bad value by name, then launches a
 * run with the typed params entered and opens that run's page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { tempProject, tsStep } from '../helpers.js';
import { apiGet, launchBrowser, newPage, screenshot, startDev, waitFor, type Dev } from './harness.js';

const SPEC = [
  'name: tiny-train',
  'description: Plans epochs, then trains on them',
  'params:',
  '  epochs: { type: integer, default: 2, description: passes over the data }',
  '  rate: { type: number, default: 0.1 }',
  '  label: { type: string, description: a name for the run }',
  '  optimizer: { type: string, enum: [sgd, adam], default: adam }',
  '  shuffle: { type: boolean, default: true }',
  'steps:',
  '  plan:',
  '    run: ./plan.ts',
  '    inputs: [epochs, label]',
  '    outputs: [schedule]',
  '  train:',
  '    run: ./train.ts',
  '    inputs: [schedule, rate, optimizer, shuffle]',
  '    outputs: [score]',
  '',
].join('\n');

interface RunDetail {
  run: { id: string; status: string; params: Record<string, unknown> };
}

describe('pipelines pages', () => {
  let dev: Dev;
  let browser: Browser;
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const project = await tempProject({
      'tiny-train.yaml': SPEC,
      'plan.ts': tsStep('return { schedule: { epochs: ctx.inputs.epochs, label: ctx.inputs.label } };'),
      'train.ts': tsStep('return { score: ctx.inputs.schedule.epochs * ctx.inputs.rate };'),
    });
    cleanup = project.cleanup;
    [dev, browser] = await Promise.all([startDev(project.dir), launchBrowser()]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
    await cleanup();
  });

  it('lists a pipeline, draws its steps, validates the launch form and launches a run', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(`${dev.url}/pipelines`);
    const link = page.getByRole('link', { name: 'tiny-train', exact: true });
    await link.waitFor();
    expect(await page.getByText('Plans epochs, then trains on them').isVisible()).toBe(true);
    await screenshot(page, 'pipelines-list');

    await link.click();
    await page.waitForURL(/\/pipelines\/tiny-train$/);
    const plan = page.locator('[data-node="step:plan"]');
    const train = page.locator('[data-node="step:train"]');
    await plan.waitFor();
    await train.waitFor();
    expect(await page.locator('[data-node]').count()).toBe(2);
    const [planBox, trainBox] = await Promise.all([plan.boundingBox(), train.boundingBox()]);
    expect(trainBox!.x).toBeGreaterThan(planBox!.x); // train reads plan's output: drawn after it
    await screenshot(page, 'pipeline-dag');

    await page.getByRole('link', { name: 'Launch' }).click();
    await page.waitForURL(/\/pipelines\/tiny-train\/launch$/);
    const epochs = page.getByLabel('epochs');
    expect(await epochs.inputValue()).toBe('2');
    await epochs.fill('many');
    await page.getByText('epochs: expected an integer').waitFor();
    await page.getByRole('button', { name: 'Launch run' }).click();
    await page.getByText('label is required').waitFor();
    expect(page.url()).toMatch(/\/launch$/);

    await epochs.fill('5');
    await page.getByLabel('label').fill('first try');
    await page.getByLabel('optimizer').selectOption('sgd');
    await page.getByLabel('shuffle').uncheck();
    expect(await page.getByText('epochs: expected an integer').count()).toBe(0);
    expect(await page.getByLabel('Request body').textContent()).toContain('"epochs": 5');
    await screenshot(page, 'pipeline-launch');

    await page.getByRole('button', { name: 'Launch run' }).click();
    await page.waitForURL(/\/runs\/[a-z0-9]+$/);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const detail = await apiGet<RunDetail>(dev, `/api/runs/${id}`);
    expect(detail.run.params).toEqual({
      epochs: 5,
      rate: 0.1,
      label: 'first try',
      optimizer: 'sgd',
      shuffle: false,
    });
    const finished = await waitFor('the launched run to finish', async () => {
      const { run } = await apiGet<RunDetail>(dev, `/api/runs/${id}`);
      return ['queued', 'running'].includes(run.status) ? undefined : run.status;
    });
    expect(finished).toBe('succeeded');
    expect(errors).toEqual([]);

    const dark = await newPage(browser, { dark: true });
    await dark.page.goto(`${dev.url}/pipelines/tiny-train`);
    await dark.page.locator('[data-node="step:train"] [data-step-status="succeeded"]').waitFor();
    await screenshot(dark.page, 'pipeline-dag-dark');
    expect(dark.errors).toEqual([]);
  }, 60_000);
});
