// Screenshots a page of a running Sluice UI in Debian's Chromium, for looking at a page
// while building it: node scripts/ui-shot.mjs URL OUT.png [--dark] [--width=1400] [--wait=SELECTOR]
import { chromium } from 'playwright-core';

const [url, out, ...flags] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node scripts/ui-shot.mjs URL OUT.png [--dark] [--width=1400] [--wait=SELECTOR]');
  process.exit(2);
}
const flag = (name) => {
  const found = flags.find((item) => item.startsWith(`--${name}=`));
  return found?.slice(name.length + 3);
};
// NOTE: Playwright gives every launch a new empty profile directory of its own.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
try {
  const page = await browser.newPage({
    viewport: { width: Number(flag('width') ?? 1400), height: 900 },
    colorScheme: flags.includes('--dark') ? 'dark' : 'light',
  });
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(url);
  const wait = flag('wait');
  if (wait) await page.waitForSelector(decodeURIComponent(wait), { timeout: 15_000 });
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: out, fullPage: true });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
}
