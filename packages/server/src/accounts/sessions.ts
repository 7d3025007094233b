/**
 * Browser sessions (`sessions`). The cookie holds a 256-bit random token; the table holds its SHA-256, so
 * a copy of the database opens no session. A session is valid until `expires_at` (12 hours after
 * sign-in) and while it was seen within the idle timeout (2 hours); `last_seen_at` is written at most
 * once a minute. Its CSRF token is derived from the token (`csrfTokenFor`), never stored.
 */
import type { Kysely, Transaction } from 'kysely';
import { csrfTokenFor, hashToken, newToken } from '../auth/tokens.ts';
import type { Database } from '../db/database-schema.ts';
import { newId } from '../db/ids.ts';
import { fromTimestamp, toApiTime, toTimestamp } from '../db/time.ts';
import { sessionIdleTimeoutMs, sessionLifetimeMs, sessionTouchIntervalMs } from './session-policy.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface SessionRow {
  readonly id: string;
  readonly accountId: string;
  readonly userId: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastSeenAt: string;
}

/** The contract's `Session`: the CSRF token and the times. */
export function sessionAnswer(token: string, session: Pick<SessionRow, 'createdAt' | 'expiresAt'>) {
  return {
    csrfToken: csrfTokenFor(token),
    createdAt: toApiTime(session.createdAt),
    expiresAt: toApiTime(session.expiresAt),
  };
}

/** Starts a session; answers its token (for the cookie) and row. */
export async function createSession(
  db: Db,
  accountId: string,
  userId: string,
  now: Date,
): Promise<{ token: string; session: SessionRow }> {
  const token = newToken();
  const session: SessionRow = {
    id: newId('ses', now.getTime()),
    accountId,
    userId,
    createdAt: toTimestamp(now),
    expiresAt: toTimestamp(now.getTime() + sessionLifetimeMs),
    lastSeenAt: toTimestamp(now),
  };
  await db
    .insertInto('sessions')
    .values({
      id: session.id,
      account_id: accountId,
      user_id: userId,
      token_hash: hashToken(token),
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      last_seen_at: session.lastSeenAt,
    })
    .execute();
  return { token, session };
}

/**
 * The live session of a token, or null when it is unknown, expired or idle too long (an ended session's
 * row is deleted when it is found).
 */
export async function findLiveSession(db: Db, token: string, now: Date): Promise<SessionRow | null> {
  const row = await db.selectFrom('sessions').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  if (row === undefined) return null;
  const at = now.getTime();
  const idleUntil = fromTimestamp(row.last_seen_at).getTime() + sessionIdleTimeoutMs;
  if (fromTimestamp(row.expires_at).getTime() <= at || idleUntil <= at) {
    await db.deleteFrom('sessions').where('account_id', '=', row.account_id).where('id', '=', row.id).execute();
    return null;
  }
  if (at - fromTimestamp(row.last_seen_at).getTime() >= sessionTouchIntervalMs) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: toTimestamp(now) })
      .where('account_id', '=', row.account_id)
      .where('id', '=', row.id)
      .execute();
  }
  return {
    id: row.id,
    accountId: row.account_id,
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at,
  };
}

/** Ends the session of a token, if any (sign-out; sign-in replacing a presented session). */
export async function endSessionByToken(db: Db, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

/** Ends every session of a user (password reset), but `keepSessionId` if given. */
export async function endUserSessions(
  db: Db,
  accountId: string,
  userId: string,
  keepSessionId?: string,
): Promise<void> {
  let query = db.deleteFrom('sessions').where('account_id', '=', accountId).where('user_id', '=', userId);
  if (keepSessionId !== undefined) query = query.where('id', '!=', keepSessionId);
  await query.execute();
}

/** Ends every session of an account but one (account removal keeps the requester's). */
export async function endAccountSessions(db: Db, accountId: string, keepSessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('account_id', '=', accountId).where('id', '!=', keepSessionId).execute();
}
