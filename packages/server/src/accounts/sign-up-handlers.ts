/**
 * Sign-up and its confirmation (S1): `signUp`, `confirmEmail`, `resendEmailConfirmation`.
 *
 * No enumeration: `signUp` and the resend answer the same `202` whatever the address, do the same
 * expensive work (the password is hashed even when it will not be used) and send their email in the
 * background. An address that already has a confirmed user gets a notice instead of a second account. An
 * address with an unconfirmed sign-up is signed up afresh: the earlier, unconfirmed account (which can
 * hold nothing) is replaced, so nobody can hold an address hostage by signing it up first. Unconfirmed
 * sign-ups older than 7 days count as gone.
 *
 * A new account's first audit entry is its creation (`account_created`, by its primary user, in the
 * transaction that creates it); a notice to an address that has an account leaves no entry (it created
 * nothing, and an entry in the existing account would say someone tried, which its owner was told).
 */
import { recordAudit, userActor } from '../audit/audit-log.ts';
import { sourceIpOf } from '../audit/audit-request.ts';
import { assertPasswordAccepted } from '../auth/password-policy.ts';
import { HttpProblem } from '../http/problem.ts';
import type { HandlerRegistry } from '../http/handlers/handler-types.ts';
import { signUpAddressInUseEmail, signUpConfirmationEmail } from '../email/templates.ts';
import { toTimestamp } from '../db/time.ts';
import {
  findUser,
  findUserByEmail,
  isDiscardedSignUp,
  isUnconfirmedSignUp,
  isUniqueViolation,
} from './account-records.ts';
import type { AccountsContext } from './accounts-context.ts';
import { createAccountWithPrimaryUser } from './create-account.ts';
import { consumeLink, issueLink } from './email-links.ts';
import { confirmEmailLinkMs } from './session-policy.ts';

export function signUpHandlers({ services, passwords, mail }: AccountsContext): HandlerRegistry {
  const { database, clock, config } = services;
  const db = database.db;

  return {
    async signUp({ body, ctx }) {
      if (!config.regions.some((region) => region.id === body.region)) {
        throw new HttpProblem(422, 'UNKNOWN_REGION', `This server offers no region ${body.region}; see listRegions.`, {
          errors: [{ path: '/body/region', message: 'is not one of the regions this server offers' }],
        });
      }
      // The policy looks at the password and the address given, nothing stored: it tells nobody whether
      // the address has an account.
      assertPasswordAccepted(body.password, body.email, '/body/password');
      const passwordHash = await passwords.hash(body.password);
      const now = clock();
      const existing = await findUserByEmail(db, body.email);
      if (existing !== undefined && !isUnconfirmedSignUp(existing)) {
        mail.sendInBackground({
          to: existing.email,
          ...signUpAddressInUseEmail({ publicUrl: config.publicUrl, name: existing.name }),
        });
        return { status: 202, body: { email: body.email } };
      }
      let link: { token: string; expiresAt: Date } | undefined;
      try {
        link = await db.transaction().execute(async (trx) => {
          if (existing !== undefined) await trx.deleteFrom('accounts').where('id', '=', existing.account_id).execute();
          const { account, user } = await createAccountWithPrimaryUser(trx, {
            name: body.name,
            email: body.email,
            passwordHash,
            region: body.region,
            now,
            confirmed: false,
          });
          await recordAudit(
            trx,
            {
              accountId: account.id,
              activity: 'account_created',
              status: 'succeeded',
              actor: userActor(user),
              sourceIp: sourceIpOf(ctx),
              description: `${user.email} signed up and created the account ${account.name}.`,
              details: { region: account.region, replacedUnconfirmedSignUp: existing !== undefined },
            },
            now,
          );
          return issueLink(trx, {
            accountId: account.id,
            userId: user.id,
            purpose: 'confirm_email',
            now,
            lifetimeMs: confirmEmailLinkMs,
          });
        });
      } catch (error) {
        // Another sign-up of the same address won the race: that one's link is on its way.
        if (!isUniqueViolation(error)) throw error;
      }
      if (link !== undefined) {
        mail.sendInBackground({
          to: body.email,
          ...signUpConfirmationEmail({ publicUrl: config.publicUrl, name: body.name, ...link }),
        });
      }
      return { status: 202, body: { email: body.email } };
    },

    async confirmEmail({ body }) {
      const now = clock();
      const confirmed = await db.transaction().execute(async (trx) => {
        const link = await consumeLink(trx, 'confirm_email', body.token, now);
        if (link === null) return null;
        const user = await findUser(trx, link.accountId, link.userId);
        if (user === undefined) return null;
        await trx
          .updateTable('users')
          .set({ email_confirmed_at: toTimestamp(now), updated_at: toTimestamp(now) })
          .where('account_id', '=', link.accountId)
          .where('id', '=', link.userId)
          .where('email_confirmed_at', 'is', null)
          .execute();
        return user.email;
      });
      if (confirmed === null) throw linkInvalid();
      return { status: 200, body: { email: confirmed } };
    },

    async resendEmailConfirmation({ body }) {
      const now = clock();
      const user = await findUserByEmail(db, body.email);
      if (user !== undefined && isUnconfirmedSignUp(user) && !isDiscardedSignUp(user, now)) {
        const link = await issueLink(db, {
          accountId: user.account_id,
          userId: user.id,
          purpose: 'confirm_email',
          now,
          lifetimeMs: confirmEmailLinkMs,
        });
        mail.sendInBackground({
          to: user.email,
          ...signUpConfirmationEmail({ publicUrl: config.publicUrl, name: user.name ?? '', ...link }),
        });
      }
      return { status: 202, body: { email: body.email } };
    },
  };
}

/** `410 LINK_INVALID`: unknown, used, replaced and expired links all answer the same. */
export function linkInvalid(): HttpProblem {
  return new HttpProblem(
    410,
    'LINK_INVALID',
    'This link is unknown, used, replaced by a newer one or expired. Ask for a new one.',
  );
}
