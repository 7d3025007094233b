/**
 * OAuth client authentication for `/v1/oauth/*` (RFC 6749 section 2.3.1): the API key's id and secret as
 * HTTP Basic (each form-urlencoded, then base64), or as the `client_id` and `client_secret` form fields,
 * never both ways at once (an `Authorization` header of another scheme is ignored). The key is found by its id alone, of any account: the credential is what
 * names the account here, so this is the one lookup that cannot be scoped by an account first.
 *
 * Failures are RFC 6749 errors: `invalid_client` (401, with `WWW-Authenticate: Basic`) for an unknown or
 * expired key, a wrong secret or no client at all; `invalid_request` (400) for credentials sent twice;
 * `unauthorized_client` (400) while the key's account is pending removal. Secrets are compared as SHA-256
 * digests in constant time, and an unknown id costs the same comparison as a known one.
 */
import type { components } from '@holdfast/sdk';
import type { Kysely } from 'kysely';
import { hashToken, secretsEqual } from '../auth/tokens.ts';
import type { Database } from '../db/database-schema.ts';
import { idPattern } from '../db/ids.ts';
import { apiKeyExpired, verifyClientSecret, type ApiKeyRow } from '../api-keys/api-keys-store.ts';

export type OAuthErrorCode = components['schemas']['OAuthError']['error'];

/** An OAuth error answer. */
export interface OAuthFailure {
  readonly failure: true;
  readonly status: 400 | 401;
  readonly error: OAuthErrorCode;
  readonly description: string;
}

export function oauthFailure(status: 400 | 401, error: OAuthErrorCode, description: string): OAuthFailure {
  return { failure: true, status, error, description };
}

export function isFailure(value: unknown): value is OAuthFailure {
  return typeof value === 'object' && value !== null && (value as { failure?: unknown }).failure === true;
}

/** The client credentials of a request, however they were sent. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string | null;
}

/** The form fields client authentication reads. */
export interface ClientForm {
  readonly client_id?: unknown;
  readonly client_secret?: unknown;
}

function formDecode(text: string): string | null {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

const noClient = (): OAuthFailure =>
  oauthFailure(401, 'invalid_client', 'Authenticate the client: HTTP Basic or client_id and client_secret.');

/** Reads the client credentials from the `Authorization` header or the form. */
export function readClientCredentials(authorization: string, form: ClientForm): ClientCredentials | OAuthFailure {
  const formId = typeof form.client_id === 'string' && form.client_id !== '' ? form.client_id : null;
  const formSecret = typeof form.client_secret === 'string' && form.client_secret !== '' ? form.client_secret : null;
  // Only HTTP Basic authenticates a client here; another scheme (a bearer token sent along) is no client
  // authentication at all.
  if (!/^Basic /i.test(authorization)) {
    if (formId === null) return noClient();
    return { clientId: formId, clientSecret: formSecret };
  }
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization);
  if (match?.[1] === undefined) return oauthFailure(401, 'invalid_client', 'The HTTP Basic credentials are malformed.');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return oauthFailure(401, 'invalid_client', 'HTTP Basic credentials must be client_id:client_secret.');
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  if (clientId === null || clientSecret === null || clientId === '') return noClient();
  if (formSecret !== null) {
    return oauthFailure(400, 'invalid_request', 'Send the client secret one way: HTTP Basic or the form, not both.');
  }
  if (formId !== null && formId !== clientId) {
    return oauthFailure(400, 'invalid_request', 'client_id in the form differs from the HTTP Basic user name.');
  }
  return { clientId, clientSecret: clientSecret === '' ? null : clientSecret };
}

const keyId = idPattern('key');
/** Compared against when the client is unknown, so both cases cost the same. */
const decoyDigest = hashToken('decoy client secret');

/** An authenticated client: its key and the status of the key's account. */
export type AuthenticatedClient = ApiKeyRow & { readonly account_status: string };

/**
 * Authenticates the client: the key must exist, be unexpired, and (when a secret is sent, or
 * `requireSecret`) have this secret; its account must not be pending removal.
 */
export async function authenticateClient(
  db: Kysely<Database>,
  credentials: ClientCredentials,
  options: { readonly requireSecret: boolean; readonly now: Date },
): Promise<AuthenticatedClient | OAuthFailure> {
  const wrong = oauthFailure(401, 'invalid_client', 'Unknown client or wrong secret.');
  if (credentials.clientSecret === null && options.requireSecret) return noClient();
  const row = keyId.test(credentials.clientId)
    ? await db
        .selectFrom('api_keys')
        .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
        .selectAll('api_keys')
        .select('accounts.status as account_status')
        .where('api_keys.id', '=', credentials.clientId)
        .executeTakeFirst()
    : undefined;
  if (row === undefined) {
    if (credentials.clientSecret !== null) secretsEqual(hashToken(credentials.clientSecret), decoyDigest);
    return wrong;
  }
  if (credentials.clientSecret !== null && !verifyClientSecret(row, credentials.clientSecret)) return wrong;
  if (apiKeyExpired(row, options.now)) return oauthFailure(401, 'invalid_client', 'The API key has expired.');
  if (row.account_status !== 'active') {
    return oauthFailure(400, 'unauthorized_client', 'The account is pending removal; its API keys are refused.');
  }
  return row;
}
