/**
 * Accounts, users and API keys written straight into a test server's database, so the tests of users,
 * API keys and OAuth need no sign-up flow. Users act through {@link sessionPrincipalOf} (an injected
 * principal for the `X-Test-Principal` resolver, see {@link testResolver}); API keys act through real
 * bearer tokens from `POST /v1/oauth/token` ({@link clientCredentialsToken}).
 *
 * Every address is unique (`<label>-<random>@example.org`): users' addresses are unique server-wide.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { permissionsForAccess, servicesForAccess, type Access } from '../../src/auth/permissions.ts';
import type { Principal, PrincipalResolver } from '../../src/auth/principal.ts';
import { hashToken, newToken } from '../../src/auth/tokens.ts';
import type { Database } from '../../src/db/database-schema.ts';
import { newId } from '../../src/db/ids.ts';
import { toTimestamp } from '../../src/db/time.ts';
import { accessToColumns } from '../../src/users/access-columns.ts';
import { testCsrfToken } from './principals.ts';

export interface SeededUser {
  readonly id: string;
  readonly accountId: string;
  readonly email: string;
  readonly name: string | null;
  readonly access: Access;
  readonly isPrimary: boolean;
}

export interface SeededAccount {
  readonly id: string;
  readonly name: string;
  readonly primary: SeededUser;
}

export interface SeededApiKey {
  readonly id: string;
  readonly accountId: string;
  readonly secret: string;
  readonly access: Access;
}

/** A unique address. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(5).toString('hex')}@example.org`;
}

export interface SeedUserOptions {
  readonly access?: Access;
  readonly email?: string;
  readonly name?: string | null;
  readonly status?: 'active' | 'invited';
  readonly isPrimary?: boolean;
  readonly passwordHash?: string | null;
  readonly invitedBy?: string | null;
  readonly now?: Date;
}

/** Adds a user to an account (an active Administrator unless told otherwise). */
export async function seedUser(
  db: Kysely<Database>,
  accountId: string,
  options: SeedUserOptions = {},
): Promise<SeededUser> {
  const now = options.now ?? new Date();
  const access = options.access ?? { role: 'administrator' };
  const email = options.email ?? uniqueEmail();
  const name = options.name === undefined ? `User ${randomBytes(3).toString('hex')}` : options.name;
  const status = options.status ?? 'active';
  const id = newId('usr', now.getTime());
  await db
    .insertInto('users')
    .values({
      id,
      account_id: accountId,
      email,
      email_normalized: email.toLowerCase(),
      name,
      auth_type: 'email',
      status,
      is_primary: options.isPrimary === true ? 1 : 0,
      ...accessToColumns(access),
      password_hash: options.passwordHash ?? null,
      email_confirmed_at: status === 'active' ? toTimestamp(now) : null,
      invited_by: options.invitedBy ?? null,
      last_sign_in_at: null,
      created_at: toTimestamp(now),
      updated_at: toTimestamp(now),
    })
    .execute();
  return { id, accountId, email, name, access, isPrimary: options.isPrimary === true };
}

/** A new active account with its primary user. */
export async function seedAccount(
  db: Kysely<Database>,
  options: { readonly name?: string; readonly now?: Date; readonly passwordHash?: string | null } = {},
): Promise<SeededAccount> {
  const now = options.now ?? new Date();
  const id = newId('acc', now.getTime());
  const name = options.name ?? `Account ${randomBytes(3).toString('hex')}`;
  await db
    .insertInto('accounts')
    .values({
      id,
      name,
      region: 'eu-central',
      status: 'active',
      created_at: toTimestamp(now),
      updated_at: toTimestamp(now),
      removal_requested_at: null,
      removal_requested_by: null,
      removal_purge_at: null,
      removal_reason: null,
    })
    .execute();
  const primary = await seedUser(db, id, {
    isPrimary: true,
    email: uniqueEmail('primary'),
    now,
    ...(options.passwordHash === undefined ? {} : { passwordHash: options.passwordHash }),
  });
  return { id, name, primary };
}

/** Adds an API key with a known secret. */
export async function seedApiKey(
  db: Kysely<Database>,
  accountId: string,
  options: {
    readonly access?: Access;
    readonly createdBy?: string | null;
    readonly expiresAt?: Date | null;
    readonly now?: Date;
    readonly name?: string;
  } = {},
): Promise<SeededApiKey> {
  const now = options.now ?? new Date();
  const access = options.access ?? { role: 'administrator' };
  const id = newId('key', now.getTime());
  const secret = newToken('hfs_');
  await db
    .insertInto('api_keys')
    .values({
      id,
      account_id: accountId,
      name: options.name ?? `Key ${randomBytes(3).toString('hex')}`,
      secret_hash: hashToken(secret),
      ...accessToColumns(access),
      created_by: options.createdBy ?? null,
      created_at: toTimestamp(now),
      last_used_at: null,
      expires_at: options.expiresAt == null ? null : toTimestamp(options.expiresAt),
    })
    .execute();
  return { id, accountId, secret, access };
}

/** The session principal of a seeded user (CSRF token {@link testCsrfToken}). */
export function sessionPrincipalOf(user: SeededUser): Principal {
  return {
    kind: 'user',
    accountId: user.accountId,
    userId: user.id,
    apiKeyId: null,
    permissions: permissionsForAccess(user.access, { kind: 'user', isPrimary: user.isPrimary }),
    isPrimary: user.isPrimary,
    services: servicesForAccess(user.access),
    credential: 'session',
    verifyCsrfToken: (token) => token === testCsrfToken,
  };
}

/**
 * A resolver for tests: the principal registered under the request's `X-Test-Principal` header, else
 * the real resolver (bearer tokens, sessions) that `real()` answers once the server is up.
 */
export function testResolver(
  registered: ReadonlyMap<string, Principal>,
  real: () => PrincipalResolver | undefined,
): PrincipalResolver {
  return (ctx, accepted) => {
    const name = ctx.get('X-Test-Principal');
    if (name !== '') return Promise.resolve(registered.get(name) ?? null);
    const resolver = real();
    return resolver === undefined ? Promise.resolve(null) : resolver(ctx, accepted);
  };
}

export interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

/** Posts a form to `/v1/oauth/<endpoint>`. */
export async function postOAuth(
  url: string,
  endpoint: 'token' | 'revoke',
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<TokenAnswer> {
  const response = await fetch(`${url}/v1/oauth/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    headers: response.headers,
  };
}

/** HTTP Basic credentials of a key. */
export function basicAuth(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** A fresh access and refresh token of a key (client credentials over HTTP Basic). */
export async function clientCredentialsToken(
  url: string,
  key: Pick<SeededApiKey, 'id' | 'secret'>,
): Promise<{ readonly accessToken: string; readonly refreshToken: string }> {
  const answer = await postOAuth(
    url,
    'token',
    { grant_type: 'client_credentials' },
    { authorization: basicAuth(key.id, key.secret) },
  );
  if (answer.status !== 200) throw new Error(`token exchange failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { accessToken: String(answer.body['access_token']), refreshToken: String(answer.body['refresh_token']) };
}
