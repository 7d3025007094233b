/**
 * A {@link Mailer} that knows which of its messages are still being sent, so a graceful shutdown can wait
 * for them: the public flows send in the background (`accounts/account-mail.ts`: the answer must not
 * wait on SMTP, or its timing would tell whether the address has an account), and a stop right after
 * such an answer must not drop a password-reset link or a sign-up confirmation on the floor.
 */
import type { EmailMessage, Mailer } from './mailer.ts';

export interface TrackedMailer extends Mailer {
  /** How many messages are being sent now. */
  readonly inFlight: number;
  /**
   * Resolves true once every message being sent now has been sent or has failed, or false when
   * `timeoutMs` passes first (the shutdown then goes on; the mailer logged what it could not send).
   */
  settled(timeoutMs: number): Promise<boolean>;
}

/** Wraps `mailer`, counting its sends. */
export function trackedMailer(mailer: Mailer): TrackedMailer {
  const pending = new Set<Promise<unknown>>();
  return {
    get description() {
      return mailer.description;
    },
    get inFlight() {
      return pending.size;
    },
    send(message: EmailMessage): Promise<void> {
      const sending = mailer.send(message);
      const settledSend = sending.then(
        () => undefined,
        () => undefined,
      );
      pending.add(settledSend);
      void settledSend.finally(() => pending.delete(settledSend));
      return sending;
    },
    async settled(timeoutMs: number): Promise<boolean> {
      if (pending.size === 0) return true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, timeoutMs);
      });
      try {
        return await Promise.race([Promise.all([...pending]).then(() => true as const), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
