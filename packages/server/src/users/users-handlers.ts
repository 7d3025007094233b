/**
 * The handlers of portal users (S2): `listUsers`, `inviteUser`, `getUser`, `updateUser`, `deleteUser`,
 * `resendInvitation`, and the public invitation link (`invitations.ts`).
 *
 * Rules, beyond the contract's shapes:
 * - Users are loaded by `(accountId, userId)`: another account's user answers `404`.
 * - Nobody hands out more than they hold: an invited or changed user's access must be within the
 *   caller's (`403 PERMISSION_DENIED`), as for API keys.
 * - The primary user is always an Administrator: changing their access to anything else, or deleting
 *   them, is `409 PRIMARY_USER_PROTECTED`. Since the primary user can be neither demoted nor deleted,
 *   every account always keeps an Administrator, so there is no "last administrator" rule: any
 *   Administrator may demote or delete themself or another (non-primary) Administrator.
 * - Deleting a user ends their sessions and invitation links at once (the foreign keys cascade); API
 *   keys they created stay, with `createdBy: null`.
 * - `inviteUser` takes an `Idempotency-Key` (`idempotency.ts`): the answer is stored in the transaction
 *   that creates the user, so a retry after a lost answer gets the same `201`.
 * - Only `email` sign-in exists yet: other auth types are `422 AUTH_TYPE_NOT_ENABLED`.
 * - Audited in each action's transaction (`user-audit.ts`): `user_invited` (not again for an idempotent
 *   replay), `user_permissions_changed` (only when the access changes), `user_deleted`,
 *   `invitation_resent`. Deactivation, reactivation and the two-factor reset are in
 *   `user-security-handlers.ts`.
 */
import { actorOfPrincipal } from '../audit/audit-log.ts';
import { recordRequestAudit } from '../audit/audit-request.ts';
import type { Access } from '../auth/permissions.ts';
import { isUniqueViolation, normalizeEmail } from '../accounts/account-records.ts';
import { issueLink } from '../accounts/email-links.ts';
import type { User } from '../db/database-schema.ts';
import { newId } from '../db/ids.ts';
import { toTimestamp } from '../db/time.ts';
import type { HandlerFactory, HandlerResponse } from '../http/handlers/handler-types.ts';
import { HttpProblem } from '../http/problem.ts';
import type { Principal } from '../auth/principal.ts';
import { accessBeyond, accessToColumns } from './access-columns.ts';
import { actingUserId, callerOf } from './caller.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  type IdempotencyScope,
} from './idempotency.ts';
import { invitationHandlers, sendInvitation } from './invitations.ts';
import { listParameter } from '../db/page-cursor.ts';
import { sameAccess, userAudit } from './user-audit.ts';
import { userSecurityHandlers } from './user-security-handlers.ts';
import { findAccountUser, invitationLinkMs, listUsers, toUserView, toUserViews } from './users-store.ts';

function notFound(): HttpProblem {
  return new HttpProblem(404, 'NOT_FOUND', 'This account has no user with this id.');
}

function requireWithin(access: Access, caller: Principal): void {
  const missing = accessBeyond(access, caller);
  if (missing.length > 0) {
    throw new HttpProblem(403, 'PERMISSION_DENIED', `You cannot give access you do not hold: ${missing.join(', ')}.`);
  }
}

function emailTaken(): HttpProblem {
  return new HttpProblem(409, 'EMAIL_TAKEN', 'A user already has this address.');
}

export const usersHandlers: HandlerFactory = (services) => {
  const { db } = services.database;
  const log = services.logger;

  return {
    ...invitationHandlers(services),
    ...userSecurityHandlers(services),

    listUsers: async ({ principal, query }) => {
      const caller = callerOf(principal);
      const page = await listUsers(db, caller.accountId, {
        limit: query.limit ?? 50,
        cursor: query.cursor,
        order: query.order ?? '-createdAt',
        status: listParameter(query.status),
        role: listParameter(query.role),
        authType: listParameter(query.authType),
        q: query.q,
      });
      return {
        status: 200,
        body: { items: await toUserViews(db, caller.accountId, page.users), nextCursor: page.nextCursor },
      };
    },

    inviteUser: async ({ principal, body, headers, ctx }) => {
      const caller = callerOf(principal);
      const now = services.clock();
      const authType = body.authType;
      if (authType !== 'email') {
        throw new HttpProblem(422, 'AUTH_TYPE_NOT_ENABLED', `Sign-in with ${authType} is not set up on this server.`, {
          errors: [{ path: '/body/authType', message: 'is not enabled' }],
        });
      }
      requireWithin(body.access, caller);
      const key = headers['idempotency-key'];
      const scope: IdempotencyScope | null =
        typeof key === 'string' ? { accountId: caller.accountId, operationId: 'inviteUser', key } : null;
      if (scope !== null) {
        const claim = await claimIdempotencyKey(db, scope, body, now);
        if (claim.kind === 'replay') {
          const { status, headers: stored, body: replayed } = claim.answer;
          return {
            status,
            body: replayed,
            headers: { ...stored, 'Idempotent-Replayed': 'true' },
          } as HandlerResponse<'inviteUser'>;
        }
      }
      let created: { user: User; token: string; expiresAt: Date; answer: HandlerResponse<'inviteUser'> };
      try {
        created = await db.transaction().execute(async (trx) => {
          const email = normalizeEmail(body.email);
          const taken = await trx
            .selectFrom('users')
            .select('id')
            .where('email_normalized', '=', email)
            .executeTakeFirst();
          if (taken !== undefined) throw emailTaken();
          const user: User = {
            id: newId('usr', now.getTime()),
            account_id: caller.accountId,
            email: body.email.trim(),
            email_normalized: email,
            name: body.name ?? null,
            auth_type: authType,
            status: 'invited',
            is_primary: 0,
            ...accessToColumns(body.access),
            password_hash: null,
            email_confirmed_at: null,
            totp_secret: null,
            totp_pending_secret: null,
            totp_enabled_at: null,
            totp_last_step: null,
            password_changed_at: null,
            invited_by: await actingUserId(trx, caller),
            last_sign_in_at: null,
            created_at: toTimestamp(now),
            updated_at: toTimestamp(now),
          };
          await trx.insertInto('users').values(user).execute();
          const link = await issueLink(trx, {
            accountId: caller.accountId,
            userId: user.id,
            purpose: 'invitation',
            now,
            lifetimeMs: invitationLinkMs,
          });
          await recordRequestAudit(trx, caller, ctx, userAudit.invited(user), now);
          const answer = {
            status: 201 as const,
            body: await toUserView(trx, user),
            headers: { Location: `/v1/users/${user.id}` },
          };
          if (scope !== null) await completeIdempotencyKey(trx, scope, answer);
          return { user, token: link.token, expiresAt: link.expiresAt, answer };
        });
      } catch (error) {
        if (scope !== null) await releaseIdempotencyKey(db, scope);
        if (isUniqueViolation(error)) throw emailTaken();
        throw error;
      }
      log.info({ accountId: caller.accountId, userId: created.user.id }, 'user invited');
      await sendInvitation(services, created);
      return created.answer;
    },

    getUser: async ({ principal, params }) => {
      const caller = callerOf(principal);
      const user = await findAccountUser(db, caller.accountId, params.userId);
      if (user === undefined) throw notFound();
      return { status: 200, body: await toUserView(db, user) };
    },

    updateUser: async ({ principal, params, body, ctx }) => {
      const caller = callerOf(principal);
      const now = services.clock();
      const user = await findAccountUser(db, caller.accountId, params.userId);
      if (user === undefined) throw notFound();
      if (user.is_primary === 1) {
        if (body.access.role === 'administrator') return { status: 200, body: await toUserView(db, user) };
        throw new HttpProblem(409, 'PRIMARY_USER_PROTECTED', 'The primary user is always an Administrator.');
      }
      requireWithin(body.access, caller);
      const columns = { ...accessToColumns(body.access), updated_at: toTimestamp(now) };
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('users')
          .set(columns)
          .where('account_id', '=', caller.accountId)
          .where('id', '=', user.id)
          .execute();
        if (!sameAccess(user, columns)) {
          await recordRequestAudit(trx, caller, ctx, userAudit.permissionsChanged(user, columns), now);
        }
      });
      log.info({ accountId: caller.accountId, userId: user.id, role: columns.role }, 'user access changed');
      return { status: 200, body: await toUserView(db, { ...user, ...columns }) };
    },

    deleteUser: async ({ principal, params, ctx }) => {
      const caller = callerOf(principal);
      const user = await findAccountUser(db, caller.accountId, params.userId);
      if (user === undefined) throw notFound();
      if (user.is_primary === 1) {
        throw new HttpProblem(
          409,
          'PRIMARY_USER_PROTECTED',
          'The primary user cannot be deleted; remove the account instead.',
        );
      }
      const now = services.clock();
      const deleted = await db.transaction().execute(async (trx) => {
        // The actor first: a user deleting themself is still named in their entry.
        const actor = await actorOfPrincipal(trx, caller);
        const result = await trx
          .deleteFrom('users')
          .where('account_id', '=', caller.accountId)
          .where('id', '=', user.id)
          .where('is_primary', '=', 0)
          .executeTakeFirst();
        if (result.numDeletedRows === 0n) return false;
        await recordRequestAudit(trx, caller, ctx, userAudit.deleted(user), now, actor);
        return true;
      });
      if (!deleted) throw notFound();
      log.info({ accountId: caller.accountId, userId: user.id }, 'user deleted');
      return { status: 204 };
    },

    resendInvitation: async ({ principal, params, ctx }) => {
      const caller = callerOf(principal);
      const now = services.clock();
      const user = await findAccountUser(db, caller.accountId, params.userId);
      if (user === undefined) throw notFound();
      if (user.status !== 'invited') {
        throw new HttpProblem(409, 'INVITATION_NOT_PENDING', 'This user has already accepted their invitation.');
      }
      const link = await db.transaction().execute(async (trx) => {
        const issued = await issueLink(trx, {
          accountId: caller.accountId,
          userId: user.id,
          purpose: 'invitation',
          now,
          lifetimeMs: invitationLinkMs,
        });
        await recordRequestAudit(trx, caller, ctx, userAudit.invitationResent(user), now);
        return issued;
      });
      await sendInvitation(services, { user, token: link.token, expiresAt: link.expiresAt });
      return { status: 202, body: await toUserView(db, user) };
    },
  };
};
