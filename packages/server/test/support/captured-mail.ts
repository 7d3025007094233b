/**
 * A {@link Mailer} that keeps messages in memory, for tests of flows that send email (the SMTP and outbox
 * mailers have their own tests against a real SMTP sink). `failNext()` makes the next send throw.
 */
import { MailDeliveryError, type EmailMessage, type Mailer } from '../../src/email/mailer.ts';

export class CapturedMail implements Mailer {
  readonly description = 'memory (tests)';
  readonly messages: EmailMessage[] = [];
  #failures = 0;

  send(message: EmailMessage): Promise<void> {
    if (this.#failures > 0) {
      this.#failures--;
      return Promise.reject(new MailDeliveryError('the test mailer refused this message', 'ETEST'));
    }
    this.messages.push(message);
    return Promise.resolve();
  }

  failNext(): void {
    this.#failures++;
  }

  /** The messages sent to `address`. */
  to(address: string): EmailMessage[] {
    return this.messages.filter((message) => message.to === address);
  }

  /** The token of the last link sent to `address` (`…#token=<token>`). */
  lastToken(address: string): string {
    const last = this.to(address).at(-1);
    const token = /#token=([A-Za-z0-9_%-]+)/.exec(last?.text ?? '')?.[1];
    if (token === undefined) throw new Error(`no link was sent to ${address}`);
    return decodeURIComponent(token);
  }
}
