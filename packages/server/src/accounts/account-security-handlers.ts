/**
 * The account's security policy (S3, S4): `getAccountSecurity` and `updateAccountSecurity` —
 * two-factor enforcement (`requireTwoFactor`) and the password lifetime (`passwordMaxAgeDays`). Both take
 * effect on the next request of every session of the account (`sign-in-steps.ts`).
 *
 * A change is audited (`security_policy_changed`) in its transaction, its details naming each setting
 * that changed, from and to (`requireTwoFactorFrom`/`To`, `passwordMaxAgeDaysFrom`/`To`); an update that
 * changes nothing leaves no entry.
 */
import { recordRequestAudit } from '../audit/audit-request.ts';
import type { AuditDetail } from '../audit/audit-log.ts';
import type { Account } from '../db/database-schema.ts';
import { toTimestamp } from '../db/time.ts';
import type { HandlerRegistry } from '../http/handlers/handler-types.ts';
import { HttpProblem } from '../http/problem.ts';
import { findAccount } from './account-records.ts';
import type { AccountsContext } from './accounts-context.ts';

function toPolicy(account: Account) {
  return {
    requireTwoFactor: account.require_two_factor === 1,
    passwordMaxAgeDays: account.password_max_age_days,
  };
}

export function accountSecurityHandlers({ services }: AccountsContext): HandlerRegistry {
  const { database, clock } = services;
  const db = database.db;

  async function load(accountId: string): Promise<Account> {
    const account = await findAccount(db, accountId);
    if (account === undefined) throw new HttpProblem(401, 'UNAUTHENTICATED', 'The account no longer exists.');
    return account;
  }

  return {
    async getAccountSecurity({ principal }) {
      if (principal === null) throw new HttpProblem(401, 'UNAUTHENTICATED');
      return { status: 200, body: toPolicy(await load(principal.accountId)) };
    },

    async updateAccountSecurity({ principal, body, ctx }) {
      if (principal === null) throw new HttpProblem(401, 'UNAUTHENTICATED');
      const now = clock();
      const before = toPolicy(await load(principal.accountId));
      const after = {
        requireTwoFactor: body.requireTwoFactor ?? before.requireTwoFactor,
        passwordMaxAgeDays: body.passwordMaxAgeDays === undefined ? before.passwordMaxAgeDays : body.passwordMaxAgeDays,
      };
      const details: Record<string, AuditDetail> = {};
      const changes: string[] = [];
      if (after.requireTwoFactor !== before.requireTwoFactor) {
        details['requireTwoFactorFrom'] = before.requireTwoFactor;
        details['requireTwoFactorTo'] = after.requireTwoFactor;
        changes.push(
          after.requireTwoFactor ? 'two-factor authentication required' : 'two-factor authentication optional',
        );
      }
      if (after.passwordMaxAgeDays !== before.passwordMaxAgeDays) {
        details['passwordMaxAgeDaysFrom'] = before.passwordMaxAgeDays;
        details['passwordMaxAgeDaysTo'] = after.passwordMaxAgeDays;
        changes.push(
          after.passwordMaxAgeDays === null
            ? 'passwords never expire'
            : `passwords expire after ${String(after.passwordMaxAgeDays)} days`,
        );
      }
      if (changes.length > 0) {
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('accounts')
            .set({
              updated_at: toTimestamp(now),
              require_two_factor: after.requireTwoFactor ? 1 : 0,
              password_max_age_days: after.passwordMaxAgeDays,
            })
            .where('id', '=', principal.accountId)
            .execute();
          await recordRequestAudit(
            trx,
            principal,
            ctx,
            {
              activity: 'security_policy_changed',
              status: 'succeeded',
              description: `Changed the security policy: ${changes.join('; ')}.`,
              details,
            },
            now,
          );
        });
      }
      return { status: 200, body: toPolicy(await load(principal.accountId)) };
    },
  };
}
