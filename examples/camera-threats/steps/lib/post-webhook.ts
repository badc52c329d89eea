/** Webhook notifications: the threat and its frame as one JSON POST. */
import { redactUrl } from './describe-threat.js';
import type { FrameImage } from './frame-image.js';
import type { Threat } from './match-threat.js';

/** What the webhook receives. */
export interface WebhookBody {
  threat: Threat;
  image: { filename: string; content_type: string; base64: string };
}

/** How long the receiver has to answer. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * POSTs the threat to `url`; throws naming the URL when it answers other than 2xx, cannot be
 * reached or does not answer within `timeoutMs` (default {@link WEBHOOK_TIMEOUT_MS}).
 */
export async function postThreatWebhook(
  url: string,
  threat: Threat,
  image: FrameImage,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<{ status: number }> {
  const { signal, timeoutMs = WEBHOOK_TIMEOUT_MS } = options;
  const shown = redactUrl(url);
  if (!/^https?:\/\//.test(url)) throw new Error(`webhook_url '${shown}' must be an http:// or https:// URL`);
  const body: WebhookBody = {
    threat,
    image: {
      filename: image.filename,
      content_type: image.contentType,
      base64: image.bytes.toString('base64'),
    },
  };
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    if (timeout.aborted) throw new Error(`webhook ${shown} did not answer within ${timeoutMs / 1000} s`);
    const cause = (error as Error & { cause?: Error }).cause;
    throw new Error(`webhook ${shown} cannot be reached: ${cause?.message ?? (error as Error).message}`, {
      cause: error,
    });
  }
  // Drain the body so the connection is released.
  const answer = await response.text().catch(() => '');
  if (!response.ok)
    throw new Error(
      `webhook ${shown} answered ${response.status} ${response.statusText}` +
        (answer.trim() ? `: ${answer.trim().slice(0, 200)}` : ''),
    );
  return { status: response.status };
}
