/**
 * The principal of a request that carries `Authorization: Bearer <access token>` (API keys, through
 * `POST /v1/oauth/token`): the key's principal, holding what the key's `access` grants (never
 * `primary_user`), on the services it lists.
 *
 * Once a request carries an `Authorization` header, the header decides; it never falls back to the
 * session cookie:
 * - no header: `null` (the session, if any, is looked at next);
 * - not exactly one `Bearer` token, or a session cookie as well (ambiguous): `401 UNAUTHENTICATED`;
 * - unknown or revoked token, or a deleted or expired key: `401 UNAUTHENTICATED`;
 * - an expired access token: `401 TOKEN_EXPIRED` (refresh and retry);
 * - the key's account pending removal: `403 ACCOUNT_PENDING_REMOVAL`.
 *
 * The token is looked up by its SHA-256 digest (a unique index), so no stored secret is compared at
 * all. The key's `lastUsedAt` is written at most once a minute.
 */
import type { ParameterizedContext } from 'koa';
import { permissionsForAccess, servicesForAccess } from '../auth/permissions.ts';
import type { Principal } from '../auth/principal.ts';
import { hashToken } from '../auth/tokens.ts';
import { toTimestamp } from '../db/time.ts';
import type { ServerServices } from '../http/server-services.ts';
import { HttpProblem, type ProblemCode } from '../http/problem.ts';
import { apiKeyExpired, touchApiKey } from '../api-keys/api-keys-store.ts';
import { accessFromColumns } from '../users/access-columns.ts';
import { sessionCookieName } from '../accounts/session-policy.ts';

const bearer = /^Bearer +(hfat_[A-Za-z0-9_-]{43}) *$/i;

function refused(status: 401 | 403, code: ProblemCode, detail: string, error?: string): HttpProblem {
  const challenge = error === undefined ? 'Bearer' : `Bearer error="${error}", error_description="${detail}"`;
  return new HttpProblem(status, code, detail, status === 401 ? { headers: { 'WWW-Authenticate': challenge } } : {});
}

export function bearerPrincipal(services: ServerServices): (ctx: ParameterizedContext) => Promise<Principal | null> {
  const { db } = services.database;
  return async (ctx) => {
    const authorization = ctx.get('authorization');
    if (authorization === '') return null;
    const token = bearer.exec(authorization)?.[1];
    if (token === undefined) {
      throw refused(
        401,
        'UNAUTHENTICATED',
        'The Authorization header must be one Bearer access token.',
        'invalid_request',
      );
    }
    if (ctx.cookies.get(sessionCookieName) !== undefined) {
      throw refused(401, 'UNAUTHENTICATED', 'Send a bearer token or a session cookie, not both.', 'invalid_request');
    }
    const row = await db
      .selectFrom('oauth_tokens')
      .innerJoin('api_keys', (join) =>
        join
          .onRef('api_keys.id', '=', 'oauth_tokens.api_key_id')
          .onRef('api_keys.account_id', '=', 'oauth_tokens.account_id'),
      )
      .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
      .select([
        'oauth_tokens.kind',
        'oauth_tokens.expires_at as token_expires_at',
        'oauth_tokens.revoked_at',
        'api_keys.id',
        'api_keys.account_id',
        'api_keys.role',
        'api_keys.operations',
        'api_keys.services',
        'api_keys.expires_at',
        'api_keys.last_used_at',
        'accounts.status as account_status',
        'accounts.ip_restriction_enabled',
      ])
      .where('oauth_tokens.token_hash', '=', hashToken(token))
      .executeTakeFirst();
    const now = services.clock();
    if (row?.kind !== 'access' || row.revoked_at !== null) {
      throw refused(401, 'UNAUTHENTICATED', 'The access token is unknown or revoked.', 'invalid_token');
    }
    if (row.token_expires_at <= toTimestamp(now)) {
      throw refused(401, 'TOKEN_EXPIRED', 'The access token expired: refresh it.', 'invalid_token');
    }
    if (apiKeyExpired(row, now)) {
      throw refused(401, 'UNAUTHENTICATED', 'The API key of this token has expired.', 'invalid_token');
    }
    if (row.account_status !== 'active') {
      throw refused(403, 'ACCOUNT_PENDING_REMOVAL', 'The account is pending removal; its API keys are refused.');
    }
    await touchApiKey(db, row, now);
    const access = accessFromColumns(row);
    return {
      kind: 'api_key',
      accountId: row.account_id,
      userId: null,
      apiKeyId: row.id,
      permissions: permissionsForAccess(access, { kind: 'api_key', isPrimary: false }),
      isPrimary: false,
      services: servicesForAccess(access),
      credential: 'bearer',
      ipRestricted: row.ip_restriction_enabled === 1,
      verifyCsrfToken: null,
    };
  };
}
