/**
 * The tokens of emailed links (`email_tokens`): sign-up confirmation, password reset and email change.
 * Invariants: only the SHA-256 of a token is stored; a new link of a purpose ends the user's earlier ones
 * of that purpose (they are marked used); a token is consumed at most once — the consuming `update` is
 * conditional on `used_at is null` and an unexpired `expires_at`, so two concurrent uses cannot both win.
 */
import type { Kysely, Transaction } from 'kysely';
import { hashToken, newToken } from '../auth/tokens.ts';
import type { Database } from '../db/database-schema.ts';
import { newId } from '../db/ids.ts';
import { toTimestamp } from '../db/time.ts';
import type { LinkPurpose } from './account-records.ts';

export interface IssuedLink {
  /** The secret for the email; never stored. */
  readonly token: string;
  readonly expiresAt: Date;
}

/** Issues a new link token for a user, ending the user's earlier links of the same purpose. */
export async function issueLink(
  db: Kysely<Database> | Transaction<Database>,
  link: {
    readonly accountId: string;
    readonly userId: string;
    readonly purpose: LinkPurpose;
    readonly now: Date;
    readonly lifetimeMs: number;
    /** For `change_email`: the address being confirmed. */
    readonly newEmail?: string;
  },
): Promise<IssuedLink> {
  const now = toTimestamp(link.now);
  await db
    .updateTable('email_tokens')
    .set({ used_at: now })
    .where('account_id', '=', link.accountId)
    .where('user_id', '=', link.userId)
    .where('purpose', '=', link.purpose)
    .where('used_at', 'is', null)
    .execute();
  const token = newToken();
  const expiresAt = new Date(link.now.getTime() + link.lifetimeMs);
  await db
    .insertInto('email_tokens')
    .values({
      id: newId('etk', link.now.getTime()),
      account_id: link.accountId,
      user_id: link.userId,
      purpose: link.purpose,
      token_hash: hashToken(token),
      new_email: link.newEmail ?? null,
      created_at: now,
      expires_at: toTimestamp(expiresAt),
      used_at: null,
    })
    .execute();
  return { token, expiresAt };
}

export interface ConsumedLink {
  readonly accountId: string;
  readonly userId: string;
  readonly newEmail: string | null;
}

/** The live link token of `purpose` (unused, unexpired), or undefined. */
function findLiveLink(db: Kysely<Database> | Transaction<Database>, purpose: LinkPurpose, token: string, at: string) {
  return db
    .selectFrom('email_tokens')
    .select(['id', 'account_id', 'user_id', 'new_email'])
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirst();
}

/**
 * Consumes a link token of `purpose`: marks it used and answers whose it was, or null when it is
 * unknown, of another purpose, used, replaced or expired (all the same to the caller: `410 LINK_INVALID`).
 * Run it in the transaction that acts on the link, so a failure after it leaves the link usable.
 */
export async function consumeLink(
  db: Kysely<Database> | Transaction<Database>,
  purpose: LinkPurpose,
  token: string,
  now: Date,
): Promise<ConsumedLink | null> {
  const at = toTimestamp(now);
  const row = await findLiveLink(db, purpose, token, at);
  if (row === undefined) return null;
  const result = await db
    .updateTable('email_tokens')
    .set({ used_at: at })
    .where('account_id', '=', row.account_id)
    .where('id', '=', row.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) return null;
  return { accountId: row.account_id, userId: row.user_id, newEmail: row.new_email };
}

/**
 * Whose a live link token of `purpose` is, without using it (IP restrictions look at the account before
 * the link is used: a refused link stays usable from a trusted address); null when it opens nothing.
 */
export async function peekLink(
  db: Kysely<Database> | Transaction<Database>,
  purpose: LinkPurpose,
  token: string,
  now: Date,
): Promise<{ readonly accountId: string; readonly userId: string } | null> {
  const row = await findLiveLink(db, purpose, token, toTimestamp(now));
  return row === undefined ? null : { accountId: row.account_id, userId: row.user_id };
}
