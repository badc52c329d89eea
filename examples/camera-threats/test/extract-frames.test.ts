import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededBytes } from '../scripts/sample-images.mjs';

const SCRIPT = fileURLToPath(new URL('../steps/extract_frames.mjs', import.meta.url));

/** Fails (does not skip) the tests that need ffmpeg when it is not installed. */
function requireFfmpeg(): void {
  const probe = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0)
    throw new Error('ffmpeg is missing: install the Debian package ffmpeg (apt-get install -y ffmpeg)');
}

/** A datum folder with a `seconds`-long 320x240 test pattern video at `cam2/<name>`. */
function testVideo(name: string, seconds: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'videos-'));
  mkdirSync(join(dir, 'cam2'));
  const made = spawnSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc=duration=${seconds}:size=320x240:rate=25`,
    '-pix_fmt',
    'yuv420p',
    join(dir, 'cam2', name),
  ]);
  if (made.status !== 0) throw new Error(`ffmpeg could not make the test video: ${made.stderr.toString()}`);
  return dir;
}

/** Runs the step as Sluice would: inputs in $SLUICE_INPUTS, outputs under $SLUICE_OUT. */
function runStep(
  inputs: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string; out: string }> {
  const scratch = mkdtempSync(join(tmpdir(), 'extract-'));
  writeFileSync(join(scratch, 'inputs.json'), JSON.stringify(inputs));
  const out = join(scratch, 'out');
  mkdirSync(out);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT],
      { env: { ...env, SLUICE_INPUTS: join(scratch, 'inputs.json'), SLUICE_OUT: out } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr, out }),
    );
  });
}

describe('extract_frames', () => {
  beforeAll(requireFfmpeg);

  it('cuts one frame every N seconds, named by its second', async () => {
    const videos = testVideo('2026-11-24T22-15-00.mp4', 5);
    const { code, stderr, out } = await runStep({ videos, every_seconds: 2 });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const frames = readdirSync(join(out, 'frames', 'cam2')).sort();
    expect(frames).toEqual([
      '2026-11-24T22-15-00-t00000.jpg',
      '2026-11-24T22-15-00-t00002.jpg',
      '2026-11-24T22-15-00-t00004.jpg',
    ]);
    for (const frame of frames) {
      const file = join(out, 'frames', 'cam2', frame);
      const { format, width, height } = await sharp(file).metadata();
      expect({ format, width, height }).toEqual({ format: 'jpeg', width: 320, height: 240 });
      await sharp(file, { failOn: 'warning' }).stats();
    }
  });

  it('fails naming the video when ffmpeg cannot read it', async () => {
    const videos = mkdtempSync(join(tmpdir(), 'videos-'));
    mkdirSync(join(videos, 'cam2'));
    writeFileSync(join(videos, 'cam2', 'broken.mp4'), seededBytes(10_000, 5));
    const { code, stderr } = await runStep({ videos, every_seconds: 2 });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^video cam2\/broken\.mp4 cannot be read: ffmpeg exited \d+: .+/);
  });

  it('says to install ffmpeg when it is not on PATH', async () => {
    const videos = testVideo('clip.mp4', 1);
    const { code, stderr } = await runStep({ videos, every_seconds: 2 }, { PATH: '/nonexistent' });
    expect({ code, stderr }).toEqual({
      code: 2,
      stderr: 'ffmpeg is not installed (not on PATH): install the Debian package ffmpeg\n',
    });
  });

  it('refuses an interval that is not a whole number of seconds', async () => {
    const videos = testVideo('clip.mp4', 1);
    const { code, stderr } = await runStep({ videos, every_seconds: 0.5 });
    expect({ code, stderr }).toEqual({
      code: 1,
      stderr: 'every_seconds must be a whole number of seconds from 1 up, found 0.5\n',
    });
  });
});
