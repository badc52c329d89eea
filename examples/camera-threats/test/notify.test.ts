import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import notify from '../steps/notify.js';
import type { Threat } from '../steps/lib/match-threat.js';
import { postThreatWebhook, type WebhookBody } from '../steps/lib/post-webhook.js';
import { readFrameImage } from '../steps/lib/frame-image.js';
import { photoPath } from '../scripts/sample-images.mjs';
import { fakeContext } from './fake-context.js';
import { MailCatcher, WebhookCatcher } from './catchers.js';

const THREAT: Threat = {
  device: 'cam3',
  frame: 'cam3/2026-11-24T22-15-00.jpg',
  rule: 'person-at-night-cam3',
  label: 'person',
  score: 0.744,
  severity: 'high',
  box: [8, 24, 496, 576],
  notify: ['email', 'webhook'],
  taken_at: '2026-11-24T22:15:00',
};

/** An `image` input holding the photograph as the threat's frame. */
function imageDir(): { dir: string; bytes: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'image-'));
  mkdirSync(join(dir, 'cam3'));
  const bytes = readFileSync(photoPath());
  writeFileSync(join(dir, 'cam3', '2026-11-24T22-15-00.jpg'), bytes);
  return { dir, bytes };
}

describe('notify', () => {
  const mail = new MailCatcher();
  const hook = new WebhookCatcher();
  beforeAll(async () => {
    await mail.start();
    await hook.start();
  });
  afterAll(async () => {
    await mail.stop();
    await hook.stop();
  });
  afterEach(() => {
    mail.messages.length = 0;
    hook.requests.length = 0;
    hook.status = 204;
    hook.delayMs = 0;
  });

  const inputs = (overrides: Partial<Parameters<typeof notify>[0]['inputs']> = {}) => ({
    threat: THREAT,
    image: imageDir().dir,
    smtp_url: mail.url,
    mail_from: 'Sluice cameras <cameras@example.test>',
    mail_to: 'guard@example.test, owner@example.test',
    webhook_url: hook.url,
    ...overrides,
  });

  it('e-mails the threat with the frame attached and posts it to the webhook', async () => {
    const { dir, bytes } = imageDir();
    const { notification } = await notify(fakeContext(inputs({ image: dir })));
    expect(notification).toEqual({
      email: {
        messageId: expect.stringMatching(/^<.+@.+>$/),
        to: ['guard@example.test', 'owner@example.test'],
      },
      webhook: { status: 204 },
    });

    expect(mail.messages).toHaveLength(1);
    const [{ envelopeTo, mail: received }] = mail.messages as [(typeof mail.messages)[number]];
    expect(envelopeTo).toEqual(['guard@example.test', 'owner@example.test']);
    expect(received.subject).toBe('[high] person on cam3 (person-at-night-cam3)');
    expect(received.from?.text).toBe('"Sluice cameras" <cameras@example.test>');
    expect(received.messageId).toBe(notification?.email?.messageId);
    expect(received.text).toContain('Frame:     cam3/2026-11-24T22-15-00.jpg');
    expect(received.text).toContain('Detected:  person, score 0.744');
    expect(received.attachments).toHaveLength(1);
    const [attachment] = received.attachments;
    expect(attachment?.filename).toBe('2026-11-24T22-15-00.jpg');
    expect(attachment?.contentType).toBe('image/jpeg');
    expect(attachment?.content.equals(bytes)).toBe(true);

    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    expect(request?.method).toBe('POST');
    expect(request?.contentType).toBe('application/json');
    const body = JSON.parse(request?.body ?? '') as WebhookBody;
    expect(body.threat).toEqual(THREAT);
    expect(body.image.filename).toBe('2026-11-24T22-15-00.jpg');
    expect(body.image.content_type).toBe('image/jpeg');
    expect(Buffer.from(body.image.base64, 'base64').equals(bytes)).toBe(true);
  });

  it('does nothing without a threat', async () => {
    expect(await notify(fakeContext(inputs({ threat: null })))).toEqual({ notification: null });
    expect(mail.messages).toHaveLength(0);
    expect(hook.requests).toHaveLength(0);
  });

  it('uses only the channels the rule names and the pipeline turned on', async () => {
    const webhookOnly = { ...THREAT, notify: ['webhook' as const] };
    expect(await notify(fakeContext(inputs({ threat: webhookOnly })))).toEqual({
      notification: { webhook: { status: 204 } },
    });
    const ctx = fakeContext(inputs({ webhook_url: '' }));
    const { notification } = await notify(ctx);
    expect(Object.keys(notification ?? {})).toEqual(['email']);
    expect(ctx.recorded.logs).toContainEqual({
      level: 'warn',
      message: 'rule person-at-night-cam3 asks for webhook but webhook_url is empty',
    });
    expect(await notify(fakeContext(inputs({ smtp_url: '', webhook_url: '' })))).toEqual({
      notification: null,
    });
    expect(mail.messages).toHaveLength(1);
    expect(hook.requests).toHaveLength(1);
  });

  it('fails naming the URL and status when the webhook refuses, saying the e-mail went out', async () => {
    hook.status = 503;
    await expect(notify(fakeContext(inputs()))).rejects.toThrow(
      `webhook ${hook.url} answered 503 Service Unavailable: no thanks (e-mail went out)`,
    );
    expect(mail.messages).toHaveLength(1);
  });

  it('fails naming the server when SMTP cannot be reached, and redacts its password', async () => {
    const closed = new MailCatcher();
    await closed.start();
    const port = new URL(closed.url).port;
    await closed.stop();
    await expect(
      notify(fakeContext(inputs({ smtp_url: `smtp://bob:secret@127.0.0.1:${port}`, webhook_url: '' }))),
    ).rejects.toThrow(
      new RegExp(`^sending e-mail through smtp://bob:\\*\\*\\*@127\\.0\\.0\\.1:${port} failed: `),
    );
  });

  it('gives up on a webhook that does not answer in time', async () => {
    hook.delayMs = 1_000;
    const image = await readFrameImage(imageDir().dir);
    await expect(postThreatWebhook(hook.url, THREAT, image, { timeoutMs: 100 })).rejects.toThrow(
      `webhook ${hook.url} did not answer within 0.1 s`,
    );
  });

  it('refuses bad settings with what is allowed', async () => {
    await expect(
      notify(fakeContext(inputs({ smtp_url: 'http://mail.example.test', webhook_url: '' }))),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: smtp_url 'http://mail.example.test/': scheme 'http' is not allowed; allowed: smtp, smtps]`,
    );
    await expect(
      notify(fakeContext(inputs({ mail_to: ' , ', webhook_url: '' }))),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: mail_to is empty but e-mail is on (smtp_url is set)]`,
    );
    await expect(
      notify(fakeContext(inputs({ smtp_url: '', webhook_url: 'ftp://example.test' }))),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: webhook_url 'ftp://example.test/' must be an http:// or https:// URL]`,
    );
  });
});
