/**
 * The "done when" path, through `@holdfast/sdk` against a running test server: sign up, confirm
 * the address with the link from the outbox, sign in (the session cookie and CSRF token go on by hand:
 * the SDK is for API keys, sessions are for browsers), and create an Administrator API key. The SDK's
 * tests then act as that key, as a program would.
 */
import { randomBytes } from 'node:crypto';
import { createHoldfastClient, unwrap } from '@holdfast/sdk';
import { setTimeout as delay } from 'node:timers/promises';
import { readOutbox, tokenIn, type ReadMessage } from '../email/mail-reader.ts';

export interface SdkAccount {
  readonly email: string;
  readonly password: string;
  /** The session of the primary user: `Cookie` and `X-CSRF-Token` headers. */
  readonly sessionHeaders: Readonly<Record<string, string>>;
  /** An Administrator API key's credentials. */
  readonly clientId: string;
  readonly clientSecret: string;
}

/** The newest message to `email` in the outbox, waiting for it (the server sends mail after answering). */
async function waitForMessage(outboxDir: string, email: string, timeoutMs = 10_000): Promise<ReadMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = readOutbox(outboxDir).findLast((candidate) => candidate.to.includes(email));
    if (message !== undefined) return message;
    if (Date.now() > deadline) throw new Error(`no email to ${email} in ${outboxDir} after ${String(timeoutMs)} ms`);
    await delay(25);
  }
}

/** Signs up a new account on the server at `baseUrl` (whose outbox is `outboxDir`) and makes it an API key. */
export async function signUpWithApiKey(baseUrl: string, outboxDir: string): Promise<SdkAccount> {
  const anonymous = createHoldfastClient({ baseUrl });
  const email = `ada-${randomBytes(5).toString('hex')}@example.org`;
  const password = 'correct horse battery staple';

  unwrap(
    await anonymous.api.POST('/v1/auth/sign-up', {
      body: { name: 'Ada Lovelace', email, password, region: 'eu-central' },
    }),
  );
  const confirmation = await waitForMessage(outboxDir, email);
  unwrap(await anonymous.api.POST('/v1/auth/confirm-email', { body: { token: tokenIn(confirmation) } }));

  const signIn = await anonymous.api.POST('/v1/auth/sign-in', { body: { email, password } });
  const { session } = unwrap(signIn);
  const cookie = signIn.response.headers.get('set-cookie')?.split(';')[0];
  if (cookie === undefined) throw new Error('sign-in set no session cookie');
  const sessionHeaders = { Cookie: cookie, 'X-CSRF-Token': session.csrfToken };

  const created = unwrap(
    await anonymous.api.POST('/v1/api-keys', {
      headers: sessionHeaders,
      body: { name: 'SDK tests', access: { role: 'administrator' }, expiresAt: null },
    }),
  );
  return { email, password, sessionHeaders, clientId: created.clientId, clientSecret: created.clientSecret };
}

/** What a client sent: method, path and the `Authorization` scheme's token. */
export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | null;
  readonly userAgent: string | null;
  readonly grantType: string | null;
}

/** A `fetch` that records each request before sending it with the global fetch. */
export function recordingFetch(): {
  readonly fetch: (input: Request) => Promise<Response>;
  readonly sent: SentRequest[];
} {
  const sent: SentRequest[] = [];
  return {
    sent,
    fetch: async (input) => {
      const url = new URL(input.url);
      const grantType =
        url.pathname === '/v1/oauth/token' ? new URLSearchParams(await input.clone().text()).get('grant_type') : null;
      sent.push({
        method: input.method,
        path: url.pathname,
        authorization: input.headers.get('authorization'),
        userAgent: input.headers.get('user-agent'),
        grantType,
      });
      return fetch(input);
    },
  };
}
