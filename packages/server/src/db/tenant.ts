/**
 * Tenant isolation (DESIGN.md: "no query runs without the account"). Every table but `accounts` belongs
 * to one account through its `account_id` column; query helpers of these tables take the account id as
 * their first argument and filter on it, and handlers load resources by `(accountId, id)` so another
 * account's id answers 404. A test checks every table of the schema against this list.
 */
import type { Database } from './database-schema.ts';

/** Tables whose rows belong to one account. */
export const tenantTables = [
  'users',
  'sessions',
  'email_tokens',
  'api_keys',
  'oauth_tokens',
  'idempotency_keys',
  'jobs',
  'recovery_codes',
  'sign_in_challenges',
  'audit_events',
  'activity_events',
  'ip_rules',
] as const satisfies readonly (keyof Database)[];

/**
 * Tables that belong to no account, each for a reason: `auth_throttles` counts failed sign-ins by
 * client address and by the email typed, which may be no account's (an unknown address must be
 * throttled like a known one, or the lockout would tell which addresses exist).
 */
export const serverTables = ['auth_throttles'] as const satisfies readonly (keyof Database)[];

export type TenantTable = (typeof tenantTables)[number];
