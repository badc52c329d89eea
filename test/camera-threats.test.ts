/**
 * The camera-threats workload end to end, through the CLI: frames put into a repo and
 * frames cut from a video by the video-frames pipeline, real object detection, threat rules
 * per device, and notifications received by a real SMTP server and a local HTTP endpoint.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailCatcher, WebhookCatcher } from '../examples/camera-threats/test/catchers.js';
import { ensureModel } from '../examples/camera-threats/scripts/fetch-model.mjs';
import { makeFrames } from '../examples/camera-threats/scripts/make-frames.mjs';
import { GRACE_HOPPER } from '../examples/camera-threats/scripts/sample-images.mjs';
import { sluice, tempProject } from './helpers.js';

const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'camera-threats');
const mail = new MailCatcher();
const hooks = new WebhookCatcher();
let dir = '';
let cleanup: () => Promise<void> = async () => undefined;

async function ok(args: string[]): Promise<string> {
  const result = await sluice(args, dir);
  if (result.code !== 0) throw new Error(`sluice ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  if (spawnSync('ffmpeg', ['-version']).status !== 0) {
    throw new Error('ffmpeg is missing: install the Debian package ffmpeg (apt-get install -y ffmpeg)');
  }
  if (!existsSync(GRACE_HOPPER)) {
    throw new Error(`${GRACE_HOPPER} is missing: install the Debian package python3-matplotlib`);
  }
  await ensureModel();
  ({ dir, cleanup } = await tempProject());
  await Promise.all([mail.start(), hooks.start()]);
}, 180_000);

afterAll(async () => {
  await Promise.all([mail.stop(), hooks.stop()]);
  await cleanup();
});

interface Task {
  step: string;
  datum: string;
  status: string;
  startedAt: string;
  finishedAt: string;
}

describe('camera-threats', { timeout: 300_000 }, () => {
  it('detects, applies the rules per device and notifies once per threat; bad frames fail their datum', async () => {
    await makeFrames(join(dir, 'frames'));
    // An 8 s video of the photograph: the video-frames pipeline cuts a frame every 5 s.
    await mkdir(join(dir, 'videos', 'cam4'), { recursive: true });
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-loop',
      '1',
      '-i',
      GRACE_HOPPER,
      '-t',
      '8',
      '-r',
      '5',
      '-vf',
      'scale=256:300,format=yuv420p',
      join(dir, 'videos', 'cam4', '2026-11-24T23-00-00.mp4'),
    ]);
    await ok(['repo', 'create', 'cameras']);
    await ok(['repo', 'create', 'videos']);
    await ok(['pipeline', 'create', join(EXAMPLE, 'video-frames.yaml')]);
    const video = JSON.parse(await ok(['put', 'videos', 'videos', '--json'])) as {
      triggered: { pipeline: string; status: string; outputCommit: string }[];
    };
    expect(video.triggered).toMatchObject([{ pipeline: 'video-frames', status: 'succeeded' }]);
    const frames = JSON.parse(await ok(['ls', '-r', 'video-frames:/frames', '--json'])) as { path: string }[];
    expect(frames.map((file) => file.path)).toEqual([
      '/frames/cam4/2026-11-24T23-00-00-t00000.jpg',
      '/frames/cam4/2026-11-24T23-00-00-t00005.jpg',
    ]);
    await ok(['put', 'cameras', 'frames']);

    const params = [
      '-p',
      `smtp_url=${mail.url}`,
      '-p',
      'mail_to=ops@example.com',
      '-p',
      `webhook_url=${hooks.url}`,
    ];
    const spec = join(EXAMPLE, 'pipeline.yaml');
    const first = await sluice(['run', spec, ...params, '--json'], dir);
    expect(first.code, first.stderr).toBe(1);
    const runId = (JSON.parse(first.stdout) as { runId: string }).runId;
    const datums = JSON.parse(await ok(['datums', runId, '--json'])) as {
      counts: Record<string, Record<string, number>>;
      datums: { step: string; datum: string; state: string; error: { message: string } | null }[];
    };
    expect(datums.counts.validate).toEqual({ total: 6, success: 5, failed: 1 });
    expect(datums.counts.notify).toEqual({ total: 6, success: 5, upstream_failed: 1 });
    const rejected = datums.datums.find((datum) => datum.step === 'validate' && datum.state === 'failed');
    expect(rejected?.datum).toBe('cameras:/cam2/2026-11-24T23-45-00.jpg');
    expect(rejected?.error?.message).toMatch(
      /cam2\/2026-11-24T23-45-00\.jpg: cannot be decoded: .*premature end/,
    );

    // One email: a person at night on camera 3, with the frame attached.
    expect(mail.messages).toHaveLength(1);
    const email = mail.messages[0];
    expect(email?.envelopeTo).toEqual(['ops@example.com']);
    expect(email?.mail.subject).toMatch(/person.*cam3.*person-at-night-cam3/);
    const attached = email?.mail.attachments[0];
    expect(attached?.filename).toBe('2026-11-24T22-15-00.jpg');
    expect(
      Buffer.compare(
        attached?.content ?? Buffer.alloc(0),
        await readFile(join(dir, 'frames', 'cam3', '2026-11-24T22-15-00.jpg')),
      ),
    ).toBe(0);
    // Webhooks: the person by day (cam1), at night (cam3) and in both video frames (cam4); none for noise.
    const bodies = hooks.requests.map(
      (request) => JSON.parse(request.body) as { threat: { device: string; rule: string; label: string } },
    );
    expect(bodies.map((body) => `${body.threat.device} ${body.threat.rule}`).sort()).toEqual([
      'cam1 person-any-camera',
      'cam3 person-at-night-cam3',
      'cam4 person-any-camera',
      'cam4 person-any-camera',
    ]);

    // parallelism: 2 for detect is honoured: two detections overlap, never three.
    const detail = JSON.parse(await ok(['show', runId, '--json'])) as { tasks: Task[] };
    const detect = detail.tasks.filter((task) => task.step === 'detect' && task.status === 'success');
    const overlap = Math.max(
      ...detect.map(
        (task) =>
          detect.filter((other) => other.startedAt <= task.startedAt && other.finishedAt > task.startedAt)
            .length,
      ),
    );
    expect(overlap).toBe(2);

    // The bad frame is removed; the run re-uses every done datum and notifies nobody twice.
    await ok(['rm', 'cameras:/cam2/2026-11-24T23-45-00.jpg']);
    const second = JSON.parse(await ok(['run', spec, ...params, '--json'])) as {
      runId: string;
      status: string;
      outputCommit: string;
    };
    expect(second.status).toBe('succeeded');
    const counts = (
      JSON.parse(await ok(['datums', second.runId, '--json'])) as {
        counts: Record<string, Record<string, number>>;
      }
    ).counts;
    expect(counts.detect).toEqual({ total: 5, skipped: 5 });
    expect(counts.notify).toEqual({ total: 5, skipped: 5 });
    expect(mail.messages).toHaveLength(1);
    expect(hooks.requests).toHaveLength(4);
    await ok(['get', `camera-threats@${second.outputCommit}:/threat.json`, '-o', 'threat.json']);
    const threats = JSON.parse(await readFile(join(dir, 'threat.json'), 'utf8')) as Record<
      string,
      { rule: string } | null
    >;
    expect(threats['cameras:/cam2/2026-11-24T23-40-00.jpg']).toBeNull();
    expect(threats['cameras:/cam3/2026-11-24T22-15-00.jpg']?.rule).toBe('person-at-night-cam3');
    const lineage = JSON.parse(await ok(['lineage', `camera-threats@${second.outputCommit}`, '--json'])) as {
      upstream: { repo: string; pipeline: string | null; children: { repo: string }[] }[];
    };
    expect(lineage.upstream.map((node) => node.repo).sort()).toEqual(['cameras', 'video-frames']);
    const fromVideo = lineage.upstream.find((node) => node.repo === 'video-frames');
    expect(fromVideo?.pipeline).toBe('video-frames');
    expect(fromVideo?.children.map((node) => node.repo)).toEqual(['videos']);
  });
});
