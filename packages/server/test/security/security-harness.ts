/**
 * The attacker's view of a test server, for the hardening tests: requests from any client address (the
 * server trusts 127.0.0.1 as its proxy, so `X-Forwarded-For` names the client), a clock the test moves,
 * people seeded with a password (and two-factor authentication when asked), and the server's own
 * records to check: the audit entries of an account and the `auth_throttles` rows.
 *
 * {@link strictSecurity} is the production policy (the defaults of `loadConfig`) with a generous rate
 * limit, so the lockouts are what the tests meet; the rate-limit tests set their own.
 *
 * With `spyOn`, the server's own handlers of those operations are wrapped (inside the brute-force guards,
 * which wrap whatever the registry holds) so a test sees what reached them: {@link SecurityHarness.handled}
 * lists the outcome of each call that got past the guard — the problem code thrown, or the status
 * answered, or the RFC 6749 `error` of a token answer. A wrong secret's outcome is a secret checked.
 */
import type { Kysely } from 'kysely';
import { findUser } from '../../src/accounts/account-records.ts';
import { replaceRecoveryCodes, twoFactorKeys } from '../../src/accounts/two-factor.ts';
import { defaultBruteForcePolicy } from '../../src/auth/brute-force/brute-force-policy.ts';
import { throttleKeys, type ThrottleKeys } from '../../src/auth/brute-force/throttle-keys.ts';
import { createPasswordHasher } from '../../src/auth/passwords.ts';
import { newTotpSecret, totpCode } from '../../src/auth/totp.ts';
import type { ServerConfig } from '../../src/config/server-config.ts';
import type { AuditEventRow, Database } from '../../src/db/database-schema.ts';
import { defaultHandlers } from '../../src/http/handlers/default-handlers.ts';
import type { HandlerRegistry, OperationHandler, OperationId } from '../../src/http/handlers/handler-types.ts';
import { HttpProblem } from '../../src/http/problem.ts';
import { seedAccount, seedApiKey, type SeededApiKey } from '../support/seed.ts';
import { generousRateLimit } from '../support/test-config.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

/** The production lockouts, a generous rate limit, and 127.0.0.1 as the trusted proxy. */
export const strictSecurity: Partial<ServerConfig> = {
  bruteForce: defaultBruteForcePolicy,
  publicRateLimit: generousRateLimit,
  trustedProxies: ['127.0.0.1'],
};

export const start = new Date('2026-12-01T09:00:00.000Z');

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown> | null;
  readonly text: string;
}

export interface RequestOptions {
  /** The client address (`X-Forwarded-For`); default 192.0.2.1. */
  readonly from?: string;
  readonly body?: unknown;
  /** A form body (`application/x-www-form-urlencoded`) instead of JSON. */
  readonly form?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

/** A person who can sign in. */
export interface Person {
  readonly accountId: string;
  readonly userId: string;
  readonly email: string;
  readonly password: string;
  /** The TOTP secret when two-factor authentication is on. */
  readonly totpSecret: Buffer | null;
  readonly recoveryCodes: readonly string[];
}

export interface SecurityHarness {
  readonly running: RunningServer;
  readonly db: Kysely<Database>;
  readonly keys: ThrottleKeys;
  now: Date;
  advance(milliseconds: number): void;
  request(method: string, path: string, options?: RequestOptions): Promise<Answer>;
  signIn(email: string, password: string, from: string): Promise<Answer>;
  /** A person in an account of their own; with `twoFactor`, TOTP on and 10 recovery codes. */
  seedPerson(options?: { readonly twoFactor?: boolean }): Promise<Person>;
  seedKey(): Promise<SeededApiKey & { readonly name: string }>;
  /** The current TOTP code of a person. */
  code(person: Person, offsetSteps?: number): string;
  /**
   * Signs a person in (with the current code when two-factor authentication is on) and answers the
   * headers of requests in that session: the cookie and the CSRF token.
   */
  session(person: Person, from: string): Promise<Record<string, string>>;
  /** An account's audit entries, oldest first. */
  audit(accountId: string): Promise<AuditEventRow[]>;
  /** The outcomes of the calls that reached the handler of a spied-on operation, in the order they ended. */
  handled(operationId: OperationId): readonly string[];
  close(): Promise<void>;
}

export interface SecurityServerOptions {
  /** Operations whose handlers are spied on ({@link SecurityHarness.handled}). */
  readonly spyOn?: readonly OperationId[];
}

/** What a handler's call came to: the problem code, the OAuth error, or the status. */
function outcomeOf(answer: { readonly status: number; readonly body?: unknown }): string {
  const error = (answer.body as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' ? error : String(answer.status);
}

/** The server's own handlers of `spyOn`, each recording its outcomes in `seen`. */
function spies(spyOn: readonly OperationId[], seen: Map<OperationId, string[]>) {
  return (services: Parameters<typeof defaultHandlers>[0]): HandlerRegistry => {
    const own = defaultHandlers(services) as Record<OperationId, OperationHandler<OperationId> | undefined>;
    const wrapped = spyOn.map((id) => {
      const handler = own[id];
      if (handler === undefined) throw new Error(`the server has no handler of ${id} to spy on`);
      const outcomes: string[] = [];
      seen.set(id, outcomes);
      const record = (outcome: string) => outcomes.push(outcome);
      const spy: OperationHandler<OperationId> = async (request) => {
        try {
          const answer = await handler(request);
          record(outcomeOf(answer));
          return answer;
        } catch (error) {
          record(error instanceof HttpProblem ? error.code : 'thrown');
          throw error;
        }
      };
      return [id, spy];
    });
    return Object.fromEntries(wrapped) as HandlerRegistry;
  };
}

let seq = 0;

export async function startSecurityServer(
  config: ServerConfig,
  options: SecurityServerOptions = {},
): Promise<SecurityHarness> {
  const seen = new Map<OperationId, string[]>();
  const running = await startServer(config, {
    clock: () => harness.now,
    ...(options.spyOn === undefined ? {} : { handlers: spies(options.spyOn, seen) }),
  });
  const db = running.server.services.database.db;
  const hasher = createPasswordHasher(config.passwordHashing);
  const masterKey = running.server.services.masterKey;
  const harness: SecurityHarness = {
    running,
    db,
    keys: throttleKeys(masterKey),
    now: start,
    advance(milliseconds) {
      harness.now = new Date(harness.now.getTime() + milliseconds);
    },
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { 'x-forwarded-for': options.from ?? '192.0.2.1', ...options.headers };
      let body: string | undefined;
      if (options.form !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(options.form).toString();
      } else if (options.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.body);
      }
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
        text,
      };
    },
    signIn: (email, password, from) => harness.request('POST', '/v1/auth/sign-in', { from, body: { email, password } }),
    async seedPerson(options = {}) {
      seq += 1;
      const password = `a long passphrase number ${seq}`;
      const account = await seedAccount(db, { now: harness.now, passwordHash: await hasher.hash(password) });
      const userId = account.primary.id;
      let totpSecret: Buffer | null = null;
      let recoveryCodes: string[] = [];
      if (options.twoFactor === true) {
        totpSecret = newTotpSecret();
        const keys = twoFactorKeys(masterKey);
        await db
          .updateTable('users')
          .set({ totp_secret: keys.box.seal(totpSecret, userId), totp_enabled_at: harness.now.toISOString() })
          .where('account_id', '=', account.id)
          .where('id', '=', userId)
          .execute();
        const user = await findUser(db, account.id, userId);
        if (user === undefined) throw new Error('the seeded user is gone');
        recoveryCodes = await replaceRecoveryCodes(db, keys, user, harness.now);
      }
      return { accountId: account.id, userId, email: account.primary.email, password, totpSecret, recoveryCodes };
    },
    async seedKey() {
      const account = await seedAccount(db, { now: harness.now });
      seq += 1;
      const name = `Backup robot ${seq}`;
      return { ...(await seedApiKey(db, account.id, { now: harness.now, name })), name };
    },
    code(person, offsetSteps = 0) {
      if (person.totpSecret === null) throw new Error('this person has no second factor');
      return totpCode(person.totpSecret, new Date(harness.now.getTime() + offsetSteps * 30_000));
    },
    async session(person, from) {
      let answer = await harness.signIn(person.email, person.password, from);
      if (answer.body?.['code'] === 'SECOND_FACTOR_REQUIRED') {
        answer = await harness.request('POST', '/v1/auth/sign-in/second-factor', {
          from,
          body: { challenge: answer.body['challenge'], code: harness.code(person) },
        });
      }
      if (answer.status !== 200) throw new Error(`could not sign in: ${answer.text}`);
      const cookie = /__Host-holdfast-session=[^;]*/.exec(answer.headers.get('set-cookie') ?? '')?.[0] ?? '';
      const { csrfToken } = answer.body?.['session'] as { csrfToken: string };
      return { cookie, 'x-csrf-token': csrfToken };
    },
    audit: (accountId) =>
      db
        .selectFrom('audit_events')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('occurred_at')
        .orderBy('id')
        .execute(),
    handled: (operationId) => seen.get(operationId) ?? [],
    close: () => running.close(),
  };
  return harness;
}

/** What must be the same in two answers that should not tell two cases apart. */
export function comparable(answer: Answer): Record<string, unknown> {
  const body = answer.body === null ? null : { ...answer.body, instance: undefined };
  return {
    status: answer.status,
    body,
    headers: Object.fromEntries(
      ['content-type', 'retry-after', 'set-cookie', 'cache-control', 'www-authenticate'].map((name) => [
        name,
        answer.headers.get(name),
      ]),
    ),
  };
}

/** A wrong 6-digit code for a right one. */
export function wrongCode(right: string): string {
  return String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
}
