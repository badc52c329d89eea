/**
 * The repo browser and lineage in a browser: a repo holding a PNG, a DICOM, a CSV and a JSON
 * file plus a pipeline deriving a commit from it; previews, upload, commits and lineage.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sluice, tempProject, tsStep } from '../helpers.js';
import { writeDicom } from './dicom-writer.js';
import { apiGet, launchBrowser, newPage, screenshot, startDev, waitFor, type Dev } from './harness.js';

const COUNT = tsStep(
  [
    "const { readdir } = await import('node:fs/promises');",
    'const names = await readdir(ctx.inputs.data, { recursive: true });',
    'return { summary: { files: names.length } };',
  ].join('\n'),
);
const SPEC = [
  'name: derive',
  'inputs:',
  '  data: { repo: scans, glob: "/" }',
  'steps:',
  '  count:',
  '    run: ./count.ts',
  '    inputs: [data]',
  '    outputs: [summary]',
  '',
].join('\n');

/** The parts of a canvas element the test reads (the test's types have no DOM). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}

let dev: Dev;
let browser: Browser;
let cleanup: () => Promise<void>;

async function seed(dir: string): Promise<void> {
  const data = join(dir, 'data');
  await mkdir(join(data, 'ct'), { recursive: true });
  await mkdir(join(data, 'tables'), { recursive: true });
  const width = 40;
  const height = 30;
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i += 1)
    raw.set([(i % width) * 6, Math.floor(i / width) * 8, 120], i * 3);
  await sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(join(data, 'photo.png'));
  const size = 64;
  const pixels = Array.from({ length: size * size }, (_, i) =>
    Math.hypot((i % size) - 32, Math.floor(i / size) - 32) < 20 ? 1200 : -900,
  );
  await writeFile(
    join(data, 'ct', 'slice-001.dcm'),
    writeDicom({ rows: size, columns: size, pixels, signed: true, intercept: -1024, patientId: 'ANON-7' }),
  );
  await writeFile(
    join(data, 'tables', 'scores.csv'),
    'sample,score,"note, quoted"\na,1.5,"say ""hi"""\nb,2,plain\n',
  );
  await writeFile(join(data, 'meta.json'), JSON.stringify({ dataset: 'scans', labels: ['cat', 'dog'] }));
}

/** Commits the seed data through the dev server, which runs `derive` on it (derive.yaml is in the project). */
async function commitSeed(dir: string): Promise<void> {
  for (const args of [
    ['repo', 'create', 'scans', '-d', 'CT slices, photos and tables'],
    ['put', 'scans', './data', '-m', 'first scans'],
  ]) {
    const result = await sluice(args, dir, { SLUICE_URL: dev.url });
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  }
  await waitFor('the derived commit', async () => {
    const repos = await apiGet<{ name: string; head: { provenance: unknown } | null }[]>(dev, '/api/repos');
    return repos.find((repo) => repo.name === 'derive' && repo.head?.provenance) ? true : undefined;
  });
}

beforeAll(async () => {
  const project = await tempProject({ 'count.ts': COUNT, 'derive.yaml': SPEC });
  cleanup = project.cleanup;
  await seed(project.dir);
  [dev, browser] = await Promise.all([startDev(project.dir), launchBrowser()]);
  await commitSeed(project.dir);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  await cleanup?.();
});

function row(page: Page, text: string) {
  return page.locator('[data-testid="table-row"]', { hasText: text }).first();
}

describe('repos and lineage pages', () => {
  it('lists repos, previews files, uploads, shows commits and lineage', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(`${dev.url}/repos`);
    await row(page, 'scans').waitFor();
    expect(await row(page, 'scans').textContent()).toContain('first scans');
    await screenshot(page, 'repos-list');

    // The create dialog shows the API's error, then creates.
    await page.getByRole('button', { name: 'Create repo' }).click();
    await page.getByLabel('Name').fill('scans');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/scans/);
    await page.getByRole('button', { name: 'Cancel' }).click();

    await row(page, 'scans').click();
    await page.waitForURL(/\/repos\/scans/);
    await row(page, 'photo.png').click();
    const image = page.locator('img[alt="/photo.png"]');
    await image.waitFor();
    await page.waitForFunction('document.querySelector(\'img[alt="/photo.png"]\')?.naturalWidth > 0');
    expect(await image.evaluate((node) => (node as unknown as { naturalWidth: number }).naturalWidth)).toBe(
      40,
    );
    await screenshot(page, 'repo-files-image');

    await row(page, 'ct').click();
    await row(page, 'slice-001.dcm').click();
    const canvas = page.locator('canvas');
    await canvas.waitFor();
    const distinct = await canvas.evaluate((node) => {
      const element = node as unknown as Canvas;
      const pixels = element.getContext('2d').getImageData(0, 0, element.width, element.height).data;
      const values = new Set<number>();
      for (let i = 0; i < pixels.length; i += 4) values.add(pixels[i]!);
      return values.size;
    });
    expect(distinct).toBeGreaterThan(1);
    expect(await page.getByText('ANON-7').isVisible()).toBe(true);
    await screenshot(page, 'repo-dicom');
    const dicomUrl = page.url();

    await page.getByRole('navigation', { name: 'Folder' }).getByRole('link', { name: 'scans' }).click();
    await row(page, 'tables').click();
    await row(page, 'scores.csv').click();
    await page.getByRole('columnheader', { name: 'note, quoted' }).waitFor();
    expect(await page.getByRole('columnheader', { name: 'score' }).isVisible()).toBe(true);
    expect(await page.getByRole('table', { name: 'CSV rows' }).textContent()).toContain('say "hi"');
    await screenshot(page, 'repo-csv');

    await page.getByRole('navigation', { name: 'Folder' }).getByRole('link', { name: 'scans' }).click();
    await row(page, 'meta.json').click();
    await page.getByRole('tree', { name: 'JSON' }).getByText('"dataset"').waitFor();

    // Drop a file onto the listing, then upload one with the button: a commit each.
    const transfer = await page.evaluateHandle(
      "(() => { const t = new DataTransfer(); t.items.add(new File(['dropped'], 'dropped.txt')); return t; })()",
    );
    await page.getByRole('table', { name: 'Files in /' }).dispatchEvent('drop', { dataTransfer: transfer });
    await row(page, 'dropped.txt').waitFor();

    await page.getByLabel('Upload files').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('uploaded from the browser'),
    });
    await page.getByText(/Committed 1 file as/).waitFor();
    await row(page, 'notes.txt').waitFor();
    await page.getByRole('button', { name: 'Diff vs parent' }).click();
    await page
      .locator('[aria-label^="Changes from"] [data-testid="table-row"]', { hasText: '/notes.txt' })
      .waitFor();
    expect(await page.locator('[aria-label^="Changes from"]').textContent()).toContain('added');
    await page.getByRole('tab', { name: 'Commits' }).click();
    await row(page, 'upload /notes.txt').waitFor();
    expect(await page.locator('[aria-label="Commits"] [data-testid="table-row"]').count()).toBe(3);
    await screenshot(page, 'repo-commits');

    // The derived commit's lineage shows the input commit and the run.
    await page.goto(`${dev.url}/repos/derive`);
    await page.getByRole('link', { name: /^Lineage of commit / }).click();
    await page.waitForURL(/\/lineage\/commit\/derive\//);
    await page.locator('[data-node^="run:"]').first().waitFor();
    const nodes = await page.locator('[data-node]').allTextContents();
    expect(nodes.some((text) => text.includes('scans'))).toBe(true);
    expect(nodes.some((text) => text.includes('run'))).toBe(true);
    await screenshot(page, 'lineage');
    expect(errors).toEqual([]);

    const dark = await newPage(browser, { dark: true });
    await dark.page.goto(dicomUrl);
    await dark.page.locator('canvas').waitFor();
    await dark.page.getByText('ANON-7').waitFor();
    await screenshot(dark.page, 'repo-dicom-dark');
    expect(dark.errors).toEqual([]);
  });
});
