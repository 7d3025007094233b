/**
 * The OAuth 2.0 endpoints of API keys (S8): `issueToken` (RFC 6749 section 3.2) and `revokeToken`
 * (RFC 7009). Both are form-encoded and public in the permission sense: the client authenticates itself
 * here (`client-authentication.ts`), and failures answer RFC 6749 error JSON, never problems.
 *
 * - `client_credentials`: the key's id and secret (both required) start a new chain: an access token
 *   (15 minutes) and a refresh token (30 days).
 * - `refresh_token`: the refresh token and the client id (the secret is optional; when sent it must be
 *   right). The token is used up and the answer carries the next pair in the same chain; a used token
 *   presented again revokes the whole chain and answers `invalid_grant` (the revocation is committed
 *   with that answer). A token of another client is `invalid_grant`, as if unknown.
 * - `revokeToken`: same client authentication as a refresh; revoking a refresh token revokes its chain,
 *   an access token only itself. Unknown tokens, other clients' tokens and revoked ones answer `200` too.
 *
 * Every issue or refresh records the key's use (`lastUsedAt`). While the key's account has IP restrictions
 * on, both grants from an address no rule trusts answer `unauthorized_client` and issue nothing
 * (`ip-restrictions/ip-gate.ts`); revocation works from anywhere (it only takes power away).
 *
 * The gate is asked only once the caller has shown a credential of the key: the secret for
 * `client_credentials`, and for `refresh_token` (where the secret is optional, and the client id alone is
 * no secret) a live refresh token of this key, looked up without being used up. Anything else answers
 * from every address alike (`invalid_client`, `invalid_grant`), so a key id alone neither tells whether
 * an address is trusted nor writes `address_refused` entries to the key's account. A used refresh token
 * coming back revokes its chain before the gate too: that only takes power away, as revocation does.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../db/database-schema.ts';
import type { HandlerFactory } from '../http/handlers/handler-types.ts';
import { touchApiKey } from '../api-keys/api-keys-store.ts';
import { apiKeyActor, recordAudit } from '../audit/audit-log.ts';
import { admitAddress, untrustedAddressDescription } from '../ip-restrictions/ip-gate.ts';
import { idPattern } from '../db/ids.ts';
import { toTimestamp } from '../db/time.ts';
import {
  authenticateClient,
  isFailure,
  oauthFailure,
  readClientCredentials,
  type AuthenticatedClient,
  type ClientForm,
  type OAuthFailure,
} from './client-authentication.ts';
import {
  accessTokenSeconds,
  consumeRefreshToken,
  deleteExpiredTokens,
  findToken,
  issueTokenPair,
  revokeChain,
  revokeToken,
  type OauthTokenRow,
  type TokenPair,
} from './oauth-tokens-store.ts';

const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function failureAnswer(failure: OAuthFailure): {
  status: 400 | 401;
  body: { error: OAuthFailure['error']; error_description: string };
  headers: Record<string, string>;
} {
  return {
    status: failure.status,
    body: { error: failure.error, error_description: failure.description },
    headers: failure.status === 401 ? { ...noStore, 'WWW-Authenticate': 'Basic realm="holdfast"' } : noStore,
  };
}

function tokenAnswer(pair: TokenPair): {
  status: 200;
  body: { access_token: string; token_type: 'Bearer'; expires_in: number; refresh_token: string };
  headers: Record<string, string>;
} {
  return {
    status: 200,
    body: {
      access_token: pair.accessToken,
      token_type: 'Bearer',
      expires_in: accessTokenSeconds,
      refresh_token: pair.refreshToken,
    },
    headers: noStore,
  };
}

export const oauthHandlers: HandlerFactory = (services) => {
  const { db } = services.database;
  const log = services.logger;

  async function client(
    authorization: string,
    form: ClientForm,
    requireSecret: boolean,
    now: Date,
  ): Promise<AuthenticatedClient | OAuthFailure> {
    const credentials = readClientCredentials(authorization, form);
    if (isFailure(credentials)) return credentials;
    const authenticated = await authenticateClient(db, credentials, { requireSecret, now });
    if (isFailure(authenticated)) {
      // The client id is logged only when it looks like one (not, say, a secret pasted in its place).
      const clientId = idPattern('key').test(credentials.clientId) ? credentials.clientId : '[not a key id]';
      log.info({ clientId, error: authenticated.error }, 'OAuth client refused');
    }
    return authenticated;
  }

  const invalidGrant = () =>
    oauthFailure(400, 'invalid_grant', 'The refresh token is expired, revoked or already used.');

  /** A used refresh token came back: its whole chain is revoked, and that is audited. */
  async function revokeReusedChain(
    trx: Transaction<Database>,
    key: AuthenticatedClient,
    row: OauthTokenRow,
    now: Date,
    sourceIp: string,
  ): Promise<void> {
    await revokeChain(trx, row.account_id, row.chain_id, now);
    await recordAudit(
      trx,
      {
        accountId: row.account_id,
        activity: 'refresh_token_reused',
        status: 'failed',
        actor: apiKeyActor(key),
        sourceIp,
        description: `A used refresh token of the API key ${key.name} came back: its token chain is revoked.`,
        details: { chainId: row.chain_id },
      },
      now,
    );
    log.warn(
      { accountId: row.account_id, apiKeyId: row.api_key_id, chainId: row.chain_id },
      'a used refresh token came back: its chain is revoked',
    );
  }

  /**
   * The refresh token's row when it is a refresh token of this key, unrevoked, unexpired and unused at
   * `now` (nothing is used up); else `invalid_grant`, after revoking the chain of a used one. Asked
   * before the IP gate, so what a token that is no credential answers does not depend on the address.
   */
  async function liveRefreshToken(
    key: AuthenticatedClient,
    refreshToken: string,
    now: Date,
    sourceIp: string,
  ): Promise<OauthTokenRow | OAuthFailure> {
    const row = await findToken(db, refreshToken);
    if (row?.kind !== 'refresh' || row.api_key_id !== key.id || row.account_id !== key.account_id) {
      return invalidGrant();
    }
    if (row.revoked_at !== null || row.expires_at <= toTimestamp(now)) return invalidGrant();
    if (row.used_at !== null) {
      await db.transaction().execute((trx) => revokeReusedChain(trx, key, row, now, sourceIp));
      return invalidGrant();
    }
    return row;
  }

  /** Uses the refresh token up and issues the next pair of its chain (checked again: it may have raced). */
  async function refresh(
    key: AuthenticatedClient,
    refreshToken: string,
    now: Date,
    sourceIp: string,
  ): Promise<TokenPair | OAuthFailure> {
    return db.transaction().execute(async (trx) => {
      const row = await findToken(trx, refreshToken);
      if (row?.kind !== 'refresh' || row.api_key_id !== key.id || row.account_id !== key.account_id) {
        return invalidGrant();
      }
      if (row.revoked_at !== null) return invalidGrant();
      if (row.expires_at <= toTimestamp(now)) return invalidGrant();
      if (row.used_at !== null || !(await consumeRefreshToken(trx, row, now))) {
        await revokeReusedChain(trx, key, row, now, sourceIp);
        return invalidGrant();
      }
      return issueTokenPair(trx, { accountId: key.account_id, apiKeyId: key.id }, now, row.chain_id);
    });
  }

  return {
    issueToken: async ({ body, ctx }) => {
      const now = services.clock();
      const authorization = ctx.get('Authorization');
      const form = body as ClientForm & { grant_type: string; refresh_token?: string };
      const refreshToken =
        form.grant_type === 'refresh_token' && typeof form.refresh_token === 'string' ? form.refresh_token : null;
      if (form.grant_type !== 'client_credentials' && refreshToken === null) {
        // The contract's validation lets nothing else through; answer as RFC 6749 would anyway.
        return failureAnswer(oauthFailure(400, 'unsupported_grant_type', 'Unsupported grant_type.'));
      }
      const key = await client(authorization, form, refreshToken === null, now);
      if (isFailure(key)) return failureAnswer(key);
      if (refreshToken !== null) {
        // A credential of the key before the gate: the client id alone is no secret (see the module notes).
        const live = await liveRefreshToken(key, refreshToken, now, ctx.state.clientIp);
        if (isFailure(live)) return failureAnswer(live);
      }
      const admitted = await admitAddress(services, {
        accountId: key.account_id,
        address: ctx.state.clientIp,
        attempt: 'token',
        operationId: 'issueToken',
        actor: () => apiKeyActor(key),
      });
      if (!admitted) return failureAnswer(oauthFailure(400, 'unauthorized_client', untrustedAddressDescription));
      const pair =
        refreshToken === null
          ? await db.transaction().execute(async (trx) => {
              await deleteExpiredTokens(trx, { accountId: key.account_id, apiKeyId: key.id }, now);
              return issueTokenPair(trx, { accountId: key.account_id, apiKeyId: key.id }, now);
            })
          : await refresh(key, refreshToken, now, ctx.state.clientIp);
      if (isFailure(pair)) return failureAnswer(pair);
      await touchApiKey(db, key, now);
      return tokenAnswer(pair);
    },

    revokeToken: async ({ body, ctx }) => {
      const now = services.clock();
      const authorization = ctx.get('Authorization');
      const key = await client(authorization, body, false, now);
      if (isFailure(key)) return failureAnswer(key);
      await db.transaction().execute(async (trx) => {
        const row = await findToken(trx, body.token);
        if (row?.api_key_id !== key.id || row.account_id !== key.account_id) return;
        if (row.kind === 'refresh') await revokeChain(trx, row.account_id, row.chain_id, now);
        else await revokeToken(trx, row, now);
      });
      return { status: 200, headers: noStore };
    },
  };
};
