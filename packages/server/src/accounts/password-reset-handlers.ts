/**
 * Password reset by email link (S1): `requestPasswordReset` (always `202`; a link valid 1 hour goes to a
 * confirmed user who signs in with a password, earlier links stop working; sent in the background, so
 * the answer's timing says nothing) and `completePasswordReset` (the link once; the new password is set
 * and every session of the user ends; a notice goes to the address).
 *
 * Audited: `password_reset_requested` whenever the address is a user's (`succeeded` when a link went,
 * `failed` with the reason when the user may not reset: invited, deactivated, no password, unconfirmed),
 * recorded as an anonymous caller naming the address typed, in the transaction that issues the link; the
 * answer is the same `202` whether or not there was a user. `password_reset` when a link is used, in its
 * transaction. Neither entry holds the link's token or the password.
 */
import { recordAudit, userActor } from '../audit/audit-log.ts';
import { sourceIpOf } from '../audit/audit-request.ts';
import { assertPasswordAccepted } from '../auth/password-policy.ts';
import type { User } from '../db/database-schema.ts';
import { toTimestamp } from '../db/time.ts';
import { passwordChangedEmail, passwordResetEmail } from '../email/templates.ts';
import type { HandlerRegistry } from '../http/handlers/handler-types.ts';
import { findAccount, findUser, findUserByEmail, isPastGrace, isUnconfirmedSignUp } from './account-records.ts';
import type { AccountsContext } from './accounts-context.ts';
import { requireTrustedLink } from '../ip-restrictions/ip-gate.ts';
import { consumeLink, issueLink, peekLink } from './email-links.ts';
import { passwordResetLinkMs } from './session-policy.ts';
import { endUserSessions } from './sessions.ts';
import { linkInvalid } from './sign-up-handlers.ts';

/** Why this user gets no reset link, or null when they do. */
function resetRefusal(user: User): 'user_invited' | 'user_deactivated' | 'no_password' | 'email_not_confirmed' | null {
  if (user.status === 'invited') return 'user_invited';
  if (user.status !== 'active') return 'user_deactivated';
  if (user.password_hash === null) return 'no_password';
  if (isUnconfirmedSignUp(user)) return 'email_not_confirmed';
  return null;
}

export function passwordResetHandlers({ services, passwords, mail }: AccountsContext): HandlerRegistry {
  const { database, clock, config } = services;
  const db = database.db;

  return {
    async requestPasswordReset({ body, ctx }) {
      const now = clock();
      const user = await findUserByEmail(db, body.email);
      const account = user === undefined ? undefined : await findAccount(db, user.account_id);
      if (user !== undefined && account !== undefined && !isPastGrace(account, now)) {
        const refused = resetRefusal(user);
        const link = await db.transaction().execute(async (trx) => {
          const issued =
            refused === null
              ? await issueLink(trx, {
                  accountId: user.account_id,
                  userId: user.id,
                  purpose: 'reset_password',
                  now,
                  lifetimeMs: passwordResetLinkMs,
                })
              : null;
          await recordAudit(
            trx,
            {
              accountId: user.account_id,
              activity: 'password_reset_requested',
              status: refused === null ? 'succeeded' : 'failed',
              actor: { kind: 'anonymous', id: null, name: body.email.trim() },
              sourceIp: sourceIpOf(ctx),
              description:
                refused === null
                  ? `A password reset link was sent to ${user.email}.`
                  : `A password reset was asked for ${user.email}; no link was sent (${refused.replace(/_/g, ' ')}).`,
              details: {
                userId: user.id,
                linkSent: refused === null,
                ...(refused === null ? {} : { reason: refused }),
              },
            },
            now,
          );
          return issued;
        });
        if (link !== null) {
          mail.sendInBackground({
            to: user.email,
            ...passwordResetEmail({ publicUrl: config.publicUrl, name: user.name, ...link }),
          });
        }
      }
      return { status: 202, body: { email: body.email } };
    },

    async completePasswordReset({ body, ctx }) {
      const peeked = await peekLink(db, 'reset_password', body.token, clock());
      await requireTrustedLink(services, ctx.state.clientIp, peeked, 'completePasswordReset');
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
        await recordAudit(
          trx,
          {
            accountId: link.accountId,
            activity: 'password_reset',
            status: 'succeeded',
            actor: userActor(found),
            sourceIp: sourceIpOf(ctx),
            description: `${found.email} set a new password with a reset link; every session was ended.`,
            details: { sessionsEnded: true },
          },
          now,
        );
        return found;
      });
      if (user === null) throw linkInvalid();
      await mail.send({
        to: user.email,
        ...passwordChangedEmail({ publicUrl: config.publicUrl, name: user.name, how: 'reset' }),
      });
      return { status: 204 };
    },
  };
}
