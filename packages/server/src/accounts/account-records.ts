/**
 * Rows of `accounts` and `users` as the contract shows them (`User`, `AccountSummary`, `Account`), and the
 * few lookups every accounts handler shares. Tenant rule: a user is loaded by `(accountId, userId)`, never
 * by id alone; only sign-in and the public link flows find a user by address (addresses are unique across
 * the server, since sign-in names no account).
 */
import type { components } from '@holdfast/sdk';
import type { Kysely } from 'kysely';
import type { GrantablePermission, ServiceId } from '../auth/principal.ts';
import type { Account, Database, User } from '../db/database-schema.ts';
import { fromTimestamp, toApiTime, toTimestamp } from '../db/time.ts';
import { unconfirmedSignUpMs } from './session-policy.ts';

export type ApiUser = components['schemas']['User'];
export type ApiAccount = components['schemas']['Account'];
export type ApiAccountSummary = components['schemas']['AccountSummary'];

/** The kind of `email_tokens` row. */
export type LinkPurpose = 'confirm_email' | 'reset_password' | 'invitation' | 'change_email';

/** The job that purges a removed account (run by the job workers of a later issue). */
export const accountPurgeJobKind = 'account_purge';

/** How addresses are compared: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A user's access as the contract has it. */
export function accessOf(user: Pick<User, 'role' | 'operations' | 'services'>): ApiUser['access'] {
  if (user.role === 'administrator') return { role: 'administrator' };
  return {
    role: 'custom',
    operations: JSON.parse(user.operations) as GrantablePermission[],
    services: JSON.parse(user.services) as ServiceId[],
  };
}

/** An active user as the contract shows it (invitations are the users module's; none is pending here). */
export function toApiUser(user: User): ApiUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    authType: user.auth_type as ApiUser['authType'],
    status: user.status as ApiUser['status'],
    primary: user.is_primary === 1,
    access: accessOf(user),
    createdAt: toApiTime(user.created_at),
    lastSignInAt: user.last_sign_in_at === null ? null : toApiTime(user.last_sign_in_at),
    invitation: null,
  };
}

export function toAccountSummary(account: Account): ApiAccountSummary {
  return {
    id: account.id,
    name: account.name,
    region: account.region,
    status: account.status as ApiAccountSummary['status'],
  };
}

/** Loads a user of an account; undefined when the id is not one of the account's users. */
export function findUser(db: Kysely<Database>, accountId: string, userId: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', userId)
    .executeTakeFirst();
}

export function findAccount(db: Kysely<Database>, accountId: string): Promise<Account | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
}

/** The user with this address (any account), if any. */
export function findUserByEmail(db: Kysely<Database>, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email_normalized', '=', normalizeEmail(email)).executeTakeFirst();
}

/** A primary user whose sign-up was never confirmed. */
export function isUnconfirmedSignUp(user: User): boolean {
  return user.is_primary === 1 && user.email_confirmed_at === null;
}

/** An unconfirmed sign-up older than 7 days: treated as if it did not exist. */
export function isDiscardedSignUp(user: User, now: Date): boolean {
  return isUnconfirmedSignUp(user) && fromTimestamp(user.created_at).getTime() + unconfirmedSignUpMs <= now.getTime();
}

/** Whether the account's removal grace period is over (nobody may use it; the purge job removes it). */
export function isPastGrace(account: Account, now: Date): boolean {
  return (
    account.status === 'pending_removal' &&
    account.removal_purge_at !== null &&
    account.removal_purge_at <= toTimestamp(now)
  );
}

/** The account as the contract shows it: its address is its primary user's; a pending change is shown. */
export async function toApiAccount(db: Kysely<Database>, account: Account, now: Date): Promise<ApiAccount> {
  const primary = await db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('account_id', '=', account.id)
    .where('is_primary', '=', 1)
    .executeTakeFirstOrThrow();
  const pending = await db
    .selectFrom('email_tokens')
    .select('new_email')
    .where('account_id', '=', account.id)
    .where('user_id', '=', primary.id)
    .where('purpose', '=', 'change_email')
    .where('used_at', 'is', null)
    .where('expires_at', '>', toTimestamp(now))
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  const removal =
    account.status === 'pending_removal' &&
    account.removal_requested_at !== null &&
    account.removal_requested_by !== null &&
    account.removal_purge_at !== null
      ? {
          requestedAt: toApiTime(account.removal_requested_at),
          requestedBy: account.removal_requested_by,
          purgeAt: toApiTime(account.removal_purge_at),
        }
      : null;
  return {
    id: account.id,
    name: account.name,
    email: primary.email,
    pendingEmail: pending?.new_email ?? null,
    region: account.region,
    status: account.status as ApiAccount['status'],
    primaryUserId: primary.id,
    createdAt: toApiTime(account.created_at),
    removal,
  };
}

/** Whether a database error is a unique-constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '23505' || (typeof message === 'string' && message.includes('UNIQUE constraint failed'));
}
