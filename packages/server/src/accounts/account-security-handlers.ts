/**
 * The account's security policy (S3, S4): `getAccountSecurity` and `updateAccountSecurity` —
 * two-factor enforcement (`requireTwoFactor`) and the password lifetime (`passwordMaxAgeDays`). Both take
 * effect on the next request of every session of the account (`sign-in-steps.ts`).
 */
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

    async updateAccountSecurity({ principal, body }) {
      if (principal === null) throw new HttpProblem(401, 'UNAUTHENTICATED');
      await db
        .updateTable('accounts')
        .set({
          updated_at: toTimestamp(clock()),
          ...(body.requireTwoFactor === undefined ? {} : { require_two_factor: body.requireTwoFactor ? 1 : 0 }),
          ...(body.passwordMaxAgeDays === undefined ? {} : { password_max_age_days: body.passwordMaxAgeDays }),
        })
        .where('id', '=', principal.accountId)
        .execute();
      return { status: 200, body: toPolicy(await load(principal.accountId)) };
    },
  };
}
