/**
 * `Idempotency-Key` on POSTs that start work (openapi/README.md "Idempotency"; `inviteUser` now): the
 * first answer per account, operation and key is kept 24 hours and replayed to a retry with the same
 * body; the same key with another body is `422 IDEMPOTENCY_KEY_REUSED`; a retry while the first request
 * still runs is `409 IDEMPOTENCY_KEY_IN_USE`.
 *
 * The order of writes, which makes a lost answer safe to retry:
 * 1. {@link claimIdempotencyKey} inserts the key `in_progress` in its own transaction (the primary key
 *    `(account_id, operation_id, idempotency_key)` lets one request win), or finds the earlier record.
 * 2. The operation does its work and, in the SAME transaction, {@link completeIdempotencyKey} stores the
 *    answer: the work and its record commit together or not at all.
 * 3. When the work fails, {@link releaseIdempotencyKey} deletes the claim, so a corrected retry may reuse
 *    the key (failed requests changed nothing).
 *
 * A claim left `in_progress` longer than {@link abandonedAfterMs} (the process died between 1 and 2) is
 * taken over by the next retry. The request is identified by the SHA-256 of its canonical JSON body.
 * Expired answers of an account are deleted whenever it claims a key.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database-schema.ts';
import { toTimestamp } from '../db/time.ts';
import { HttpProblem } from '../http/problem.ts';

type Queryable = Kysely<Database> | Transaction<Database>;

/** How long a completed answer is replayed. */
export const idempotencyRetentionMs = 24 * 60 * 60 * 1000;
/** After this long a claim without an answer counts as abandoned. */
export const abandonedAfterMs = 60 * 1000;

/** Where a claim lives. */
export interface IdempotencyScope {
  readonly accountId: string;
  readonly operationId: string;
  readonly key: string;
}

/** An answer to replay. */
export interface StoredAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** The outcome of a claim: go ahead (the key is ours now), or replay the first answer. */
export type Claim =
  | { readonly kind: 'claimed'; readonly requestHash: string }
  | { readonly kind: 'replay'; readonly answer: StoredAnswer };

/** A canonical digest of a request body (object keys sorted, so key order does not matter). */
export function requestHash(body: unknown): string {
  const canonical = JSON.stringify(body ?? null, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Claims the key for this request, or answers the stored answer to replay; throws `422` for another body
 * and `409` while the first request runs.
 */
export async function claimIdempotencyKey(
  db: Kysely<Database>,
  scope: IdempotencyScope,
  body: unknown,
  now: Date,
): Promise<Claim> {
  const hash = requestHash(body);
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('account_id', '=', scope.accountId)
      .where('operation_id', '=', scope.operationId)
      .where('idempotency_key', '=', scope.key)
      .executeTakeFirst();
    const at = toTimestamp(now);
    const abandoned =
      existing?.status === 'in_progress' && Date.parse(existing.created_at) + abandonedAfterMs <= now.getTime();
    if (existing !== undefined && existing.expires_at > at && !abandoned) {
      if (existing.request_hash !== hash) {
        throw new HttpProblem(
          422,
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was used with a different request. Use a new key.',
          { errors: [{ path: '/header/idempotency-key', message: 'was used with a different request' }] },
        );
      }
      if (existing.status !== 'completed' || existing.response_status === null) {
        throw new HttpProblem(409, 'IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still running.');
      }
      return {
        kind: 'replay',
        answer: {
          status: existing.response_status,
          headers: JSON.parse(existing.response_headers ?? '{}') as Record<string, string>,
          body: existing.response_body === null ? undefined : (JSON.parse(existing.response_body) as unknown),
        },
      };
    }
    if (existing !== undefined) {
      await trx
        .deleteFrom('idempotency_keys')
        .where('account_id', '=', scope.accountId)
        .where('operation_id', '=', scope.operationId)
        .where('idempotency_key', '=', scope.key)
        .execute();
    }
    // Answers older than the retention go as the account makes new ones.
    await trx
      .deleteFrom('idempotency_keys')
      .where('account_id', '=', scope.accountId)
      .where('expires_at', '<=', at)
      .execute();
    await trx
      .insertInto('idempotency_keys')
      .values({
        account_id: scope.accountId,
        operation_id: scope.operationId,
        idempotency_key: scope.key,
        request_hash: hash,
        status: 'in_progress',
        response_status: null,
        response_headers: null,
        response_body: null,
        created_at: at,
        expires_at: toTimestamp(now.getTime() + idempotencyRetentionMs),
      })
      .execute();
    return { kind: 'claimed', requestHash: hash };
  });
}

/** Stores the answer of a claimed key; run it in the transaction that does the work. */
export async function completeIdempotencyKey(
  db: Queryable,
  scope: IdempotencyScope,
  answer: StoredAnswer,
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({
      status: 'completed',
      response_status: answer.status,
      response_headers: JSON.stringify(answer.headers),
      response_body: answer.body === undefined ? null : JSON.stringify(answer.body),
    })
    .where('account_id', '=', scope.accountId)
    .where('operation_id', '=', scope.operationId)
    .where('idempotency_key', '=', scope.key)
    .execute();
}

/** Gives a claimed key back after the work failed (nothing was done, so a retry may use it). */
export async function releaseIdempotencyKey(db: Queryable, scope: IdempotencyScope): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('account_id', '=', scope.accountId)
    .where('operation_id', '=', scope.operationId)
    .where('idempotency_key', '=', scope.key)
    .where('status', '=', 'in_progress')
    .execute();
}
