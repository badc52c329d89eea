/**
 * The web UI end to end, as a user goes through it in a real browser: launch a run from a
 * pipeline's launch form, watch it go from running to succeeded without reloading, read its
 * logs, open a datum, browse a repo and see an image, and compare two model versions. Every
 * main page is also saved as a screenshot (light and dark) under test-results/ui/.
 */
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sluice, tempProject, tsStep } from '../helpers.js';
import { apiGet, launchBrowser, newPage, screenshot, startDev, waitFor, type Dev } from './harness.js';

const MEASURE = tsStep(
  [
    "const { readdir, readFile } = await import('node:fs/promises');",
    "const { join } = await import('node:path');",
    'const files = await readdir(ctx.inputs.photo);',
    'const bytes = await readFile(join(ctx.inputs.photo, files[0]));',
    "ctx.log.info('measuring ' + files[0] + ' (' + bytes.length + ' bytes)');",
    'await new Promise((resolve) => setTimeout(resolve, 1200));',
    "ctx.log.info('measured ' + files[0]);",
    'return { size: bytes.length };',
  ].join('\n'),
);
const FIT = tsStep(
  [
    "const { mkdir, writeFile } = await import('node:fs/promises');",
    "const { join } = await import('node:path');",
    'const total = ctx.inputs.size.reduce((sum, value) => sum + value, 0);',
    'const accuracy = Math.min(0.99, 0.5 + ctx.inputs.threshold / 2);',
    'for (let epoch = 0; epoch < 4; epoch += 1) ctx.metric("loss", 1 / (epoch + 1 + ctx.inputs.threshold), { step: epoch });',
    "const dir = join(ctx.scratchDir, 'model');",
    'await mkdir(dir, { recursive: true });',
    "await writeFile(join(dir, 'model.json'), JSON.stringify({ total, threshold: ctx.inputs.threshold }));",
    "await ctx.registry.save('photo-model', dir, { metrics: { accuracy, total }, params: { threshold: ctx.inputs.threshold } });",
    "ctx.log.info('saved a model of ' + total + ' bytes');",
    'return { total };',
  ].join('\n'),
);
const SPEC = [
  'name: photo-stats',
  'description: Measures every photo, then fits a model over the sizes',
  'params:',
  '  threshold: { type: number, default: 0.25 }',
  'inputs:',
  '  photo: { repo: photos, glob: "/*" }',
  'steps:',
  '  measure:',
  '    run: ./measure.ts',
  '    inputs: [photo, threshold]',
  '    outputs: [size]',
  '  fit:',
  '    run: ./fit.ts',
  "    inputs: ['size[]', threshold]",
  '    outputs: [total]',
  '',
].join('\n');

interface ApiRun {
  id: string;
  status: string;
  params: Record<string, unknown>;
}

let project: { dir: string; cleanup(): Promise<void> };
let dev: Dev;
let browser: Browser;

beforeAll(async () => {
  project = await tempProject({ 'measure.ts': MEASURE, 'fit.ts': FIT, 'photo-stats.yaml': SPEC });
  const { dir } = project;
  const colours = [
    { r: 200, g: 40, b: 40 },
    { r: 40, g: 160, b: 60 },
    { r: 30, g: 60, b: 200 },
  ];
  const { mkdir } = await import('node:fs/promises');
  await mkdir(`${dir}/data`);
  for (const [index, background] of colours.entries()) {
    await sharp({ create: { width: 64, height: 48, channels: 3, background } })
      .png()
      .toFile(`${dir}/data/photo-${index}.png`);
  }
  expect((await sluice(['repo', 'create', 'photos'], dir)).code).toBe(0);
  expect((await sluice(['put', 'photos', 'data', '-m', 'three photos'], dir)).code).toBe(0);
  dev = await startDev(dir);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  await project?.cleanup();
});

describe('the web UI, end to end', () => {
  it('launches a run, follows it live, shows its logs and datums, browses data and compares models', async () => {
    const { page, errors } = await newPage(browser);
    // The first registration ran the pipeline once: model version 1.
    await waitFor('the first run', async () => {
      const runs = await apiGet<ApiRun[]>(dev, '/api/runs?pipeline=photo-stats');
      return runs.some((run) => run.status === 'succeeded') ? true : undefined;
    });

    // Launch from the pipeline's page, with a param typed into the generated form.
    await page.goto(`${dev.url}/pipelines`);
    await screenshot(page, 'e2e-pipelines');
    await page.getByRole('link', { name: 'photo-stats', exact: true }).click();
    await page.locator('[data-node="step:fit"]').waitFor();
    await page.getByRole('link', { name: 'Launch' }).click();
    await page.getByLabel('threshold').fill('0.75');
    await page.getByRole('button', { name: 'Launch run' }).click();
    await page.waitForURL(/\/runs\/[0-9a-z]+$/);
    const runId = page.url().split('/').pop()!;
    expect((await apiGet<{ run: ApiRun }>(dev, `/api/runs/${runId}`)).run.params).toEqual({
      threshold: 0.75,
    });

    // Watch it: the status changes on screen, without a reload.
    const status = page.getByTestId('run-status');
    await status.getByText('running').waitFor({ timeout: 30_000 });
    await screenshot(page, 'e2e-run-running');
    await status.getByText('succeeded').waitFor({ timeout: 60_000 });

    // Its logs, then its datums: counts that add up, and one datum's page.
    await page.getByRole('tab', { name: /Logs/ }).click();
    await page
      .getByText(/measured photo-1\.png/)
      .first()
      .waitFor();
    await screenshot(page, 'e2e-run-logs');
    await page.getByRole('tab', { name: /Datums/ }).click();
    const counts = page.getByTestId('datum-counts');
    await counts.waitFor();
    expect(await counts.textContent()).toMatch(/4/);
    await page.getByRole('row').filter({ hasText: 'photo-2.png' }).first().click();
    await page.waitForURL(/\/runs\/[0-9a-z]+\/datums\/measure\//);
    await page.getByTestId('datum-state').getByText('success').waitFor();
    await page.getByTestId('attempt').first().waitFor();
    await screenshot(page, 'e2e-datum');

    // Browse the repo and preview an image.
    await page.goto(`${dev.url}/repos`);
    await page.getByRole('row').filter({ hasText: 'photos' }).first().click();
    await page.waitForURL(/\/repos\/photos/);
    await page.getByRole('row').filter({ hasText: 'photo-0.png' }).first().click();
    const image = page.locator('img[alt*="photo-0.png"]');
    await image.waitFor();
    await waitFor('the image to load', async () =>
      (await image.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth)) ===
      64
        ? true
        : undefined,
    );
    await screenshot(page, 'e2e-repo-image');

    // Compare the first model version with the launched run's: thresholds 0.25 and 0.75.
    // Exactly two: on a loaded machine `sluice dev` once started its first run twice.
    const versions = await apiGet<{ version: number; runId: string | null }[]>(
      dev,
      '/api/models/photo-model',
    );
    expect(versions, JSON.stringify(versions)).toHaveLength(2);
    const launched = versions.find((version) => version.runId === runId);
    expect(launched, JSON.stringify(versions)).toBeDefined();
    await page.goto(`${dev.url}/models`);
    await page.getByText('photo-model', { exact: true }).click();
    await page.getByRole('checkbox', { name: 'Select version 1' }).check();
    await page.getByRole('checkbox', { name: `Select version ${launched!.version}` }).check();
    await page.getByRole('button', { name: /Compare/ }).click();
    const metrics = page.getByRole('table', { name: 'Metrics of the compared versions' });
    await metrics.waitFor();
    const text = (await metrics.textContent()) ?? '';
    expect(text).toContain('0.625');
    expect(text).toContain('0.875');
    await screenshot(page, 'e2e-model-compare');
    expect(errors).toEqual([]);
  }, 180_000);

  it('renders the main pages in dark mode too', async () => {
    const { page, errors } = await newPage(browser, { dark: true });
    const runs = await apiGet<ApiRun[]>(dev, '/api/runs?pipeline=photo-stats');
    for (const [name, path, ready] of [
      ['pipelines', '/pipelines', '[data-testid="table-row"], a[href="/pipelines/photo-stats"]'],
      ['run', `/runs/${runs[0]!.id}`, '[data-testid="datum-counts"]'],
      ['repos', '/repos/photos', 'text=photo-0.png'],
      ['models', '/models/photo-model', '[aria-label="Select version 1"]'],
    ] as const) {
      await page.goto(`${dev.url}${path}`);
      await page.locator(ready).first().waitFor();
      expect(await page.locator('html').getAttribute('class')).toContain('dark');
      await screenshot(page, `e2e-${name}-dark`);
    }
    expect(errors).toEqual([]);
  }, 120_000);
});
