/**
 * Creating an account with its primary user (an Administrator who signs in with email and password):
 * sign-up does it unconfirmed, `holdfast-server create-admin` confirmed. The account's first name is the
 * person's name (they rename it in the settings); its region never changes after this.
 */
import type { Transaction } from 'kysely';
import type { Account, Database, User } from '../db/database-schema.ts';
import { newId } from '../db/ids.ts';
import { toTimestamp } from '../db/time.ts';
import { normalizeEmail } from './account-records.ts';

export interface NewAccountFacts {
  readonly name: string;
  readonly email: string;
  /** The PHC string of the password (see `auth/passwords.ts`). */
  readonly passwordHash: string;
  readonly region: string;
  readonly now: Date;
  /** Whether the address counts as confirmed already (create-admin), or waits for the link (sign-up). */
  readonly confirmed: boolean;
}

/**
 * Inserts the account and its primary user. Run it in a transaction.
 *
 * @throws the database's unique violation when a user already has the address (see `isUniqueViolation`).
 */
export async function createAccountWithPrimaryUser(
  trx: Transaction<Database>,
  facts: NewAccountFacts,
): Promise<{ account: Account; user: User }> {
  const at = toTimestamp(facts.now);
  const account: Account = {
    id: newId('acc', facts.now.getTime()),
    name: facts.name,
    region: facts.region,
    status: 'active',
    created_at: at,
    updated_at: at,
    removal_requested_at: null,
    removal_requested_by: null,
    removal_purge_at: null,
    removal_reason: null,
    require_two_factor: 0,
    password_max_age_days: null,
    ip_restriction_enabled: 0,
  };
  const user: User = {
    id: newId('usr', facts.now.getTime()),
    account_id: account.id,
    email: facts.email.trim(),
    email_normalized: normalizeEmail(facts.email),
    name: facts.name,
    auth_type: 'email',
    status: 'active',
    is_primary: 1,
    role: 'administrator',
    operations: '[]',
    services: '[]',
    password_hash: facts.passwordHash,
    email_confirmed_at: facts.confirmed ? at : null,
    invited_by: null,
    last_sign_in_at: null,
    totp_secret: null,
    totp_pending_secret: null,
    totp_enabled_at: null,
    totp_last_step: null,
    password_changed_at: null,
    created_at: at,
    updated_at: at,
  };
  await trx.insertInto('accounts').values(account).execute();
  await trx.insertInto('users').values(user).execute();
  return { account, user };
}
