/**
 * Experiments and the model registry in a browser: a pipeline logging a loss per epoch and
 * saving a model version, run with two learning rates; compare the runs (charts, params),
 * the parallel coordinates, the models list, comparing versions and setting an alias.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempProject, tsStep } from '../helpers.js';
import { apiGet, launchBrowser, newPage, screenshot, startDev, waitFor, type Dev } from './harness.js';

const FIT = tsStep(
  [
    "const { mkdir, writeFile } = await import('node:fs/promises');",
    "const { join } = await import('node:path');",
    'const lr = Number(ctx.inputs.lr);',
    'let loss = 2;',
    'for (let epoch = 0; epoch < 12; epoch++) {',
    '  loss = loss * (1 - lr) + 0.02;',
    "  ctx.metric('loss', loss, { step: epoch });",
    "  ctx.metric('accuracy', 1 - loss / 2.5, { step: epoch });",
    '}',
    "const dir = join(ctx.scratchDir, 'model');",
    'await mkdir(dir, { recursive: true });',
    "await writeFile(join(dir, 'weights.json'), JSON.stringify({ lr, loss }));",
    "const saved = await ctx.registry.save('churn', dir, { metrics: { loss, accuracy: 1 - loss / 2.5 }, params: { lr } });",
    'return { model: saved.version };',
  ].join('\n'),
);
const SPEC = [
  'name: train',
  'params:',
  '  lr: { type: number, default: 0.1 }',
  '  optimizer: { type: string, default: sgd }',
  'steps:',
  '  fit:',
  '    run: ./fit.ts',
  '    inputs: [lr, optimizer]',
  '    outputs: [model]',
  '',
].join('\n');

let dev: Dev;
let browser: Browser;
let browserReady: Promise<Browser>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const project = await tempProject({ 'fit.ts': FIT, 'train.yaml': SPEC });
  cleanup = project.cleanup;
  // `sluice dev` registers train.yaml; both runs go through the API and run side by side.
  dev = await startDev(project.dir);
  browserReady = launchBrowser();
  await waitFor('pipeline train', async () =>
    (await fetch(`${dev.url}/api/pipelines/train`)).ok ? true : undefined,
  );
  for (const lr of [0.1, 0.3]) {
    const response = await fetch(`${dev.url}/api/pipelines/train/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ params: { lr } }),
    });
    expect(response.status).toBe(202);
  }
  await waitFor('two model versions', async () => {
    const versions = await fetch(`${dev.url}/api/models/churn`);
    return versions.ok && ((await versions.json()) as unknown[]).length === 2 ? true : undefined;
  });
  await waitFor('both runs to finish', async () => {
    const runs = await apiGet<{ status: string }[]>(dev, '/api/runs?pipeline=train');
    return runs.length === 2 && runs.every((run) => run.status === 'succeeded') ? true : undefined;
  });
  browser = await browserReady;
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  await cleanup?.();
});

describe('experiments and models', () => {
  it('compares runs, shows parallel coordinates, compares model versions and sets an alias', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(`${dev.url}/experiments`);
    await page.getByRole('link', { name: /train/ }).click();
    const boxes = page.getByRole('checkbox', { name: /^Select run / });
    await boxes.first().waitFor();
    expect(await boxes.count()).toBe(2);
    await screenshot(page, 'experiments');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole('button', { name: /Compare/ }).click();

    const charts = page.getByTestId('metric-chart');
    await charts.first().waitFor();
    expect(await charts.count()).toBe(2);
    const lossLines = charts.filter({ hasText: 'loss' }).getByTestId('series-line');
    expect(await lossLines.count()).toBe(2);
    expect(await lossLines.first().getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){11}$/);
    const params = page.getByRole('table', { name: /Params and final metrics/ });
    const lrRow = params.locator('tr', { has: page.getByRole('rowheader', { name: /lr/ }) });
    expect(await lrRow.textContent()).toMatch(/0\.3.*0\.1|0\.1.*0\.3/);
    expect(await lrRow.getAttribute('data-differs')).toBe('true');
    await page.locator('figure svg').first().hover();
    await page.getByRole('tooltip').waitFor();
    await screenshot(page, 'experiments-compare');

    await page.goto(`${dev.url}/experiments/train?tab=parallel`);
    await page.getByTestId('pc-line').first().waitFor();
    expect(await page.getByTestId('pc-line').count()).toBe(2);
    expect(
      await page.getByRole('img', { name: /Parallel coordinates of 2 runs over lr, accuracy, loss/ }).count(),
    ).toBe(1);
    const axis = (await page.getByTestId('pc-axis-p:lr').boundingBox())!;
    await page.mouse.move(axis.x + axis.width / 2, axis.y + 2);
    await page.mouse.down();
    await page.mouse.move(axis.x + axis.width / 2, axis.y + axis.height / 3, { steps: 4 });
    await page.mouse.up();
    await page.getByText('1 of 2 runs match the brushes').waitFor();
    await screenshot(page, 'parallel-coordinates');

    await page.goto(`${dev.url}/models`);
    await page.getByText('churn', { exact: true }).waitFor();
    await screenshot(page, 'models');
    await page.getByText('churn', { exact: true }).click();
    await page.getByRole('checkbox', { name: 'Select version 1' }).check();
    await page.getByRole('checkbox', { name: 'Select version 2' }).check();

    await page.getByRole('button', { name: 'Set alias' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Alias').fill('production');
    await dialog.getByLabel('Version').selectOption('1');
    await dialog.getByRole('button', { name: 'Set alias' }).click();
    await dialog.waitFor({ state: 'detached' });
    const versions = await waitFor('the alias', async () => {
      const list = await apiGet<{ version: number; aliases: string[] }[]>(dev, '/api/models/churn');
      return list.find((version) => version.aliases.includes('production')) ? list : undefined;
    });
    expect(versions.find((version) => version.version === 1)?.aliases).toContain('production');
    await page.getByRole('button', { name: 'Remove alias production' }).waitFor();
    await page.goto(`${page.url().split('?')[0]}?version=1`);
    await page
      .getByRole('region', { name: 'Files' })
      .getByRole('button', { name: 'Download weights.json' })
      .waitFor();
    await page.getByRole('checkbox', { name: 'Select version 1' }).check();
    await page.getByRole('checkbox', { name: 'Select version 2' }).check();
    await screenshot(page, 'model-versions');

    await page.getByRole('button', { name: /Compare/ }).click();
    const metrics = page.getByRole('table', { name: 'Metrics of the compared versions' });
    await metrics.waitFor();
    const header = await metrics.locator('thead').textContent();
    expect(header).toContain('v1');
    expect(header).toContain('v2');
    expect(await metrics.locator('tbody tr').count()).toBe(2);
    expect(await page.getByTestId('bar').count()).toBe(4);
    await screenshot(page, 'model-compare');

    const dark = await newPage(browser, { dark: true });
    await dark.page.goto(page.url());
    await dark.page.getByRole('table', { name: 'Metrics of the compared versions' }).waitFor();
    await screenshot(dark.page, 'model-compare-dark');
    expect([...errors, ...dark.errors]).toEqual([]);
  }, 60_000);
});
