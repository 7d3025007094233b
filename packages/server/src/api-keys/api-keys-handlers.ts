/**
 * The handlers of API keys (S8): `listApiKeys`, `createApiKey`, `getApiKey`, `deleteApiKey`.
 *
 * - A key's `access` is the same shape as a user's role, and nobody creates a key with more than they
 *   hold: every permission and service it grants must be the creator's own (`403 PERMISSION_DENIED`
 *   names what is missing). The check is made at creation; the key keeps its access afterwards.
 * - The secret is in the creation answer only (with `Cache-Control: no-store`); it is stored as a hash.
 * - Keys are loaded by `(accountId, id)`: another account's key answers `404`.
 * - Deleting a key deletes its tokens in the same statement (a key may delete itself).
 * - Audited in the action's transaction: `api_key_created` (name, access, expiry; never the secret) and
 *   `api_key_deleted` (its id and name; the actor is looked up before the delete, so a key deleting
 *   itself is still named).
 */
import { actorOfPrincipal } from '../audit/audit-log.ts';
import { recordRequestAudit } from '../audit/audit-request.ts';
import { HttpProblem } from '../http/problem.ts';
import type { HandlerFactory } from '../http/handlers/handler-types.ts';
import { accessBeyond, accessToColumns } from '../users/access-columns.ts';
import { accessDetails, accessLabel } from '../users/user-audit.ts';
import { actingUserId, callerOf } from '../users/caller.ts';
import { listParameter } from '../db/page-cursor.ts';
import { createApiKey, deleteApiKey, findApiKey, listApiKeys, toApiKeyView } from './api-keys-store.ts';
import { toApiTime } from '../db/time.ts';

function notFound(): HttpProblem {
  return new HttpProblem(404, 'NOT_FOUND', 'This account has no API key with this id.');
}

export const apiKeysHandlers: HandlerFactory = (services) => {
  const { db } = services.database;

  return {
    listApiKeys: async ({ principal, query }) => {
      const caller = callerOf(principal);
      const page = await listApiKeys(db, caller.accountId, {
        limit: query.limit ?? 50,
        cursor: query.cursor,
        order: query.order ?? '-createdAt',
        createdBy: listParameter(query.createdBy),
      });
      return { status: 200, body: { items: page.rows.map(toApiKeyView), nextCursor: page.nextCursor } };
    },

    createApiKey: async ({ principal, body, ctx }) => {
      const caller = callerOf(principal);
      const now = services.clock();
      const missing = accessBeyond(body.access, caller);
      if (missing.length > 0) {
        throw new HttpProblem(
          403,
          'PERMISSION_DENIED',
          `A key cannot have more access than its creator, who lacks: ${missing.join(', ')}.`,
        );
      }
      let expiresAt: Date | null = null;
      if (body.expiresAt !== undefined && body.expiresAt !== null) {
        expiresAt = new Date(body.expiresAt);
        if (expiresAt.getTime() <= now.getTime()) {
          throw new HttpProblem(400, 'VALIDATION', 'expiresAt must be in the future.', {
            errors: [{ path: '/body/expiresAt', message: 'must be in the future' }],
          });
        }
      }
      const { row, secret } = await db.transaction().execute(async (trx) => {
        const created = await createApiKey(
          trx,
          caller.accountId,
          { name: body.name, access: body.access, createdBy: await actingUserId(trx, caller), expiresAt },
          now,
        );
        const columns = accessToColumns(body.access);
        await recordRequestAudit(
          trx,
          caller,
          ctx,
          {
            activity: 'api_key_created',
            status: 'succeeded',
            description: `Created the API key ${body.name} as ${accessLabel(columns)}.`,
            details: {
              apiKeyId: created.row.id,
              name: body.name,
              ...accessDetails(columns),
              expiresAt: created.row.expires_at === null ? null : toApiTime(created.row.expires_at),
            },
          },
          now,
        );
        return created;
      });
      services.logger.info({ accountId: caller.accountId, apiKeyId: row.id }, 'API key created');
      return {
        status: 201,
        headers: { Location: `/v1/api-keys/${row.id}`, 'Cache-Control': 'no-store' },
        body: { apiKey: toApiKeyView(row), clientId: row.id, clientSecret: secret },
      };
    },

    getApiKey: async ({ principal, params }) => {
      const caller = callerOf(principal);
      const row = await findApiKey(db, caller.accountId, params.apiKeyId);
      if (row === undefined) throw notFound();
      return { status: 200, body: toApiKeyView(row) };
    },

    deleteApiKey: async ({ principal, params, ctx }) => {
      const caller = callerOf(principal);
      const now = services.clock();
      const deleted = await db.transaction().execute(async (trx) => {
        const key = await findApiKey(trx, caller.accountId, params.apiKeyId);
        if (key === undefined) return false;
        const actor = await actorOfPrincipal(trx, caller);
        if (!(await deleteApiKey(trx, caller.accountId, key.id))) return false;
        const fact = {
          activity: 'api_key_deleted',
          status: 'succeeded',
          description: `Deleted the API key ${key.name}; its tokens stopped working.`,
          details: { apiKeyId: key.id, name: key.name },
        } as const;
        await recordRequestAudit(trx, caller, ctx, fact, now, actor);
        return true;
      });
      if (!deleted) throw notFound();
      services.logger.info({ accountId: caller.accountId, apiKeyId: params.apiKeyId }, 'API key deleted');
      return { status: 204 };
    },
  };
};
