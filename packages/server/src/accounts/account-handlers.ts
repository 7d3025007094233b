/**
 * Account settings (S9): `getAccount`, `updateAccount` (rename; the region never changes), the email
 * change (`requestAccountEmailChange` → a link to the new address and a notice to the current one;
 * nothing changes until `confirmAccountEmailChange`), and removal (`requestAccountRemoval` with consent →
 * the 7-day grace period; `cancelAccountRemoval`). The account's address is its primary user's sign-in
 * address. Every query names the caller's account.
 *
 * Audited, each in its action's transaction: `account_settings_changed` (a rename that changes the
 * name: from, to), `email_change_requested` and `email_changed` (from, to), `account_removal_requested`
 * (when the grace period starts) and `account_removal_cancelled` (by this operation; a cancellation by
 * signing in is recorded by the sign-in flow, not by `reactivate()`). Requests that change nothing leave
 * no entry.
 */
import { recordAudit, userActor } from '../audit/audit-log.ts';
import { recordRequestAudit, sourceIpOf } from '../audit/audit-request.ts';
import { toApiTime, toTimestamp } from '../db/time.ts';
import {
  accountRemovalCancelledEmail,
  accountRemovalRequestedEmail,
  emailChangeConfirmationEmail,
  emailChangeNoticeEmail,
} from '../email/templates.ts';
import type { HandlerRegistry } from '../http/handlers/handler-types.ts';
import { HttpProblem } from '../http/problem.ts';
import type { Principal } from '../auth/principal.ts';
import type { Account } from '../db/database-schema.ts';
import {
  findAccount,
  findUser,
  findUserByEmail,
  isUniqueViolation,
  normalizeEmail,
  toApiAccount,
} from './account-records.ts';
import { reactivate, startRemoval } from './account-removal.ts';
import type { AccountsContext } from './accounts-context.ts';
import { requireTrustedLink } from '../ip-restrictions/ip-gate.ts';
import { consumeLink, issueLink, peekLink } from './email-links.ts';
import { sessionOfRequest } from './session-principal.ts';
import { emailChangeLinkMs, removalGraceMs } from './session-policy.ts';
import { linkInvalid } from './sign-up-handlers.ts';

/** The admitted principal (the permission step guarantees one here). */
function callerOf(principal: Principal | null): Principal {
  if (principal === null) throw new HttpProblem(401, 'UNAUTHENTICATED', 'Sign in, or send a bearer token.');
  return principal;
}

function emailTaken(): HttpProblem {
  return new HttpProblem(409, 'EMAIL_TAKEN', 'A user already has this address.');
}

export function accountHandlers({ services, mail }: AccountsContext): HandlerRegistry {
  const { database, clock, config } = services;
  const db = database.db;

  async function accountOf(principal: Principal | null): Promise<Account> {
    const account = principal === null ? undefined : await findAccount(db, principal.accountId);
    if (account === undefined) throw new HttpProblem(401, 'UNAUTHENTICATED', 'Sign in, or send a bearer token.');
    return account;
  }

  async function primaryOf(principal: Principal | null) {
    const account = await accountOf(principal);
    const userId = principal?.userId ?? null;
    const user = userId === null ? undefined : await findUser(db, account.id, userId);
    if (user === undefined) throw new HttpProblem(401, 'UNAUTHENTICATED', 'This needs a browser session; sign in.');
    return { account, user };
  }

  return {
    async getAccount({ principal }) {
      const account = await accountOf(principal);
      return { status: 200, body: await toApiAccount(db, account, clock()) };
    },

    async updateAccount({ principal, body, ctx }) {
      const account = await accountOf(principal);
      const now = clock();
      const name = body.name;
      if (principal !== null && name !== undefined && name !== account.name) {
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('accounts')
            .set({ name, updated_at: toTimestamp(now) })
            .where('id', '=', account.id)
            .execute();
          await recordRequestAudit(
            trx,
            principal,
            ctx,
            {
              activity: 'account_settings_changed',
              status: 'succeeded',
              description: `Renamed the account from ${account.name} to ${name}.`,
              details: { setting: 'account_name', from: account.name, to: name },
            },
            now,
          );
        });
      }
      return { status: 200, body: await toApiAccount(db, (await findAccount(db, account.id)) ?? account, now) };
    },

    async requestAccountEmailChange({ principal, body, ctx }) {
      const { account, user } = await primaryOf(principal);
      const now = clock();
      const holder = await findUserByEmail(db, body.email);
      if (holder !== undefined) {
        throw holder.id === user.id
          ? new HttpProblem(409, 'CONFLICT', 'This is the account’s address already.')
          : emailTaken();
      }
      const newEmail = body.email.trim();
      const link = await db.transaction().execute(async (trx) => {
        const issued = await issueLink(trx, {
          accountId: account.id,
          userId: user.id,
          purpose: 'change_email',
          now,
          lifetimeMs: emailChangeLinkMs,
          newEmail,
        });
        await recordRequestAudit(
          trx,
          callerOf(principal),
          ctx,
          {
            activity: 'email_change_requested',
            status: 'succeeded',
            description: `Asked to change the account's address from ${user.email} to ${newEmail}; a link went to the new address.`,
            details: { from: user.email, to: newEmail },
          },
          now,
        );
        return issued;
      });
      const facts = { publicUrl: config.publicUrl, name: user.name, newEmail: body.email.trim() };
      await mail.send({ to: body.email, ...emailChangeConfirmationEmail({ ...facts, ...link }) });
      await mail.send({ to: user.email, ...emailChangeNoticeEmail(facts) });
      return {
        status: 202,
        body: { pendingEmail: body.email.trim(), expiresAt: toApiTime(toTimestamp(link.expiresAt)) },
      };
    },

    async confirmAccountEmailChange({ body, ctx }) {
      const now = clock();
      const peeked = await peekLink(db, 'change_email', body.token, now);
      await requireTrustedLink(services, ctx.state.clientIp, peeked, 'confirmAccountEmailChange');
      let confirmed: string | null;
      try {
        confirmed = await db.transaction().execute(async (trx) => {
          const link = await consumeLink(trx, 'change_email', body.token, now);
          if (link?.newEmail == null) return null;
          const user = await findUser(trx, link.accountId, link.userId);
          if (user === undefined) return null;
          await trx
            .updateTable('users')
            .set({
              email: link.newEmail,
              email_normalized: normalizeEmail(link.newEmail),
              email_confirmed_at: toTimestamp(now),
              updated_at: toTimestamp(now),
            })
            .where('account_id', '=', link.accountId)
            .where('id', '=', link.userId)
            .execute();
          await recordAudit(
            trx,
            {
              accountId: link.accountId,
              activity: 'email_changed',
              status: 'succeeded',
              actor: userActor(user),
              sourceIp: sourceIpOf(ctx),
              description: `The account's address changed from ${user.email} to ${link.newEmail}.`,
              details: { from: user.email, to: link.newEmail },
            },
            now,
          );
          return link.newEmail;
        });
      } catch (error) {
        // Someone took the address between the request and the confirmation; the link stays usable.
        if (isUniqueViolation(error)) throw emailTaken();
        throw error;
      }
      if (confirmed === null) throw linkInvalid();
      return { status: 200, body: { email: confirmed } };
    },

    async requestAccountRemoval({ principal, body, ctx }) {
      const { account, user } = await primaryOf(principal);
      const current = sessionOfRequest(ctx);
      if (current === undefined) throw new HttpProblem(401, 'UNAUTHENTICATED', 'This needs a browser session.');
      const now = clock();
      const started = await db.transaction().execute(async (trx) => {
        const done = await startRemoval(trx, {
          accountId: account.id,
          userId: user.id,
          sessionId: current.session.id,
          reason: body.reason ?? null,
          now,
        });
        if (done) {
          const purgeAt = toApiTime(toTimestamp(now.getTime() + removalGraceMs));
          await recordRequestAudit(
            trx,
            callerOf(principal),
            ctx,
            {
              activity: 'account_removal_requested',
              status: 'succeeded',
              description: `Asked to remove the account ${account.name}; it will be purged on ${purgeAt} unless cancelled.`,
              details: { purgeAt, reason: body.reason ?? null },
            },
            now,
          );
        }
        return done;
      });
      const changed = (await findAccount(db, account.id)) ?? account;
      if (started && changed.removal_purge_at !== null) {
        await mail.send({
          to: user.email,
          ...accountRemovalRequestedEmail({
            publicUrl: config.publicUrl,
            name: user.name,
            accountName: changed.name,
            purgeAt: new Date(changed.removal_purge_at),
          }),
        });
      }
      return { status: 202, body: await toApiAccount(db, changed, now) };
    },

    async cancelAccountRemoval({ principal, ctx }) {
      const { account, user } = await primaryOf(principal);
      const now = clock();
      const done = await db.transaction().execute(async (trx) => {
        const cancelled = await reactivate(trx, account, now);
        if (cancelled) {
          await recordRequestAudit(
            trx,
            callerOf(principal),
            ctx,
            {
              activity: 'account_removal_cancelled',
              status: 'succeeded',
              description: `Cancelled the removal of the account ${account.name}.`,
              details: { bySignIn: false },
            },
            now,
          );
        }
        return cancelled;
      });
      const changed = (await findAccount(db, account.id)) ?? account;
      if (done) {
        await mail.send({
          to: user.email,
          ...accountRemovalCancelledEmail({
            publicUrl: config.publicUrl,
            name: user.name,
            accountName: changed.name,
            bySignIn: false,
          }),
        });
      }
      return { status: 200, body: await toApiAccount(db, changed, now) };
    },
  };
}
