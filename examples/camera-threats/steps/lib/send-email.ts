/** E-mail notifications over SMTP (nodemailer). */
import nodemailer from 'nodemailer';
import { redactUrl, threatSubject, threatText } from './describe-threat.js';
import type { FrameImage } from './frame-image.js';
import type { Threat } from './match-threat.js';

/** Where and as whom to send. */
export interface EmailOptions {
  /** `smtp://[user:pass@]host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
  smtpUrl: string;
  from: string;
  /** One address or several, comma-separated. */
  to: string;
}

/** What the SMTP server accepted. */
export interface EmailReceipt {
  messageId: string;
  to: string[];
}

const TIMEOUT_MS = 10_000;

/** Sends the threat with its frame attached; throws naming the server when it is refused. */
export async function sendThreatEmail(
  options: EmailOptions,
  threat: Threat,
  image: FrameImage,
): Promise<EmailReceipt> {
  let url: URL;
  try {
    url = new URL(options.smtpUrl);
  } catch {
    throw new Error(
      `smtp_url '${redactUrl(options.smtpUrl)}' is not a URL; expected smtp://host:port or smtps://host:port`,
    );
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new Error(
      `smtp_url '${redactUrl(options.smtpUrl)}': scheme '${url.protocol.slice(0, -1)}' is not allowed; allowed: smtp, smtps`,
    );
  if (options.from.trim() === '') throw new Error('mail_from is empty but e-mail is on (smtp_url is set)');
  const to = options.to
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
  if (to.length === 0) throw new Error('mail_to is empty but e-mail is on (smtp_url is set)');

  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    const info = await transport.sendMail({
      from: options.from,
      to,
      subject: threatSubject(threat),
      text: threatText(threat),
      attachments: [{ filename: image.filename, content: image.bytes, contentType: image.contentType }],
    });
    return {
      messageId: info.messageId,
      // NOTE: typed as strings, but nodemailer passes address objects through as given.
      to: (info.accepted as Array<string | { address: string }>).map((address) =>
        typeof address === 'string' ? address : address.address,
      ),
    };
  } catch (error) {
    throw new Error(
      `sending e-mail through ${redactUrl(options.smtpUrl)} failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  } finally {
    transport.close();
  }
}
