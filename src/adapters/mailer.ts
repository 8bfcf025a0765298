import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Config } from './config.js';

/** One e-mail as recouvre sends it: multipart text + HTML, with its PDF letter when there is one. */
export interface OutgoingMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly replyTo: string | null;
  readonly bcc: string | null;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Chosen by recouvre and recorded before sending, so that a message can always be traced. */
  readonly messageId: string;
  readonly date: Date;
  readonly attachments: readonly { readonly filename: string; readonly content: Buffer }[];
}

export type Delivery =
  | { readonly ok: true; readonly response: string }
  | {
      readonly ok: false;
      /** `temporaire`: 4xx or timeout, tried again at the next run; `definitif`: 5xx; `connexion`: no server. */
      readonly kind: 'temporaire' | 'definitif' | 'connexion';
      readonly message: string;
    };

export interface Mailer {
  send(message: OutgoingMessage): Promise<Delivery>;
  close(): void;
}

function mailOptions(message: OutgoingMessage) {
  return {
    from: message.from,
    to: [...message.to],
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    ...(message.bcc ? { bcc: message.bcc } : {}),
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    date: message.date,
    attachments: message.attachments.map((a) => ({
      filename: a.filename,
      content: a.content,
      contentType: 'application/pdf',
    })),
  };
}

export interface SmtpSettings {
  /** `smtp://user@host:587` or `smtps://…`; the password never comes from the configuration file. */
  readonly url: string;
  readonly password: string | null;
  readonly timeoutSeconds: number;
}

/** The SMTP server: RECOUVRE_SMTP_URL wins over [smtp] url; the password only from the environment. */
export function smtpSettings(
  env: Readonly<Record<string, string | undefined>>,
  config: Config,
): SmtpSettings | null {
  const url = env.RECOUVRE_SMTP_URL || config.smtp.url;
  if (!url) return null;
  return {
    url,
    password: env.RECOUVRE_SMTP_MOT_DE_PASSE || null,
    timeoutSeconds: config.smtp.delai_secondes,
  };
}

/** A Message-ID chosen by recouvre, on the sender's domain: `<recouvre.3f…@dupont.fr>`. */
export function newMessageId(sender: string): string {
  const domain = sender.replace(/^.*@/, '').replace(/>.*$/, '') || 'recouvre.local';
  return `<recouvre.${randomBytes(12).toString('hex')}@${domain}>`;
}

/** Sends through an SMTP server, one pooled connection for the whole run. */
export function smtpMailer(settings: SmtpSettings): Mailer {
  const url = new URL(settings.url);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    ...(url.username
      ? {
          auth: {
            user: decodeURIComponent(url.username),
            pass: settings.password ?? decodeURIComponent(url.password),
          },
        }
      : {}),
    pool: true,
    maxConnections: 1,
    connectionTimeout: settings.timeoutSeconds * 1000,
    greetingTimeout: settings.timeoutSeconds * 1000,
    socketTimeout: settings.timeoutSeconds * 1000,
  });
  return {
    async send(message) {
      try {
        const info = await transport.sendMail(mailOptions(message));
        // The client's own address refused while the Bcc went through is a failure, not a success.
        const rejectedList = ((info as { rejected?: unknown[] }).rejected ?? []) as (
          | string
          | { address: string }
        )[];
        const rejected = new Set(
          rejectedList.map((a) => (typeof a === 'string' ? a : a.address).toLowerCase()),
        );
        if (message.to.length > 0 && message.to.every((to) => rejected.has(to.toLowerCase()))) {
          const errors =
            (info as { rejectedErrors?: (Error & { responseCode?: number; response?: string })[] })
              .rejectedErrors ?? [];
          const first = errors[0];
          return classify(first ?? Object.assign(new Error('destinataire refusé'), { responseCode: 550 }));
        }
        return { ok: true, response: String(info.response ?? '') };
      } catch (error) {
        return classify(error as Error & { code?: string; responseCode?: number; response?: string });
      }
    },
    close() {
      transport.close();
    },
  };
}

function classify(error: Error & { code?: string; responseCode?: number; response?: string }): Delivery {
  const response = error.response ?? error.message;
  if (error.responseCode && error.responseCode >= 500)
    return { ok: false, kind: 'definitif', message: response };
  if (error.responseCode && error.responseCode >= 400)
    return { ok: false, kind: 'temporaire', message: response };
  if (error.code === 'ETIMEDOUT')
    return { ok: false, kind: 'temporaire', message: `délai dépassé (${error.message})` };
  return { ok: false, kind: 'connexion', message: error.message };
}

let emlTransport: ReturnType<typeof nodemailer.createTransport> | null = null;

/** The message as an .eml file (RFC 822), exactly as it would be sent. */
export async function emlOf(message: OutgoingMessage): Promise<Buffer> {
  emlTransport ??= nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await emlTransport.sendMail(mailOptions(message));
  return info.message as Buffer;
}
