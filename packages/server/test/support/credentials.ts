/**
 * Real credentials for tests that go through the server's own resolver: a browser session of a seeded
 * user (a `sessions` row made by the accounts module's `createSession`, sent as the session cookie with
 * its CSRF token), or a bearer token of a seeded API key (from `POST /v1/oauth/token`).
 */
import type { Kysely } from 'kysely';
import { createSession } from '../../src/accounts/sessions.ts';
import { sessionCookieName } from '../../src/accounts/session-policy.ts';
import { csrfTokenFor } from '../../src/auth/tokens.ts';
import type { Database } from '../../src/db/database-schema.ts';
import { clientCredentialsToken, type SeededApiKey, type SeededUser } from './seed.ts';

/** Headers that authenticate a request. */
export interface Credential {
  readonly kind: 'session' | 'bearer';
  /** The headers; `csrf: false` leaves out a session's `X-CSRF-Token`. */
  headers(csrf?: boolean): Record<string, string>;
}

/** A new browser session of the user. */
export async function sessionCredential(db: Kysely<Database>, user: SeededUser, now: Date): Promise<Credential> {
  const { token } = await createSession(db, user.accountId, user.id, now);
  return {
    kind: 'session',
    headers: (csrf = true) => ({
      cookie: `${sessionCookieName}=${token}`,
      ...(csrf ? { 'X-CSRF-Token': csrfTokenFor(token) } : {}),
    }),
  };
}

/** A new access token of the key. */
export async function bearerCredential(url: string, key: SeededApiKey): Promise<Credential> {
  const { accessToken } = await clientCredentialsToken(url, key);
  return { kind: 'bearer', headers: () => ({ authorization: `Bearer ${accessToken}` }) };
}
