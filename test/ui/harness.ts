/**
 * What the browser tests share: `sluice dev` in a child process over a temp project (the UI
 * it serves is the one `npm run build` put in dist/ui), Debian's Chromium driven by
 * playwright-core, and screenshots saved under `test-results/ui/` for people to look at.
 */
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Dev } from '../dev-process.js';

export { startDev, waitFor, type Dev } from '../dev-process.js';

/** Where the tests save screenshots. */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/ui/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches Debian's Chromium headless, as the machine's notes prescribe. */
export async function launchBrowser(): Promise<Browser> {
  try {
    await access(CHROMIUM);
  } catch {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH`,
    );
  }
  // NOTE: Playwright gives every launch a new empty profile directory; the flags keep
  // Chromium off the network this machine does not have.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A new page of `browser` that fails the test on an uncaught page error. */
export async function newPage(
  browser: Browser,
  options: { dark?: boolean; width?: number; height?: number } = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1400, height: options.height ?? 900 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

/** Saves a full-page screenshot as `test-results/ui/NAME.png`; answers its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** GET `path` of the API as JSON. */
export async function apiGet<T>(dev: Dev, path: string): Promise<T> {
  const response = await fetch(`${dev.url}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
