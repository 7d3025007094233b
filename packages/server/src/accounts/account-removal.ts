/**
 * Account removal (S9): explicit consent starts a 7-day grace period. Starting it records the purge as a
 * `jobs` row (`account_purge`, `run_after` = the end of the grace period; the job workers of a later
 * issue run it), ends every other session of the account and every OAuth token of its API keys.
 * Reactivating (cancel, or the primary user signing in during the grace period) marks that job
 * `canceled` and clears the removal. After the grace period nothing reactivates the account.
 */
import type { Transaction } from 'kysely';
import type { Account, Database } from '../db/database-schema.ts';
import { newId } from '../db/ids.ts';
import { toTimestamp } from '../db/time.ts';
import { accountPurgeJobKind } from './account-records.ts';
import { endAccountSessions } from './sessions.ts';
import { removalGraceMs } from './session-policy.ts';

export interface RemovalRequest {
  readonly accountId: string;
  readonly userId: string;
  /** The requester's session, which stays. */
  readonly sessionId: string;
  readonly reason: string | null;
  readonly now: Date;
}

/**
 * Starts the grace period, unless it runs already (then nothing changes). Answers whether it started.
 */
export async function startRemoval(trx: Transaction<Database>, request: RemovalRequest): Promise<boolean> {
  const at = toTimestamp(request.now);
  const purgeAt = toTimestamp(request.now.getTime() + removalGraceMs);
  const started = await trx
    .updateTable('accounts')
    .set({
      status: 'pending_removal',
      removal_requested_at: at,
      removal_requested_by: request.userId,
      removal_purge_at: purgeAt,
      removal_reason: request.reason,
      updated_at: at,
    })
    .where('id', '=', request.accountId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (started.numUpdatedRows !== 1n) return false;
  await trx
    .insertInto('jobs')
    .values({
      id: newId('job', request.now.getTime()),
      account_id: request.accountId,
      kind: accountPurgeJobKind,
      status: 'pending',
      payload: JSON.stringify({ accountId: request.accountId }),
      run_after: purgeAt,
      locked_by: null,
      locked_until: null,
      last_error: null,
      created_at: at,
      updated_at: at,
      finished_at: null,
    })
    .execute();
  await endAccountSessions(trx, request.accountId, request.sessionId);
  await trx
    .updateTable('oauth_tokens')
    .set({ revoked_at: at })
    .where('account_id', '=', request.accountId)
    .where('revoked_at', 'is', null)
    .execute();
  return true;
}

/**
 * Ends the grace period of an account that is still in it: active again, its purge job canceled.
 * Answers whether it did (false when no removal was pending, or the grace period is over).
 */
export async function reactivate(trx: Transaction<Database>, account: Account, now: Date): Promise<boolean> {
  const at = toTimestamp(now);
  const done = await trx
    .updateTable('accounts')
    .set({
      status: 'active',
      removal_requested_at: null,
      removal_requested_by: null,
      removal_purge_at: null,
      removal_reason: null,
      updated_at: at,
    })
    .where('id', '=', account.id)
    .where('status', '=', 'pending_removal')
    .where('removal_purge_at', '>', at)
    .executeTakeFirst();
  if (done.numUpdatedRows !== 1n) return false;
  await trx
    .updateTable('jobs')
    .set({ status: 'canceled', updated_at: at, finished_at: at })
    .where('account_id', '=', account.id)
    .where('kind', '=', accountPurgeJobKind)
    .where('status', '=', 'pending')
    .execute();
  return true;
}
