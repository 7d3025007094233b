/**
 * What the IP restriction tests share: a real server (its clock a variable, its mail captured) behind
 * a "proxy" — the server trusts 127.0.0.1 as a proxy, so a test picks the caller's address with
 * `X-Forwarded-For` ({@link from}) exactly as a reverse proxy would write it; an account with an
 * Administrator, a Custom user and keys; real credentials (session cookies, bearer tokens) so requests
 * go through the server's own resolver and gate; and readers of the audit log and the mail.
 */
import type { Kysely } from 'kysely';
import { hashPassword } from '../../src/auth/passwords.ts';
import type { ServerConfig } from '../../src/config/server-config.ts';
import type { AuditEventRow, Database } from '../../src/db/database-schema.ts';
import { toTimestamp } from '../../src/db/time.ts';
import { isRangeProblem, parseRange } from '../../src/ip-restrictions/ip-ranges.ts';
import { insertIpRule } from '../../src/ip-restrictions/ip-rules-store.ts';
import { call, type CallAnswer } from '../support/api-client.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { sessionCredential, type Credential } from '../support/credentials.ts';
import {
  seedAccount,
  seedApiKey,
  seedUser,
  type SeededAccount,
  type SeededApiKey,
  type SeededUser,
} from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

/** The password of every seeded user here. */
export const password = 'correct horse battery staple';

export interface IpServer {
  readonly running: RunningServer;
  readonly url: string;
  readonly db: Kysely<Database>;
  readonly mail: CapturedMail;
  now(): Date;
  /** Moves the server's clock forward. */
  advance(ms: number): void;
  close(): Promise<void>;
}

/** Starts a server on `config`, trusting 127.0.0.1 as a proxy unless told otherwise. */
export async function startIpServer(
  config: ServerConfig,
  trustedProxies: readonly string[] = ['127.0.0.1'],
): Promise<IpServer> {
  let now = new Date('2026-12-01T09:00:00.000Z');
  const mail = new CapturedMail();
  const running = await startServer({ ...config, trustedProxies }, { clock: () => now, mailer: mail });
  return {
    running,
    url: running.url,
    db: running.server.services.database.db,
    mail,
    now: () => now,
    advance: (ms) => {
      now = new Date(now.getTime() + ms);
    },
    close: () => running.close(),
  };
}

/** The headers of a request from `address`, as the trusted proxy (127.0.0.1) forwards it. */
export function from(address: string): Record<string, string> {
  return { 'X-Forwarded-For': address };
}

export interface IpAccount {
  readonly account: SeededAccount;
  readonly admin: SeededUser;
  readonly custom: SeededUser;
  readonly key: SeededApiKey;
  readonly primarySession: Credential;
  readonly adminSession: Credential;
  readonly customSession: Credential;
}

/** An account with a second Administrator, a Custom user who may read settings, and an Administrator key. */
export async function seedIpAccount(server: IpServer, config: ServerConfig, name?: string): Promise<IpAccount> {
  const passwordHash = await hashPassword(password, config.passwordHashing);
  const now = server.now();
  const account = await seedAccount(server.db, { now, passwordHash, ...(name === undefined ? {} : { name }) });
  const admin = await seedUser(server.db, account.id, { now, passwordHash, name: 'Grace Admin' });
  const custom = await seedUser(server.db, account.id, {
    now,
    passwordHash,
    name: 'Carl Custom',
    access: { role: 'custom', operations: ['view_account_settings'], services: ['box'] },
  });
  const key = await seedApiKey(server.db, account.id, { now, createdBy: admin.id, name: 'Nightly export' });
  return {
    account,
    admin,
    custom,
    key,
    primarySession: await sessionCredential(server.db, account.primary, now),
    adminSession: await sessionCredential(server.db, admin, now),
    customSession: await sessionCredential(server.db, custom, now),
  };
}

/** One request with a credential, from an address (or from 127.0.0.1 itself). */
export function send(
  server: IpServer,
  method: string,
  path: string,
  options: { readonly credential?: Credential; readonly address?: string; readonly body?: unknown } = {},
): Promise<CallAnswer> {
  return call(server.url, method, path, {
    headers: { ...options.credential?.headers(), ...(options.address === undefined ? {} : from(options.address)) },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
}

/** Writes rules straight into the account (and switches restrictions on when asked). */
export async function restrict(
  server: IpServer,
  accountId: string,
  ranges: readonly string[],
  enabled = true,
): Promise<void> {
  for (const text of ranges) {
    const range = parseRange(text);
    if (isRangeProblem(range)) throw new Error(`${text}: ${range.problem}`);
    await insertIpRule(server.db, accountId, { range, description: `Seeded ${text}`, createdBy: null }, server.now());
  }
  await server.db
    .updateTable('accounts')
    .set({ ip_restriction_enabled: enabled ? 1 : 0, updated_at: toTimestamp(server.now()) })
    .where('id', '=', accountId)
    .execute();
}

/** The account's audit entries of these activities, oldest first, details parsed. */
export async function auditOf(
  server: IpServer,
  accountId: string,
  ...activities: string[]
): Promise<(Omit<AuditEventRow, 'details'> & { details: Record<string, unknown> })[]> {
  let query = server.db.selectFrom('audit_events').selectAll().where('account_id', '=', accountId);
  if (activities.length > 0) query = query.where('activity', 'in', activities);
  const rows = await query.orderBy('occurred_at').orderBy('id').execute();
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}
