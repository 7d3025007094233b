/**
 * The caller itself: `getMe` (a portal user or an API key, its account and every permission it holds,
 * in the contract's order) and `updateMe` (a portal user renames themself; sessions only). A rename
 * that changes the name is audited (`account_settings_changed`, setting `user_name`, from and to): the
 * name is what invitation emails show as the inviter, so who changed it to what is worth keeping.
 */
import type { components } from '@holdfast/sdk';
import { recordRequestAudit } from '../audit/audit-request.ts';
import { allPermissions } from '../auth/permissions.ts';
import type { Principal } from '../auth/principal.ts';
import { toApiTime, toTimestamp } from '../db/time.ts';
import type { HandlerRegistry } from '../http/handlers/handler-types.ts';
import { HttpProblem } from '../http/problem.ts';
import type { ServerServices } from '../http/server-services.ts';
import { accessOf, findAccount, findUser, toAccountSummary, toApiUser } from './account-records.ts';
import type { AccountsContext } from './accounts-context.ts';

type Me = components['schemas']['Me'];

function gone(): HttpProblem {
  return new HttpProblem(401, 'UNAUTHENTICATED', 'The caller no longer exists; sign in or get a new token.');
}

async function meOf(services: ServerServices, principal: Principal): Promise<Me> {
  const db = services.database.db;
  const account = await findAccount(db, principal.accountId);
  if (account === undefined) throw gone();
  const permissions = allPermissions.filter((permission) => principal.permissions.has(permission));
  if (principal.kind === 'user' && principal.userId !== null) {
    const user = await findUser(db, principal.accountId, principal.userId);
    if (user === undefined) throw gone();
    return { principal: 'user', user: toApiUser(user), apiKey: null, account: toAccountSummary(account), permissions };
  }
  const key = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('account_id', '=', principal.accountId)
    .where('id', '=', principal.apiKeyId ?? '')
    .executeTakeFirst();
  if (key === undefined) throw gone();
  return {
    principal: 'api_key',
    user: null,
    apiKey: {
      id: key.id,
      name: key.name,
      access: accessOf(key),
      createdAt: toApiTime(key.created_at),
      createdBy: key.created_by,
      lastUsedAt: key.last_used_at === null ? null : toApiTime(key.last_used_at),
      expiresAt: key.expires_at === null ? null : toApiTime(key.expires_at),
    },
    account: toAccountSummary(account),
    permissions,
  };
}

export function meHandlers({ services }: AccountsContext): HandlerRegistry {
  const { database, clock } = services;
  return {
    async getMe({ principal }) {
      if (principal === null) throw gone();
      return { status: 200, body: await meOf(services, principal) };
    },

    async updateMe({ principal, body, ctx }) {
      if (principal?.userId == null) throw gone();
      const userId = principal.userId;
      const name = body.name;
      const user = await findUser(database.db, principal.accountId, userId);
      if (user === undefined) throw gone();
      if (name !== undefined && name !== user.name) {
        const now = clock();
        await database.db.transaction().execute(async (trx) => {
          await trx
            .updateTable('users')
            .set({ name, updated_at: toTimestamp(now) })
            .where('account_id', '=', principal.accountId)
            .where('id', '=', userId)
            .execute();
          await recordRequestAudit(
            trx,
            principal,
            ctx,
            {
              activity: 'account_settings_changed',
              status: 'succeeded',
              description: `${user.email} changed their name from ${user.name ?? '(none)'} to ${name}.`,
              details: { setting: 'user_name', userId, from: user.name, to: name },
            },
            now,
          );
        });
      }
      return { status: 200, body: await meOf(services, principal) };
    },
  };
}
