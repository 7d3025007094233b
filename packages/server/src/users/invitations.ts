/**
 * Invitations (S2): the link an invited user gets by email, what it shows, and its acceptance.
 *
 * - A link is a single-use `invitation` token in `email_tokens` (only its SHA-256 is stored), valid 24
 *   hours; a new one (resend) ends the earlier ones (`accounts/email-links.ts`).
 * - `getInvitation` and `acceptInvitation` are public: the token is the credential. Unknown, used,
 *   replaced and expired tokens, tokens of a user who is no longer invited (accepted, deleted) and tokens
 *   of an account that is not active all answer `410 LINK_INVALID`, the same way.
 * - Accepting sets the name and the password (argon2id, `auth/passwords.ts`), confirms the address (the
 *   email reached its owner) and activates the user; the token is consumed in the same transaction.
 * - The email goes after the transaction commits. When it cannot be sent, the invitation stands (the
 *   failure is logged) and `resendInvitation` sends a new link.
 * - Acceptance is audited (`invitation_accepted`, by the new user, from the client's address) in the
 *   transaction that activates the user.
 */
import type { components } from '@holdfast/sdk';
import { recordAudit, userActor } from '../audit/audit-log.ts';
import { sourceIpOf } from '../audit/audit-request.ts';
import { assertPasswordAccepted } from '../auth/password-policy.ts';
import { requireTrustedLink } from '../ip-restrictions/ip-gate.ts';
import { createPasswordHasher } from '../auth/passwords.ts';
import { hashToken } from '../auth/tokens.ts';
import { consumeLink } from '../accounts/email-links.ts';
import type { User } from '../db/database-schema.ts';
import { toApiTime, toTimestamp } from '../db/time.ts';
import { invitationEmail } from '../email/templates.ts';
import type { HandlerRegistry } from '../http/handlers/handler-types.ts';
import { HttpProblem } from '../http/problem.ts';
import type { ServerServices } from '../http/server-services.ts';
import { userAudit } from './user-audit.ts';

type InvitationView = components['schemas']['Invitation'];

function linkInvalid(): HttpProblem {
  return new HttpProblem(410, 'LINK_INVALID', 'This invitation link is no longer valid. Ask for a new one.');
}

/** Emails an invitation link; a failure is logged, never thrown (the invitation stands; resend exists). */
export async function sendInvitation(
  services: ServerServices,
  facts: { readonly user: User; readonly token: string; readonly expiresAt: Date },
): Promise<void> {
  const { db } = services.database;
  const { user } = facts;
  try {
    const account = await db
      .selectFrom('accounts')
      .select('name')
      .where('id', '=', user.account_id)
      .executeTakeFirstOrThrow();
    const inviter =
      user.invited_by === null
        ? undefined
        : await db
            .selectFrom('users')
            .select('name')
            .where('account_id', '=', user.account_id)
            .where('id', '=', user.invited_by)
            .executeTakeFirst();
    await services.mailer.send({
      to: user.email,
      ...invitationEmail({
        publicUrl: services.config.publicUrl,
        name: user.name,
        accountName: account.name,
        inviterName: inviter?.name ?? null,
        token: facts.token,
        expiresAt: facts.expiresAt,
      }),
    });
  } catch (error) {
    services.logger.warn(
      { err: error, accountId: user.account_id, userId: user.id },
      'the invitation email could not be sent; resend it',
    );
  }
}

export function invitationHandlers(services: ServerServices): HandlerRegistry {
  const { db } = services.database;
  const hasher = createPasswordHasher(services.config.passwordHashing);

  /** The invitation a token opens, or `410`: unknown, used, replaced, expired, or no longer pending. */
  async function pendingInvitation(token: string) {
    const found = await db
      .selectFrom('email_tokens')
      .innerJoin('users', (join) =>
        join.onRef('users.id', '=', 'email_tokens.user_id').onRef('users.account_id', '=', 'email_tokens.account_id'),
      )
      .innerJoin('accounts', 'accounts.id', 'users.account_id')
      .select([
        'email_tokens.expires_at',
        'users.email',
        'users.name',
        'users.auth_type',
        'users.status',
        'users.invited_by',
        'users.id as user_id',
        'accounts.id as account_id',
        'accounts.name as account_name',
        'accounts.status as account_status',
      ])
      .where('email_tokens.token_hash', '=', hashToken(token))
      .where('email_tokens.purpose', '=', 'invitation')
      .where('email_tokens.used_at', 'is', null)
      .where('email_tokens.expires_at', '>', toTimestamp(services.clock()))
      .executeTakeFirst();
    if (found?.status !== 'invited' || found.account_status !== 'active') throw linkInvalid();
    return found;
  }

  /** Whose the invitation is, for the IP gate (`requireTrustedLink`). */
  const invitationLink = (found: { account_id: string; user_id: string }) => ({
    accountId: found.account_id,
    userId: found.user_id,
  });

  return {
    getInvitation: async ({ params, ctx }) => {
      const found = await pendingInvitation(params.token);
      await requireTrustedLink(services, ctx.state.clientIp, invitationLink(found), 'getInvitation');
      const inviter =
        found.invited_by === null
          ? undefined
          : await db
              .selectFrom('users')
              .select('name')
              .where('account_id', '=', found.account_id)
              .where('id', '=', found.invited_by)
              .executeTakeFirst();
      const body: InvitationView = {
        email: found.email,
        name: found.name,
        authType: found.auth_type as InvitationView['authType'],
        account: { id: found.account_id, name: found.account_name },
        invitedBy: inviter?.name ?? null,
        expiresAt: toApiTime(found.expires_at),
      };
      return { status: 200, body, headers: { 'Cache-Control': 'no-store' } };
    },

    acceptInvitation: async ({ params, body, ctx }) => {
      const now = services.clock();
      // A cheap look first, so an unknown token costs no argon2id; then hash outside the transaction
      // (slow on purpose, and SQLite has one writer); the transaction consumes the token race-free.
      const pending = await pendingInvitation(params.token);
      await requireTrustedLink(services, ctx.state.clientIp, invitationLink(pending), 'acceptInvitation');
      assertPasswordAccepted(body.password, pending.email, '/body/password');
      const passwordHash = await hasher.hash(body.password);
      const accepted = await db.transaction().execute(async (trx) => {
        const link = await consumeLink(trx, 'invitation', params.token, now);
        if (link === null) throw linkInvalid();
        const user = await trx
          .selectFrom('users')
          .innerJoin('accounts', 'accounts.id', 'users.account_id')
          .select([
            'users.id',
            'users.email',
            'users.status',
            'users.role',
            'users.operations',
            'users.services',
            'accounts.id as account_id',
            'accounts.name',
            'accounts.status as account_status',
          ])
          .where('users.account_id', '=', link.accountId)
          .where('users.id', '=', link.userId)
          .executeTakeFirst();
        if (user?.status !== 'invited' || user.account_status !== 'active') throw linkInvalid();
        await trx
          .updateTable('users')
          .set({
            name: body.name,
            password_hash: passwordHash,
            password_changed_at: toTimestamp(now),
            status: 'active',
            email_confirmed_at: toTimestamp(now),
            updated_at: toTimestamp(now),
          })
          .where('account_id', '=', link.accountId)
          .where('id', '=', link.userId)
          .execute();
        await recordAudit(
          trx,
          {
            ...userAudit.invitationAccepted(user),
            accountId: link.accountId,
            actor: userActor(user),
            sourceIp: sourceIpOf(ctx),
          },
          now,
        );
        return user;
      });
      services.logger.info({ accountId: accepted.account_id }, 'invitation accepted');
      return {
        status: 200,
        body: { email: accepted.email, account: { id: accepted.account_id, name: accepted.name } },
      };
    },
  };
}
