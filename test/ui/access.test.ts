/**
 * The web UI against a server that requires API tokens, and by keyboard alone: the UI asks
 * for a token on the first 401, shows the API's data once given one, and every section is
 * reachable without a mouse.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sluice, tempProject, tsStep } from '../helpers.js';
import { launchBrowser, newPage, screenshot, startDev, type Dev } from './harness.js';

const SPEC = ['name: hello', 'steps:', '  greet:', '    run: ./greet.ts', '    outputs: [greeting]', ''].join(
  '\n',
);

let project: { dir: string; cleanup(): Promise<void> };
let dev: Dev;
let browser: Browser;
let secret: string;

beforeAll(async () => {
  project = await tempProject({ 'hello.yaml': SPEC, 'greet.ts': tsStep("return { greeting: 'hi' };") });
  // NOTE: once a token exists, even `sluice dev` on localhost requires tokens.
  const created = await sluice(
    ['token', 'create', '--name', 'browser', '--role', 'editor', '--json'],
    project.dir,
  );
  expect(created.code, created.stderr).toBe(0);
  secret = (JSON.parse(created.stdout) as { secret: string }).secret;
  dev = await startDev(project.dir);
  const launched = await fetch(`${dev.url}/api/pipelines/hello/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(launched.status).toBe(202);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  await project?.cleanup();
});

describe('the web UI with API tokens', () => {
  it('asks for a token on the first 401, then shows the data; a wrong token gets the API message', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(`${dev.url}/pipelines`);
    const dialog = page.getByRole('dialog', { name: 'API token' });
    await dialog.waitFor();
    await screenshot(page, 'token-dialog');

    await dialog.getByLabel('API token').fill('sluice_wrong');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const reason = dialog.getByRole('alert');
    await reason.waitFor();
    expect(await reason.textContent()).toBe('the API token is unknown or revoked');
    await screenshot(page, 'token-rejected');
    await dialog.getByLabel('API token').fill(secret);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'hello', exact: true }).waitFor();
    await page.getByTestId('live').getByText('live').waitFor();
    expect(errors).toEqual([]);
  });
});

describe('the web UI by keyboard', () => {
  it('moves between sections with g + letter and opens rows with Enter', async () => {
    const { page } = await newPage(browser);
    await page.goto(`${dev.url}/`);
    await page.evaluate(`localStorage.setItem('sluice.token', ${JSON.stringify(secret)})`);
    await page.goto(`${dev.url}/pipelines`);
    await page.getByRole('link', { name: 'hello', exact: true }).waitFor();

    await page.keyboard.press('g');
    await page.keyboard.press('r');
    await page.waitForURL(/\/runs$/);
    const row = page.getByTestId('table-row').first();
    await row.waitFor();
    await row.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/runs\/[0-9a-z]+/);
    await page.getByTestId('run-status').waitFor();

    await page.keyboard.press('g');
    await page.keyboard.press('m');
    await page.waitForURL(/\/models$/);
    // On a fresh load, the skip link is the first stop of the Tab order.
    await page.reload();
    await page.getByRole('navigation', { name: 'Sections' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent?.trim()')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(page.url()).toMatch(/#main$/);
  });
});
