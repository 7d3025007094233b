/**
 * The caller of a handler of a non-public operation, and the user it acts for. The permission step has
 * already admitted a principal; {@link callerOf} only narrows the type. An API key acts on behalf of the
 * user who created it: what it creates (API keys, invitations) records that user as `createdBy` /
 * `invitedBy`, or `null` once that user is gone.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/database-schema.ts';
import { HttpProblem } from '../http/problem.ts';

/** The admitted principal (the permission step guarantees one on non-public operations). */
export function callerOf(principal: Principal | null): Principal {
  if (principal === null) throw new HttpProblem(401, 'UNAUTHENTICATED', 'Sign in, or send a bearer token.');
  return principal;
}

/** The user a principal acts for: itself, or the creator of the API key (null once deleted). */
export async function actingUserId(
  db: Kysely<Database> | Transaction<Database>,
  principal: Principal,
): Promise<string | null> {
  if (principal.kind === 'user') return principal.userId;
  if (principal.apiKeyId === null) return null;
  const row = await db
    .selectFrom('api_keys')
    .select('created_by')
    .where('account_id', '=', principal.accountId)
    .where('id', '=', principal.apiKeyId)
    .executeTakeFirst();
  return row?.created_by ?? null;
}
