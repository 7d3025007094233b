/**
 * Password reset by email link (S1): `requestPasswordReset` (always `202`; a link valid 1 hour goes to a
 * confirmed user who signs in with a password, earlier links stop working; sent in the background, so
 * the answer's timing says nothing) and `completePasswordReset` (the link once; the new password is set
 * and every session of the user ends; a notice goes to the address).
 */
import { assertPasswordAccepted } from '../auth/password-policy.ts';
import { toTimestamp } from '../db/time.ts';
import { passwordChangedEmail, passwordResetEmail } from '../email/templates.ts';
import type { HandlerRegistry } from '../http/handlers/handler-types.ts';
import { findAccount, findUser, findUserByEmail, isPastGrace, isUnconfirmedSignUp } from './account-records.ts';
import type { AccountsContext } from './accounts-context.ts';
import { consumeLink, issueLink } from './email-links.ts';
import { passwordResetLinkMs } from './session-policy.ts';
import { endUserSessions } from './sessions.ts';
import { linkInvalid } from './sign-up-handlers.ts';

export function passwordResetHandlers({ services, passwords, mail }: AccountsContext): HandlerRegistry {
  const { database, clock, config } = services;
  const db = database.db;

  return {
    async requestPasswordReset({ body }) {
      const now = clock();
      const user = await findUserByEmail(db, body.email);
      const account = user === undefined ? undefined : await findAccount(db, user.account_id);
      if (
        user !== undefined &&
        account !== undefined &&
        user.status === 'active' &&
        user.password_hash !== null &&
        !isUnconfirmedSignUp(user) &&
        !isPastGrace(account, now)
      ) {
        const link = await issueLink(db, {
          accountId: user.account_id,
          userId: user.id,
          purpose: 'reset_password',
          now,
          lifetimeMs: passwordResetLinkMs,
        });
        mail.sendInBackground({
          to: user.email,
          ...passwordResetEmail({ publicUrl: config.publicUrl, name: user.name, ...link }),
        });
      }
      return { status: 202, body: { email: body.email } };
    },

    async completePasswordReset({ body }) {
      const passwordHash = await passwords.hash(body.password);
      const now = clock();
      const user = await db.transaction().execute(async (trx) => {
        const link = await consumeLink(trx, 'reset_password', body.token, now);
        if (link === null) return null;
        const [found, account] = await Promise.all([
          findUser(trx, link.accountId, link.userId),
          findAccount(trx, link.accountId),
        ]);
        if (found === undefined || account === undefined || isPastGrace(account, now)) return null;
        // Refused here, inside the transaction, the link stays usable for a better password.
        assertPasswordAccepted(body.password, found.email, '/body/password');
        await trx
          .updateTable('users')
          .set({ password_hash: passwordHash, password_changed_at: toTimestamp(now), updated_at: toTimestamp(now) })
          .where('account_id', '=', link.accountId)
          .where('id', '=', link.userId)
          .execute();
        await endUserSessions(trx, link.accountId, link.userId);
        return found;
      });
      if (user === null) throw linkInvalid();
      await mail.send({ to: user.email, ...passwordChangedEmail({ publicUrl: config.publicUrl, name: user.name }) });
      return { status: 204 };
    },
  };
}
