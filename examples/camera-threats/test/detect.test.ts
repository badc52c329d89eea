import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import detect from '../steps/detect.js';
import { decodeRows, fileModelHandler } from '../steps/lib/centernet.js';
import { iou, suppressOverlaps } from '../steps/lib/nms.js';
import { ensureModel } from '../scripts/fetch-model.mjs';
import { noiseJpeg, photoPath } from '../scripts/sample-images.mjs';
import { fakeContext } from './fake-context.js';

const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** An `image` input: a folder holding `cam1/<name>`. */
function imageDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'image-'));
  mkdirSync(join(dir, 'cam1'));
  return dir;
}

async function run(dir: string, name: string, minScore: number) {
  const ctx = fakeContext(
    { image: dir, frame: { path: `cam1/${name}` }, min_score: minScore },
    { pipelineDir: EXAMPLE_DIR },
  );
  return detect(ctx);
}

describe('detect', () => {
  beforeAll(async () => {
    await ensureModel();
  }, 120_000);

  it('finds the person in a photograph, with a box in the photograph’s pixels', async () => {
    const dir = imageDir();
    await copyFile(photoPath(), join(dir, 'cam1', 'hopper.jpg'));
    const { detections } = await run(dir, 'hopper.jpg', 0.2);
    const [best] = detections;
    expect(best?.label).toBe('person');
    expect(best?.score).toBeGreaterThanOrEqual(0.5);
    // The photograph is a portrait of one person filling most of its 512x600 pixels.
    const [x, y, width, height] = best?.box ?? [0, 0, 0, 0];
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(x + width).toBeLessThanOrEqual(512);
    expect(y + height).toBeLessThanOrEqual(600);
    expect(width * height).toBeGreaterThan(0.5 * 512 * 600);
    expect(detections.map((d) => d.score)).toEqual([...detections.map((d) => d.score)].sort((a, b) => b - a));
  });

  it('scales boxes back to a frame of another size', async () => {
    const dir = imageDir();
    const wide = await sharp(photoPath()).resize(1024, 600, { fit: 'fill' }).jpeg().toBuffer();
    writeFileSync(join(dir, 'cam1', 'wide.jpg'), wide);
    const { detections } = await run(dir, 'wide.jpg', 0.5);
    expect(detections[0]?.label).toBe('person');
    expect(detections[0]?.box[2]).toBeGreaterThan(600);
  });

  it('looks at a frame as displayed when EXIF says the camera was turned', async () => {
    const dir = imageDir();
    // Stored sideways (600x512); EXIF orientation 6 turns it upright (512x600) for display.
    const sideways = await sharp(photoPath()).rotate(270).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    writeFileSync(join(dir, 'cam1', 'turned.jpg'), sideways);
    const { detections } = await run(dir, 'turned.jpg', 0.5);
    expect(detections[0]?.label).toBe('person');
    const [x = 0, y = 0, width = 0, height = 0] = detections[0]?.box ?? [];
    expect(x + width).toBeLessThanOrEqual(512);
    expect(height).toBeGreaterThan(width);
    expect(y + height).toBeLessThanOrEqual(600);
  });

  it('finds nothing above 0.5 in noise', async () => {
    for (const seed of [1, 2, 3]) {
      const dir = imageDir();
      writeFileSync(join(dir, 'cam1', 'noise.jpg'), await noiseJpeg(640, 480, seed));
      expect(await run(dir, 'noise.jpg', 0.5)).toEqual({ detections: [] });
    }
  });

  it('refuses a min_score outside 0..1', async () => {
    await expect(run(imageDir(), 'x.jpg', 2)).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: min_score must be a number from 0 to 1, found 2]`,
    );
  });

  it('says how to fetch the model when it is missing', async () => {
    await expect(
      fileModelHandler('/nowhere/centernet.json').load?.(),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: the CenterNet model is missing at /nowhere/centernet.json: run \`node examples/camera-threats/scripts/fetch-model.mjs\`]`,
    );
  });
});

describe('decodeRows and suppressOverlaps', () => {
  it('turns model rows into labelled pixel boxes, clamped to the image, best first without duplicates', () => {
    const rows = [
      [-4, 20, 256, 512, 0.9, 0], // person, left half, spills over the left edge
      [0, 24, 250, 500, 0.6, 0], // the same person again
      [256, 0, 512, 256, 0.55, 16], // dog
      [0, 0, 10, 10, 0.1, 2], // car, below min_score
      [5, 5, 5, 9, 0.8, 3], // empty box
    ];
    const detections = suppressOverlaps(decodeRows(rows, 1024, 1024, 0.5));
    expect(detections).toEqual([
      { label: 'person', score: 0.9, box: [0, 40, 512, 984] },
      { label: 'dog', score: 0.55, box: [512, 0, 512, 512] },
    ]);
    expect(iou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(1 / 3);
    expect(iou([0, 0, 10, 10], [10, 10, 5, 5])).toBe(0);
  });
});
