/**
 * `changePassword` (S4): the current password, the new one and its confirmation. The new password must
 * pass the policy (`auth/password-policy.ts`) and differ from the current one; on success the password
 * is rehashed, its change time restarts the expiry clock, every other session of the user ends (this one
 * stays), and a notice goes to the user's address. Audited (`password_changed`) in the same transaction;
 * the entry never holds a password.
 */
import { passwordProblem, passwordRejected } from '../auth/password-policy.ts';
import { recordRequestAudit } from '../audit/audit-request.ts';
import { toTimestamp } from '../db/time.ts';
import { passwordChangedEmail } from '../email/templates.ts';
import type { HandlerRegistry } from '../http/handlers/handler-types.ts';
import { HttpProblem } from '../http/problem.ts';
import { findUser } from './account-records.ts';
import type { AccountsContext } from './accounts-context.ts';
import { sessionOfRequest } from './session-principal.ts';
import { endUserSessions } from './sessions.ts';

function rejected(detail: string): HttpProblem {
  return passwordRejected(detail, '/body/newPassword');
}

export function passwordChangeHandlers({ services, passwords, mail }: AccountsContext): HandlerRegistry {
  const { database, clock, config } = services;
  const db = database.db;

  return {
    async changePassword({ principal, body, ctx }) {
      const user = principal?.userId == null ? undefined : await findUser(db, principal.accountId, principal.userId);
      if (principal === null || user === undefined) throw new HttpProblem(401, 'UNAUTHENTICATED', 'Sign in.');
      if (body.confirmation !== body.newPassword) {
        throw new HttpProblem(400, 'VALIDATION', 'The confirmation differs from the new password.', {
          errors: [{ path: '/body/confirmation', message: 'differs from newPassword' }],
        });
      }
      const currentOk =
        user.password_hash === null
          ? await passwords.verifyNobody(body.currentPassword)
          : await passwords.verify(body.currentPassword, user.password_hash);
      if (!currentOk) throw new HttpProblem(401, 'INVALID_CREDENTIALS', 'The current password is wrong.');
      const problem = passwordProblem(body.newPassword, user.email);
      if (problem !== null) throw rejected(problem);
      if (body.newPassword === body.currentPassword)
        throw rejected('The new password must differ from the current one.');

      const hash = await passwords.hash(body.newPassword);
      const now = clock();
      const keep = sessionOfRequest(ctx)?.session.id;
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('users')
          .set({ password_hash: hash, password_changed_at: toTimestamp(now), updated_at: toTimestamp(now) })
          .where('account_id', '=', user.account_id)
          .where('id', '=', user.id)
          .execute();
        await endUserSessions(trx, user.account_id, user.id, keep);
        await recordRequestAudit(
          trx,
          principal,
          ctx,
          {
            activity: 'password_changed',
            status: 'succeeded',
            description: `${user.email} changed their password; their other sessions were ended.`,
            details: { otherSessionsEnded: true },
          },
          now,
        );
      });
      await mail.send({
        to: user.email,
        ...passwordChangedEmail({ publicUrl: config.publicUrl, name: user.name, how: 'change' }),
      });
      return { status: 204 };
    },
  };
}
