/**
 * The runs pages in a browser: a run launched over the API turns running then failed on its
 * page without a reload while its log lines stream in; the Datums tab's counts add up and
 * list the failed datum, whose page shows the error and restarts it as a new run; Retry
 * starts another; the runs list and grid show the runs, and a grid cell opens a run's step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sluice, tempProject, tsStep } from '../helpers.js';
import { apiGet, launchBrowser, newPage, screenshot, startDev, waitFor, type Dev } from './harness.js';

const PARSE = tsStep(
  [
    "const { readdir, readFile } = await import('node:fs/promises');",
    "const { join } = await import('node:path');",
    'const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));',
    'let words = 0;',
    'for (const name of await readdir(ctx.inputs.docs)) {',
    "  const text = await readFile(join(ctx.inputs.docs, name), 'utf8');",
    "  for (const part of ['opening', 'reading', 'counting']) {",
    '    ctx.log.info(`${part} ${name}`);',
    '    await sleep(400);',
    '  }',
    "  if (text.includes('BROKEN')) throw new Error(`cannot parse ${name}: found BROKEN marker`);",
    '  words += text.split(/\\s+/).length;',
    '}',
    'return { words };',
  ].join('\n'),
);
const SPEC = [
  'name: wordcount',
  'inputs:',
  "  docs: { repo: docs, glob: '/*' }",
  'steps:',
  '  parse:',
  '    run: ./parse.ts',
  '    inputs: [docs]',
  '    outputs: [words]',
  '    parallelism: 2',
  '  summarise:',
  '    run: ./summarise.ts',
  "    inputs: ['words[]']",
  '    outputs: [total]',
  'outputs: [total]',
  '',
].join('\n');
const FILES = ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt', 'bad.txt'];

interface RunDetail {
  run: { id: string; status: string; trigger: { kind: string; runId?: string } | null };
}

/** The text of the run page's status badge. */
const statusOf = async (page: Page) => (await page.getByTestId('run-status').textContent()) ?? '';

describe('runs pages', () => {
  let dev: Dev;
  let browser: Browser;
  let cleanup: () => Promise<void> = async () => {};

  /** Waits until run `id` has ended (so the server stops quickly). */
  const ended = (id: string) =>
    waitFor(`run ${id} to end`, async () => {
      const { run } = await apiGet<RunDetail>(dev, `/api/runs/${id}`);
      return ['queued', 'running'].includes(run.status) ? undefined : run;
    });

  beforeAll(async () => {
    const project = await tempProject({
      'wc.yaml': SPEC,
      'parse.ts': PARSE,
      'summarise.ts': tsStep('return { total: ctx.inputs.words.reduce((a, b) => a + b, 0) };'),
    });
    cleanup = project.cleanup;
    expect((await sluice(['repo', 'create', 'docs'], project.dir)).code).toBe(0);
    [dev, browser] = await Promise.all([startDev(project.dir), launchBrowser()]);
    for (const name of FILES) {
      const body = name === 'bad.txt' ? 'this one is BROKEN' : `the words of ${name}`;
      const put = await fetch(`${dev.url}/api/repos/docs/files/${name}?message=add&trigger=false`, {
        method: 'PUT',
        body,
      });
      expect(put.status).toBe(201);
    }
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
    await cleanup();
  });

  it('follows a run live, counts its datums, and restarts and retries it', async () => {
    const launched = await fetch(`${dev.url}/api/pipelines/wordcount/runs`, { method: 'POST' });
    expect(launched.status).toBe(202);
    const { id } = (await launched.json()) as { id: string };

    const { page, errors } = await newPage(browser);
    await page.goto(`${dev.url}/runs/${id}?tab=logs`);
    await waitFor('the run to be running', async () =>
      (await statusOf(page)).includes('running') ? true : undefined,
    );
    await page.getByTestId('following').waitFor();
    const lines = page.getByTestId('log-line');
    await waitFor('a first log line', async () => ((await lines.count()) > 0 ? true : undefined));
    const early = await lines.count();
    await waitFor('more log lines', async () => ((await lines.count()) > early ? true : undefined));
    await waitFor('the run to fail', async () =>
      (await statusOf(page)).includes('failed') ? true : undefined,
    );
    await page.getByText('found BROKEN marker; step failed').first().waitFor();
    await screenshot(page, 'run-logs');

    await page.getByRole('tab', { name: 'Datums' }).click();
    const counts = page.getByTestId('datum-counts');
    expect(await counts.getByTestId('datum-total').textContent()).toBe('7');
    expect(await counts.getByRole('link', { name: '5 success datums of parse' }).isVisible()).toBe(true);
    expect(await counts.getByRole('link', { name: '1 failed datums of parse' }).isVisible()).toBe(true);
    const failedRow = page.getByRole('row').filter({ hasText: '/bad.txt' });
    expect(await failedRow.textContent()).toContain('found BROKEN marker');
    await screenshot(page, 'run-datums');

    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByRole('button', { name: 'parse' }).click();
    await page.getByRole('link', { name: '/bad.txt' }).waitFor();
    await screenshot(page, 'run-timeline');

    await page.getByRole('tab', { name: 'Datums' }).click();
    await failedRow.click();
    await page.waitForURL(/\/datums\/parse\/%2Fbad\.txt$/);
    expect(await page.getByTestId('datum-error').textContent()).toContain(
      'cannot parse bad.txt: found BROKEN marker',
    );
    expect(await page.getByTestId('attempt').count()).toBe(1);
    await page.getByText('reading bad.txt').waitFor();
    await screenshot(page, 'datum');
    await page.getByRole('button', { name: 'Restart' }).click();
    await page.waitForURL((url) => /^\/runs\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith(id));
    const restarted = new URL(page.url()).pathname.split('/').at(-1)!;
    expect((await apiGet<RunDetail>(dev, `/api/runs/${restarted}`)).run.trigger).toMatchObject({
      kind: 'restart',
      runId: id,
    });
    await ended(restarted);

    await page.goto(`${dev.url}/runs/${id}`);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.waitForURL(
      (url) =>
        /^\/runs\/[^/]+$/.test(url.pathname) &&
        !url.pathname.endsWith(id) &&
        !url.pathname.endsWith(restarted),
    );
    const retried = new URL(page.url()).pathname.split('/').at(-1)!;
    expect((await apiGet<RunDetail>(dev, `/api/runs/${retried}`)).run.trigger).toMatchObject({
      kind: 'retry',
      runId: id,
    });
    await ended(retried);

    await page.goto(`${dev.url}/runs`);
    for (const run of [id, restarted, retried])
      await page.getByRole('link', { name: run, exact: true }).waitFor();
    await screenshot(page, 'runs-list');

    await page.goto(`${dev.url}/runs?view=grid&pipeline=wordcount`);
    const cell = page.getByRole('link', { name: new RegExp(`^parse in run ${id}: failed`) });
    await cell.click();
    await page.waitForURL(
      (url) => url.pathname === `/runs/${id}` && url.searchParams.get('step') === 'parse',
    );
    await page.goto(`${dev.url}/runs?view=grid&pipeline=wordcount`);
    await page.getByRole('grid').waitFor();
    await screenshot(page, 'runs-grid');
    expect(errors).toEqual([]);

    const dark = await newPage(browser, { dark: true });
    await dark.page.goto(`${dev.url}/runs/${id}?step=parse`);
    await dark.page.getByRole('link', { name: '/bad.txt' }).waitFor();
    await screenshot(dark.page, 'run-timeline-dark');
    expect(dark.errors).toEqual([]);
  }, 120_000);
});
