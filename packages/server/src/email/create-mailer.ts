/**
 * `createMailer(config, logger)`: SMTP through nodemailer when `smtpUrl` is set; otherwise the outbox, so
 * the embedded set-up sends "email" with no set-up (DESIGN.md "Defaults"): each message is built by
 * nodemailer's stream transport as a complete RFC 822 message (CRLF line ends) and written to
 * `<outboxDir>/<time>-<sequence>-<random>.eml` (directory 0700, files 0600: they hold sign-in links), where any
 * mail client opens it, with its plain text beside it as `.txt` for reading in a terminal (the `.eml`'s
 * long lines are quoted-printable).
 *
 * What is logged: where mail goes, once, when the mailer is made (the SMTP URL without its password);
 * then one line per message with its subject and file or message id. Never a body (bodies carry tokens),
 * never the SMTP password, not even inside an error: a failed send becomes a {@link MailDeliveryError}
 * whose text is scrubbed of the password.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { redactUrl, type ServerConfig } from '../config/server-config.ts';
import type { Logger } from '../logging/logger.ts';
import { MailDeliveryError, type EmailMessage, type Mailer } from './mailer.ts';

/** How long an SMTP server may take before a send fails, in milliseconds. */
const smtpTimeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export type MailerConfig = Pick<ServerConfig, 'smtpUrl' | 'mailFrom' | 'outboxDir'>;

/** Every form the SMTP URL's credentials may take in an error text: as written, decoded, in AUTH PLAIN/LOGIN. */
function secretsOf(smtpUrl: string): string[] {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    return [smtpUrl];
  }
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (password === '') return [];
  const forms = [
    password,
    url.password,
    Buffer.from(password).toString('base64'),
    Buffer.from(`\0${user}\0${password}`).toString('base64'),
    Buffer.from(`${user}\0${user}\0${password}`).toString('base64'),
  ];
  return forms.filter((form) => form.length >= 3);
}

function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}

function smtpMailer(config: MailerConfig & { smtpUrl: string }, logger: Logger): Mailer {
  const secrets = secretsOf(config.smtpUrl);
  const transport = nodemailer.createTransport({ url: config.smtpUrl, ...smtpTimeouts });
  const description = `SMTP ${redactUrl(config.smtpUrl)}`;
  logger.info({ smtp: redactUrl(config.smtpUrl) }, 'email goes through SMTP');
  return {
    description,
    async send(message) {
      try {
        const info = await transport.sendMail({ from: config.mailFrom, ...message });
        logger.info({ subject: message.subject, messageId: info.messageId }, 'email sent');
      } catch (error) {
        const { code, response } = error as { code?: unknown; response?: unknown };
        const reason = scrub(
          [error instanceof Error ? error.message : String(error), typeof response === 'string' ? response : '']
            .filter((part) => part !== '')
            .join(' / '),
          secrets,
        );
        const failure = new MailDeliveryError(
          `could not send email through ${redactUrl(config.smtpUrl)}: ${reason}`,
          typeof code === 'string' ? code : undefined,
        );
        logger.error({ subject: message.subject, code: failure.code, reason: failure.message }, 'email not sent');
        throw failure;
      }
    },
  };
}

/** Orders outbox files written within one millisecond. */
let outboxSequence = 0;

function outboxMailer(config: MailerConfig, logger: Logger): Mailer {
  const dir = config.outboxDir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  logger.info({ outbox: dir }, 'email is written to the outbox folder (no SMTP server configured)');
  return {
    description: `outbox ${dir}`,
    async send(message: EmailMessage) {
      outboxSequence = (outboxSequence + 1) % 1_000_000;
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const name = `${stamp}-${String(outboxSequence).padStart(6, '0')}-${randomBytes(4).toString('hex')}.eml`;
      try {
        const info = await transport.sendMail({ from: config.mailFrom, ...message });
        await writeFile(join(dir, name), info.message as Buffer, { mode: 0o600, flag: 'wx' });
        // The .eml's text is quoted-printable (long link lines), unreadable with `cat`: a plain copy for people.
        const readable = `To: ${message.to}\nSubject: ${message.subject}\n\n${message.text}\n`;
        await writeFile(join(dir, name.replace(/\.eml$/, '.txt')), readable, { mode: 0o600, flag: 'wx' });
        logger.info({ subject: message.subject, file: name }, 'email written to the outbox');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const failure = new MailDeliveryError(
          `could not write email to the outbox ${dir}: ${error instanceof Error ? error.message : String(error)}`,
          code,
        );
        logger.error({ subject: message.subject, code, reason: failure.message }, 'email not written');
        throw failure;
      }
    },
  };
}

/**
 * The server's mailer.
 *
 * @example
 * ```ts
 * const mailer = createMailer(config, logger);
 * await mailer.send({ to: 'ada@example.org', ...passwordResetEmail({ publicUrl, token, expiresAt }) });
 * ```
 */
export function createMailer(config: MailerConfig, logger: Logger): Mailer {
  return config.smtpUrl === null
    ? outboxMailer(config, logger)
    : smtpMailer({ ...config, smtpUrl: config.smtpUrl }, logger);
}
