/**
 * What an administrator does about another user's access (S2, S3): `deactivateUser`, `reactivateUser`
 * and `resetUserTwoFactor`. Users are loaded by `(accountId, userId)`: another account's user is `404`.
 *
 * - Deactivating keeps the user, their role and their history, sets `status: deactivated`, and in the
 *   same transaction ends every session of theirs, their unfinished two-factor sign-ins and their unused
 *   password reset links. Sign-in (`accounts/session-handlers.ts`) and the session resolver
 *   (`accounts/session-principal.ts`) admit `active` users only, so the next request of an old session
 *   and every sign-in attempt are refused, the latter exactly like a wrong password. The primary user
 *   cannot be deactivated (`409 PRIMARY_USER_PROTECTED`), nor the caller itself, nor an invited user
 *   (`409 CONFLICT`). Repeating either operation on a user already in that state changes nothing and
 *   records nothing. API keys belong to the account, not to a user: a deactivated user's keys keep working
 *   until deleted.
 * - Resetting two-factor authentication is for a user who lost both the app and the recovery codes: it
 *   deletes the TOTP secret, a pending enrolment and the recovery codes, ends their sessions and emails
 *   them (after the commit; a failed send is logged). `409 CONFLICT` for the caller itself (they use
 *   `disableTwoFactor`, which needs their own code) and when two-factor authentication is off;
 *   `409 PRIMARY_USER_PROTECTED` for the primary user, whose second factor guards the account itself.
 * - Each change is audited in its transaction (`user-audit.ts`).
 */
import type { Kysely, Transaction } from 'kysely';
import { accountMail } from '../accounts/account-mail.ts';
import { endUserSessions } from '../accounts/sessions.ts';
import { turnOffTwoFactor } from '../accounts/two-factor.ts';
import { recordRequestAudit } from '../audit/audit-request.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database, User } from '../db/database-schema.ts';
import { toTimestamp } from '../db/time.ts';
import type { HandlerRegistry } from '../http/handlers/handler-types.ts';
import { HttpProblem } from '../http/problem.ts';
import type { ServerServices } from '../http/server-services.ts';
import { callerOf } from './caller.ts';
import { userAudit } from './user-audit.ts';
import { twoFactorResetEmail } from './user-security-emails.ts';
import { findAccountUser, toUserView } from './users-store.ts';

function notFound(): HttpProblem {
  return new HttpProblem(404, 'NOT_FOUND', 'This account has no user with this id.');
}

function conflict(detail: string): HttpProblem {
  return new HttpProblem(409, 'CONFLICT', detail);
}

function isSelf(caller: Principal, user: User): boolean {
  return caller.kind === 'user' && caller.userId === user.id;
}

/** Ends the user's sessions and their two-factor sign-ins in progress (and, when asked, reset links). */
async function endAccess(
  trx: Transaction<Database>,
  user: User,
  now: Date,
  options: { readonly resetLinks: boolean },
): Promise<void> {
  const at = toTimestamp(now);
  await endUserSessions(trx, user.account_id, user.id);
  await trx
    .updateTable('sign_in_challenges')
    .set({ used_at: at })
    .where('account_id', '=', user.account_id)
    .where('user_id', '=', user.id)
    .where('used_at', 'is', null)
    .execute();
  if (!options.resetLinks) return;
  await trx
    .updateTable('email_tokens')
    .set({ used_at: at })
    .where('account_id', '=', user.account_id)
    .where('user_id', '=', user.id)
    .where('purpose', '=', 'reset_password')
    .where('used_at', 'is', null)
    .execute();
}

/** Moves a user from one status to the other; answers whether this request did it. */
async function changeStatus(
  db: Kysely<Database> | Transaction<Database>,
  user: User,
  from: 'active' | 'deactivated',
  to: 'active' | 'deactivated',
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ status: to, updated_at: toTimestamp(now) })
    .where('account_id', '=', user.account_id)
    .where('id', '=', user.id)
    .where('status', '=', from)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** `deactivateUser`, `reactivateUser`, `resetUserTwoFactor` (see the module note); merged into `usersHandlers`. */
export function userSecurityHandlers(services: ServerServices): HandlerRegistry {
  const { db } = services.database;
  const mail = accountMail(services.mailer, services.logger);

  async function target(caller: Principal, userId: string): Promise<User> {
    const user = await findAccountUser(db, caller.accountId, userId);
    if (user === undefined) throw notFound();
    return user;
  }

  async function answer(user: User) {
    const fresh = (await findAccountUser(db, user.account_id, user.id)) ?? user;
    return { status: 200 as const, body: await toUserView(db, fresh) };
  }

  return {
    deactivateUser: async ({ principal, params, ctx }) => {
      const caller = callerOf(principal);
      const user = await target(caller, params.userId);
      if (user.is_primary === 1) {
        throw new HttpProblem(409, 'PRIMARY_USER_PROTECTED', 'The primary user cannot be deactivated.');
      }
      if (isSelf(caller, user)) throw conflict('You cannot deactivate yourself; ask another administrator.');
      if (user.status === 'invited')
        throw conflict('This user has not accepted their invitation; delete them instead.');
      if (user.status === 'active') {
        const now = services.clock();
        await db.transaction().execute(async (trx) => {
          if (!(await changeStatus(trx, user, 'active', 'deactivated', now))) return;
          await endAccess(trx, user, now, { resetLinks: true });
          await recordRequestAudit(trx, caller, ctx, userAudit.deactivated(user), now);
        });
        services.logger.info({ accountId: caller.accountId, userId: user.id }, 'user deactivated');
      }
      return answer(user);
    },

    reactivateUser: async ({ principal, params, ctx }) => {
      const caller = callerOf(principal);
      const user = await target(caller, params.userId);
      if (user.status === 'invited') throw conflict('This user has not accepted their invitation yet.');
      if (user.status === 'deactivated') {
        const now = services.clock();
        await db.transaction().execute(async (trx) => {
          if (!(await changeStatus(trx, user, 'deactivated', 'active', now))) return;
          await recordRequestAudit(trx, caller, ctx, userAudit.reactivated(user), now);
        });
        services.logger.info({ accountId: caller.accountId, userId: user.id }, 'user reactivated');
      }
      return answer(user);
    },

    resetUserTwoFactor: async ({ principal, params, ctx }) => {
      const caller = callerOf(principal);
      const user = await target(caller, params.userId);
      if (isSelf(caller, user)) {
        throw conflict('Turn off your own two-factor authentication with disableTwoFactor (it needs your code).');
      }
      // The primary user's second factor guards the account itself (removal, its address): no other
      // Administrator, and no API key, may take it away.
      if (user.is_primary === 1) {
        throw new HttpProblem(
          409,
          'PRIMARY_USER_PROTECTED',
          "Only the primary user can turn off the primary user's two-factor authentication.",
        );
      }
      if (user.totp_secret === null) throw conflict('This user has two-factor authentication off.');
      const now = services.clock();
      await db.transaction().execute(async (trx) => {
        if (!(await turnOffTwoFactor(trx, user, now))) throw conflict('This user has two-factor authentication off.');
        await endAccess(trx, user, now, { resetLinks: false });
        await recordRequestAudit(trx, caller, ctx, userAudit.twoFactorReset(user), now);
      });
      services.logger.info({ accountId: caller.accountId, userId: user.id }, 'two-factor authentication reset');
      const account = await db
        .selectFrom('accounts')
        .select(['name', 'require_two_factor'])
        .where('id', '=', caller.accountId)
        .executeTakeFirstOrThrow();
      await mail.send({
        to: user.email,
        ...twoFactorResetEmail({
          publicUrl: services.config.publicUrl,
          name: user.name,
          accountName: account.name,
          twoFactorRequired: account.require_two_factor === 1,
          at: now,
        }),
      });
      return { status: 204 };
    },
  };
}
