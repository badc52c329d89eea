// The web UI on a large run: time to first render of a run page (header and per-step datum
// counts on screen) for a run of 100 and of 10,000 datums, in Debian's Chromium, against
// the floor in the same run: the browser fetching and parsing the same run's JSON from the
// API (what any client showing the run must do). Also the datums tab with 10,000 rows
// (virtualised) and a cold reload of the runs list.
// Run with `npm run build && node bench/ui.js [--datums N] [--json] [--home DIR]` (`--home`
// keeps the prepared runs in DIR and reuses them next time).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));
const asJson = process.argv.includes('--json');
const datumsFlag = process.argv.indexOf('--datums');
const LARGE = datumsFlag > 0 ? Number(process.argv[datumsFlag + 1]) : 10_000;
const REPEATS = 5;
const homeFlag = process.argv.indexOf('--home');
const KEEP = homeFlag > 0 ? process.argv[homeFlag + 1] : undefined;

/** @param {string} text */
function say(text) {
  if (!asJson) process.stdout.write(`${text}\n`);
}

/**
 * Runs the CLI in `dir`; rejects with its stderr on failure.
 * @param {string[]} args @param {string} dir
 */
function cli(args, dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { ...process.env, SLUICE_HOME: join(dir, '.sluice'), NO_COLOR: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`sluice ${args.join(' ')}: ${err}`)),
    );
  });
}

/**
 * A project whose pipeline `touch-N` has one datum per file of repo `files-N` (N files),
 * and the id of its finished run.
 * @param {string} dir @param {number} count
 */
async function runWithDatums(dir, count) {
  const data = join(dir, `data-${count}`);
  await mkdir(data, { recursive: true });
  for (let i = 0; i < count; i += 1)
    await writeFile(join(data, `f${String(i).padStart(6, '0')}.txt`), `${i}\n`);
  await writeFile(
    join(dir, `touch-${count}.yaml`),
    [
      `name: touch-${count}`,
      'inputs:',
      `  file: { repo: files-${count}, glob: "/*" }`,
      'steps:',
      '  size:',
      '    run: ./size.ts',
      '    inputs: [file]',
      '    outputs: [bytes]',
      '',
    ].join('\n'),
  );
  await cli(['repo', 'create', `files-${count}`], dir);
  await cli(['put', `files-${count}`, data], dir);
  // NOTE: registering a pipeline whose input has data runs it once: that is the run measured.
  await cli(['pipeline', 'create', `touch-${count}.yaml`], dir);
  const runs = /** @type {{ id: string, pipeline: string }[]} */ (
    JSON.parse(await cli(['runs', '--json'], dir))
  );
  const run = runs.find((item) => item.pipeline === `touch-${count}`);
  if (!run) throw new Error(`no run of touch-${count}`);
  return run.id;
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const root = KEEP ?? (await mkdtemp(join(tmpdir(), 'sluice-bench-ui-')));
/** @type {import('node:child_process').ChildProcess | undefined} */
let server;
/** @type {import('playwright-core').Browser | undefined} */
let browser;
try {
  await writeFile(
    join(root, 'size.ts'),
    "export default async function (ctx) {\n  const { stat } = await import('node:fs/promises');\n  return { bytes: (await stat(ctx.inputs.file)).size };\n}\n",
  );
  const prepared = join(root, `runs-${LARGE}.json`);
  /** @type {{ small: string, large: string, token: string }} */
  let ids;
  try {
    ids = JSON.parse(await readFile(prepared, 'utf8'));
  } catch {
    say(`preparing runs of 100 and ${LARGE.toLocaleString('en-US')} datums…`);
    const small = await runWithDatums(root, 100);
    const large = await runWithDatums(root, LARGE);
    // NOTE: `sluice server` requires tokens; a viewer's is enough for the browser.
    const created = JSON.parse(
      await cli(['token', 'create', '--name', 'bench', '--role', 'viewer', '--json'], root),
    );
    ids = { small, large, token: created.secret };
    await writeFile(prepared, JSON.stringify(ids));
  }
  const { small, large, token } = ids;

  const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--json'], {
    cwd: root,
    env: { ...process.env, SLUICE_HOME: join(root, '.sluice'), NO_COLOR: '1' },
  });
  server = child;
  let serverErr = '';
  child.stderr.on('data', (chunk) => (serverErr += chunk));
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) => reject(new Error(`sluice server exited ${code}: ${serverErr}`))),
  );
  const first = await Promise.race([
    new Promise((resolve) =>
      createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) }).once(
        'line',
        resolve,
      ),
    ),
    exited,
  ]);
  const { url } = /** @type {{ url: string }} */ (JSON.parse(/** @type {string} */ (first)));

  browser = await chromium.launch({
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
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // NOTE: the UI keeps its token in localStorage; the page function runs in the browser.
  await context.addInitScript({ content: `localStorage.setItem('sluice.token', ${JSON.stringify(token)})` });
  const page = await context.newPage();
  await page.goto(`${url}/runs`);

  /** Browser-side fetch + JSON.parse of the run's detail: the floor. @param {string} id */
  const fetchRun = async (id) =>
    /** @type {number} */ (
      await page.evaluate(`(async () => {
        const started = performance.now();
        const response = await fetch('/api/runs/${id}', { headers: { authorization: 'Bearer ${token}' } });
        const body = await response.json();
        if (!body.tasks) throw new Error('no tasks');
        return performance.now() - started;
      })()`)
    );

  /** Navigation to the run page until its datum counts are on screen. @param {string} id @param {string} tab */
  const renderRun = async (id, tab = '') => {
    const started = Date.now();
    await page.goto(`${url}/runs/${id}${tab}`);
    await page.locator('[data-testid="datum-counts"]').first().waitFor({ state: 'visible', timeout: 60_000 });
    const counts = Date.now() - started;
    if (tab)
      await page.locator('[data-testid="table-row"]').first().waitFor({ state: 'visible', timeout: 60_000 });
    return { counts, rows: Date.now() - started };
  };

  /** @type {Record<string, number>} */
  const figures = {};
  for (const [label, id, count] of /** @type {[string, string, number][]} */ ([
    ['small', small, 100],
    ['large', large, LARGE],
  ])) {
    const floor = [];
    const page1 = [];
    const datums = [];
    for (let i = 0; i < REPEATS; i += 1) {
      floor.push(await fetchRun(id));
      page1.push((await renderRun(id)).counts);
      datums.push((await renderRun(id, '?tab=datums')).rows);
    }
    figures[`${label}_fetch_ms`] = median(floor);
    figures[`${label}_first_render_ms`] = median(page1);
    figures[`${label}_datums_tab_ms`] = median(datums);
    say(
      `run of ${count.toLocaleString('en-US')} datums: first render ${median(page1)} ms (header + counts), datums tab ${median(datums)} ms; ` +
        `floor (fetch + parse the run's JSON in the page) ${median(floor).toFixed(0)} ms; ratio ${(median(page1) / median(floor)).toFixed(1)}x`,
    );
  }
  // The floor of any navigation here: the server's own HTML reference page, no script.
  const docs = [];
  for (let i = 0; i < REPEATS; i += 1) {
    const started = Date.now();
    await page.goto(`${url}/api/docs`);
    await page.locator('h1').first().waitFor({ state: 'visible' });
    docs.push(Date.now() - started);
  }
  figures.static_page_ms = median(docs);
  say(`navigation floor (the server-rendered /api/docs page, no script): ${median(docs)} ms`);
  const lists = [];
  for (let i = 0; i < REPEATS; i += 1) {
    const started = Date.now();
    await page.goto(`${url}/runs`);
    await page.locator('[data-testid="table-row"]').first().waitFor({ state: 'visible' });
    lists.push(Date.now() - started);
  }
  figures.runs_list_ms = median(lists);
  say(`runs list, cold load: ${median(lists)} ms`);
  if (asJson) process.stdout.write(`${JSON.stringify({ datums: LARGE, ...figures })}\n`);
} finally {
  await browser?.close();
  server?.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  if (!KEEP) await rm(root, { recursive: true, force: true });
}
