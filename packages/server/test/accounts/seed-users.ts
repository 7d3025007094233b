/**
 * Users besides the primary one, written straight into the database (inviting them is the users
 * module's job; these tests only need them to exist and sign in).
 */
import { hashPassword } from '../../src/auth/passwords.ts';
import { newId } from '../../src/db/ids.ts';
import { toTimestamp } from '../../src/db/time.ts';
import type { AccountsHarness } from './account-client.ts';

/** The password of every seeded user (and of the tests' primary users). */
export const password = 'correct horse battery staple';

/** A second, active user of the account (the users module invites them; here they are written directly). */
export async function addUser(
  api: AccountsHarness,
  accountId: string,
  email: string,
  access: { role: 'administrator' } | { role: 'custom'; operations: string[] },
): Promise<void> {
  const at = toTimestamp(api.now);
  await api.running.server.services.database.db
    .insertInto('users')
    .values({
      id: newId('usr'),
      account_id: accountId,
      email,
      email_normalized: email.toLowerCase(),
      name: email.split('@')[0] ?? null,
      auth_type: 'email',
      status: 'active',
      is_primary: 0,
      role: access.role,
      operations: JSON.stringify(access.role === 'custom' ? access.operations : []),
      services: JSON.stringify(access.role === 'custom' ? ['box'] : []),
      password_hash: await hashPassword(password, api.config.passwordHashing),
      email_confirmed_at: at,
      invited_by: null,
      last_sign_in_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
}
