import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import detect from '../steps/detect.js';
import loadRules from '../steps/load_rules.js';
import threat from '../steps/threat.js';
import validate from '../steps/validate.js';
import { ensureModel } from '../scripts/fetch-model.mjs';
import { makeFrames, SAMPLE_FRAMES } from '../scripts/make-frames.mjs';
import { fakeContext } from './fake-context.js';

const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** One frame's datum folder, as Sluice hands it to validate. */
function datumOf(repo: string, path: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'datum-'));
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  copyFileSync(join(repo, path), join(dir, path));
  return dir;
}

/** validate -> detect -> threat for one frame, as pipeline.yaml chains them. */
async function outcome(repo: string, path: string): Promise<string | null> {
  const checked = fakeContext({ frames: datumOf(repo, path) }, { pipelineDir: EXAMPLE_DIR });
  let frame;
  try {
    ({ frame } = await validate(checked));
  } catch {
    return 'rejected';
  }
  const image = join(checked.recorded.outDir, 'image');
  const { detections } = await detect(
    fakeContext({ image, frame, min_score: 0.5 }, { pipelineDir: EXAMPLE_DIR }),
  );
  const { rules } = await loadRules(fakeContext({ rules_file: 'rules.yaml' }, { pipelineDir: EXAMPLE_DIR }));
  const found = await threat(fakeContext({ detections, frame, rules }));
  return found.threat?.rule ?? null;
}

describe('sample frames', () => {
  beforeAll(async () => {
    await ensureModel();
  }, 120_000);

  it('come to the threats SAMPLE_FRAMES promises under rules.yaml', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'cameras-'));
    await makeFrames(repo);
    const outcomes: Record<string, string | null> = {};
    for (const { path } of SAMPLE_FRAMES) outcomes[path] = await outcome(repo, path);
    expect(outcomes).toEqual(Object.fromEntries(SAMPLE_FRAMES.map(({ path, expected }) => [path, expected])));
  });
});
