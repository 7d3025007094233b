/**
 * How the accounts flows send email. A failed send never fails the request: the mailer has logged it
 * (without secrets), and every flow has a way to ask again (resend, a new reset, a new change request).
 *
 * The public flows that must not reveal whether an address has an account (sign-up, resend, password
 * reset) send in the background: the answer goes out before the SMTP conversation, so its timing is the
 * same whether a message was sent or not. Signed-in flows wait for the send.
 */
import type { EmailMessage, Mailer } from '../email/mailer.ts';
import type { Logger } from '../logging/logger.ts';

export interface AccountMail {
  /** Sends and waits; a failure is logged, not thrown. */
  send(message: EmailMessage): Promise<void>;
  /** Sends without waiting; a failure is logged. */
  sendInBackground(message: EmailMessage): void;
}

export function accountMail(mailer: Mailer, logger: Logger): AccountMail {
  async function send(message: EmailMessage): Promise<void> {
    try {
      await mailer.send(message);
    } catch (error) {
      logger.warn({ subject: message.subject, reason: (error as Error).message }, 'an account email was not sent');
    }
  }
  return {
    send,
    sendInBackground(message) {
      void send(message);
    },
  };
}
