/**
 * The `oauth_tokens` table: access tokens (`hfat_…`, 15 minutes) and refresh tokens (`hfrt_…`, 30 days)
 * of API keys, stored as SHA-256 digests only.
 *
 * Invariants:
 * - Tokens issued together, and every pair issued from their refresh token, share a `chain_id`: one
 *   client-credentials exchange starts one chain.
 * - A refresh token works once. {@link consumeRefreshToken} marks it used with a conditional update, so of
 *   two concurrent uses exactly one wins; a used one presented again revokes its whole chain, access
 *   tokens included (RFC 9700 section 4.14.2): whoever holds the other copy, thief or owner, is cut off.
 * - Revoked and used tokens stay as rows until they expire (so reuse is recognised while it matters);
 *   expired ones go at the key's next client-credentials exchange, and all of them with the key.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { hashToken, newToken } from '../auth/tokens.ts';
import type { Database, OauthTokensTable } from '../db/database-schema.ts';
import { newId } from '../db/ids.ts';
import { toTimestamp } from '../db/time.ts';

export type OauthTokenRow = Selectable<OauthTokensTable>;
type Queryable = Kysely<Database> | Transaction<Database>;

/** Seconds an access token lives (the contract's `expires_in`). */
export const accessTokenSeconds = 15 * 60;
/** How long a refresh token lives after its issue. */
export const refreshTokenMs = 30 * 24 * 60 * 60 * 1000;
export const accessTokenPrefix = 'hfat_';
export const refreshTokenPrefix = 'hfrt_';

export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** Issues an access token and a refresh token in `chainId` (a new chain when omitted). */
export async function issueTokenPair(
  db: Queryable,
  key: { readonly accountId: string; readonly apiKeyId: string },
  now: Date,
  chainId: string = newId('otk', now.getTime()),
): Promise<TokenPair> {
  const accessToken = newToken(accessTokenPrefix);
  const refreshToken = newToken(refreshTokenPrefix);
  const common = {
    account_id: key.accountId,
    api_key_id: key.apiKeyId,
    chain_id: chainId,
    created_at: toTimestamp(now),
    used_at: null,
    revoked_at: null,
  };
  await db
    .insertInto('oauth_tokens')
    .values([
      {
        ...common,
        id: newId('otk', now.getTime()),
        kind: 'access',
        token_hash: hashToken(accessToken),
        expires_at: toTimestamp(now.getTime() + accessTokenSeconds * 1000),
      },
      {
        ...common,
        id: newId('otk', now.getTime()),
        kind: 'refresh',
        token_hash: hashToken(refreshToken),
        expires_at: toTimestamp(now.getTime() + refreshTokenMs),
      },
    ])
    .execute();
  return { accessToken, refreshToken };
}

/**
 * Deletes the key's expired tokens (run at each client-credentials exchange, so a key's rows stay
 * bounded). An expired token answers as an unknown one would, so nothing changes for clients.
 */
export async function deleteExpiredTokens(
  db: Queryable,
  key: { readonly accountId: string; readonly apiKeyId: string },
  now: Date,
): Promise<void> {
  await db
    .deleteFrom('oauth_tokens')
    .where('account_id', '=', key.accountId)
    .where('api_key_id', '=', key.apiKeyId)
    .where('expires_at', '<=', toTimestamp(now))
    .execute();
}

/**
 * The token a secret value names, of any account (the token is the credential that says which account),
 * or undefined.
 */
export function findToken(db: Queryable, token: string): Promise<OauthTokenRow | undefined> {
  return db.selectFrom('oauth_tokens').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
}

/** Revokes every token of a chain that is not revoked yet. */
export async function revokeChain(db: Queryable, accountId: string, chainId: string, now: Date): Promise<void> {
  await db
    .updateTable('oauth_tokens')
    .set({ revoked_at: toTimestamp(now) })
    .where('account_id', '=', accountId)
    .where('chain_id', '=', chainId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Revokes one token (if not revoked yet). */
export async function revokeToken(db: Queryable, row: OauthTokenRow, now: Date): Promise<void> {
  await db
    .updateTable('oauth_tokens')
    .set({ revoked_at: toTimestamp(now) })
    .where('account_id', '=', row.account_id)
    .where('id', '=', row.id)
    .where('revoked_at', 'is', null)
    .execute();
}

/**
 * Marks a refresh token used, if it is unused and not revoked; answers whether this call did it (false:
 * another use got there first, which counts as a reuse).
 */
export async function consumeRefreshToken(db: Queryable, row: OauthTokenRow, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('oauth_tokens')
    .set({ used_at: toTimestamp(now) })
    .where('account_id', '=', row.account_id)
    .where('id', '=', row.id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
