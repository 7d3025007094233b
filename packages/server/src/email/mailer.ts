/**
 * The server's one way to send email: a {@link Mailer}. `createMailer` (`create-mailer.ts`) picks SMTP
 * when `HOLDFAST_SMTP_URL` is set and the outbox folder otherwise; handlers only see this interface
 * (`services.mailer`), and build messages with the templates in `templates.ts`.
 */

/** One email. Addresses are plain (`ada@example.org`); the sender is the configured `mailFrom`. */
export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  /** The plain-text body (every message has one). */
  readonly text: string;
  /** An HTML alternative. */
  readonly html?: string;
}

export interface Mailer {
  /**
   * Sends one message: accepted by the SMTP server, or written to the outbox, when it resolves.
   *
   * @throws {@link MailDeliveryError} when it could not be sent; its message never holds credentials.
   */
  send(message: EmailMessage): Promise<void>;
  /** Where mail goes, for people: `outbox /srv/.holdfast/outbox` or `SMTP smtp://mail.example.org:587`. */
  readonly description: string;
}

/**
 * A message could not be sent. The message says why (the SMTP reply, the file error) without the SMTP
 * password; the original error is deliberately not attached, as it may carry the credentials.
 */
export class MailDeliveryError extends Error {
  /** nodemailer's or the file system's error code, when there is one (`EAUTH`, `ECONNECTION`, `EACCES`). */
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.name = 'MailDeliveryError';
    this.code = code;
  }
}
