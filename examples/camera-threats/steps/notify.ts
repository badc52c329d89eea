/**
 * Tells people about a threat on the channels its rule names (`notify`) that the pipeline
 * has turned on: e-mail when `smtp_url` is set, the webhook when `webhook_url` is set (''
 * turns a channel off). Both are tried; if either fails the step fails naming it, so a retry
 * may repeat the one that succeeded. Does nothing when there is no threat.
 */
import type { StepContext } from 'sluice';
import { readFrameImage } from './lib/frame-image.js';
import type { Threat } from './lib/match-threat.js';
import { postThreatWebhook } from './lib/post-webhook.js';
import { sendThreatEmail, type EmailReceipt } from './lib/send-email.js';

/** What was sent. */
export interface Notification {
  email?: EmailReceipt;
  webhook?: { status: number };
}

interface Inputs extends Record<string, unknown> {
  threat: Threat | null;
  image: string;
  smtp_url: string;
  mail_from: string;
  mail_to: string;
  webhook_url: string;
}

export default async function notify(
  ctx: StepContext<Inputs>,
): Promise<{ notification: Notification | null }> {
  const { threat, image, smtp_url, mail_from, mail_to, webhook_url } = ctx.inputs;
  if (threat === null) return { notification: null };
  const wanted = new Set(threat.notify);
  const email = wanted.has('email') && smtp_url !== '';
  const webhook = wanted.has('webhook') && webhook_url !== '';
  for (const [channel, on, param] of [
    ['email', email, 'smtp_url'],
    ['webhook', webhook, 'webhook_url'],
  ] as const)
    if (wanted.has(channel) && !on)
      ctx.log.warn(`rule ${threat.rule} asks for ${channel} but ${param} is empty`);
  if (!email && !webhook) return { notification: null };

  const frameImage = await readFrameImage(image);
  const [mailed, posted] = await Promise.allSettled([
    email
      ? sendThreatEmail({ smtpUrl: smtp_url, from: mail_from, to: mail_to }, threat, frameImage)
      : undefined,
    webhook ? postThreatWebhook(webhook_url, threat, frameImage, { signal: ctx.signal }) : undefined,
  ]);
  const failures = [mailed, posted].filter((result) => result.status === 'rejected');
  if (failures.length > 0) {
    const sent = [
      mailed.status === 'fulfilled' && email && 'e-mail',
      posted.status === 'fulfilled' && webhook && 'webhook',
    ].filter(Boolean);
    throw new Error(
      failures.map((failure) => (failure.reason as Error).message).join('; ') +
        (sent.length > 0 ? ` (${sent.join(' and ')} went out)` : ''),
      { cause: failures[0]?.reason },
    );
  }
  const notification: Notification = {};
  if (mailed.status === 'fulfilled' && mailed.value) {
    notification.email = mailed.value;
    ctx.log.info(`e-mailed ${mailed.value.to.join(', ')}: ${mailed.value.messageId}`);
  }
  if (posted.status === 'fulfilled' && posted.value) {
    notification.webhook = posted.value;
    ctx.log.info(`webhook answered ${posted.value.status}`);
  }
  return { notification };
}
