/**
 * A server for the tests of what gets audited: the real principal resolver (browser sessions of seeded
 * users, bearer tokens of seeded API keys), a clock the test sets, mail kept in memory, and every
 * request sent through a trusted proxy (`127.0.0.1`) that names the client `198.51.100.23`, so an
 * entry's source address is provably the client's as the trusted-proxy step worked it out.
 *
 * Every secret a test makes or sends (passwords, link tokens, TOTP secrets and codes, recovery codes,
 * session and API key secrets) is noted with {@link AuditHarness.secret}, for the test that no audit row
 * holds any of them.
 */
import type { Kysely } from 'kysely';
import { replaceRecoveryCodes, twoFactorKeys } from '../../src/accounts/two-factor.ts';
import { hashPassword } from '../../src/auth/passwords.ts';
import { base32Encode, newTotpSecret, totpCode } from '../../src/auth/totp.ts';
import type { ServerConfig } from '../../src/config/server-config.ts';
import type { AuditEventRow, Database } from '../../src/db/database-schema.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { bearerCredential, sessionCredential, type Credential } from '../support/credentials.ts';
import {
  seedAccount,
  seedApiKey,
  seedUser,
  type SeedUserOptions,
  type SeededAccount,
  type SeededApiKey,
  type SeededUser,
} from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

/** The client's address as the trusted proxy reports it. */
export const clientAddress = '198.51.100.23';
/** The password of every user the harness seeds. */
export const password = 'correct horse battery staple';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown> | undefined;
  readonly text: string;
}

export interface AuditHarness {
  readonly running: RunningServer;
  readonly mail: CapturedMail;
  readonly db: Kysely<Database>;
  now: Date;
  /** A new account whose primary user has {@link password}. */
  account(): Promise<SeededAccount>;
  /** A user of the account with {@link password}. */
  user(accountId: string, options?: SeedUserOptions): Promise<SeededUser>;
  key(accountId: string, name?: string): Promise<SeededApiKey>;
  session(user: SeededUser): Promise<Credential>;
  bearer(key: SeededApiKey): Promise<Credential>;
  /** Turns two-factor on for a user; answers the base32 secret and a function of the current code. */
  twoFactor(user: SeededUser, state?: 'enabled' | 'pending'): Promise<{ secret: string; code: () => string }>;
  recoveryCodes(user: SeededUser): Promise<string[]>;
  send(
    method: string,
    path: string,
    options?: { credential?: Credential; body?: unknown; headers?: Record<string, string> },
  ): Promise<Answer>;
  /** Signs in over HTTP (`signIn`); answers the session's credential, or the refusal. */
  signIn(email: string, secret?: string): Promise<Credential | Answer>;
  /** The account's audit rows, oldest first. */
  rows(accountId: string): Promise<AuditEventRow[]>;
  /** Notes a secret the audit log must never hold. */
  secret(value: string): string;
  readonly secrets: ReadonlySet<string>;
  close(): Promise<void>;
}

export async function startAuditHarness(config: ServerConfig): Promise<AuditHarness> {
  const mail = new CapturedMail();
  const secrets = new Set<string>();
  const passwordHash = await hashPassword(password, config.passwordHashing);
  const running = await startServer(config, { clock: () => harness.now, mailer: mail });
  const { db } = running.server.services.database;
  const keys = twoFactorKeys(running.server.services.masterKey);
  secrets.add(password);

  const harness: AuditHarness = {
    running,
    mail,
    db,
    now: new Date('2026-12-01T09:00:00.000Z'),
    account: () => seedAccount(db, { now: harness.now, passwordHash }),
    user: (accountId, options = {}) => seedUser(db, accountId, { now: harness.now, passwordHash, ...options }),
    async key(accountId, name) {
      const key = await seedApiKey(db, accountId, { now: harness.now, ...(name === undefined ? {} : { name }) });
      secrets.add(key.secret);
      return key;
    },
    async session(user) {
      const credential = await sessionCredential(db, user, harness.now);
      for (const value of Object.values(credential.headers())) secrets.add(value.replace(/^.*=/, ''));
      return credential;
    },
    async bearer(key) {
      const credential = await bearerCredential(running.url, key);
      secrets.add(credential.headers()['authorization']?.replace('Bearer ', '') ?? '');
      return credential;
    },
    async twoFactor(user, state = 'enabled') {
      const raw = newTotpSecret();
      const sealed = keys.box.seal(raw, user.id);
      await db
        .updateTable('users')
        .set(
          state === 'enabled'
            ? { totp_secret: sealed, totp_enabled_at: harness.now.toISOString() }
            : { totp_pending_secret: sealed },
        )
        .where('account_id', '=', user.accountId)
        .where('id', '=', user.id)
        .execute();
      const secret = base32Encode(raw);
      secrets.add(secret);
      secrets.add(sealed);
      return {
        secret,
        code: () => {
          const code = totpCode(raw, harness.now);
          secrets.add(code);
          return code;
        },
      };
    },
    async recoveryCodes(user) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('account_id', '=', user.accountId)
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      const codes = await replaceRecoveryCodes(db, keys, row, harness.now);
      for (const code of codes) {
        secrets.add(code);
        secrets.add(code.replace('-', ''));
      }
      return codes;
    },
    async send(method, path, options = {}) {
      const headers: Record<string, string> = {
        'x-forwarded-for': clientAddress,
        ...options.credential?.headers(),
        ...options.headers,
      };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
        text,
      };
    },
    async signIn(email, secret = password) {
      const answer = await harness.send('POST', '/v1/auth/sign-in', { body: { email, password: secret } });
      if (answer.status !== 200) return answer;
      const cookie = /__Host-holdfast-session=[^;]*/.exec(answer.headers.get('set-cookie') ?? '')?.[0] ?? '';
      const csrf = String((answer.body?.['session'] as { csrfToken?: string } | undefined)?.csrfToken);
      secrets.add(cookie.replace(/^.*=/, ''));
      secrets.add(csrf);
      return {
        kind: 'session',
        headers: (withCsrf = true) => ({ cookie, ...(withCsrf ? { 'X-CSRF-Token': csrf } : {}) }),
      };
    },
    rows: (accountId) =>
      db
        .selectFrom('audit_events')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('occurred_at')
        .orderBy('id')
        .execute(),
    secret(value) {
      secrets.add(value);
      return value;
    },
    secrets,
    close: () => running.close(),
  };
  return harness;
}
