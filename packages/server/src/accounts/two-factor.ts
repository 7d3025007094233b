/**
 * Two-factor records (S3): the TOTP secret of a user (sealed with the master key, bound to the user id),
 * its recovery codes, and the sign-in challenges that sit between a right password and the code.
 *
 * Invariants: a TOTP code is accepted at most once — the step it belongs to is written with a conditional
 * update (`totp_last_step` null or older), so two requests racing with the same code cannot both win; a
 * recovery code is accepted at most once (its row's `used_at` is set the same way); a challenge is a
 * 256-bit token stored as its SHA-256, lives {@link challengeLifetimeMs}, has
 * {@link challengeMaxAttempts} codes checked at most and starts one session at most: an attempt is taken
 * with a conditional update before each code is checked ({@link takeChallengeAttempt}), never counted
 * after it, so requests racing on one challenge cannot check more. Recovery codes have 50 bits of
 * entropy, so they are stored as HMAC-SHA-256 under a key derived from the master key: a copy of the
 * database alone cannot test guesses against them.
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { secretBox, type SecretBox } from '../auth/secret-box.ts';
import { hashToken, newToken } from '../auth/tokens.ts';
import { verifyTotp } from '../auth/totp.ts';
import type { Database, User } from '../db/database-schema.ts';
import { newId } from '../db/ids.ts';
import { fromTimestamp, toTimestamp } from '../db/time.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** How long a sign-in challenge lasts. */
export const challengeLifetimeMs = 5 * 60_000;
/** Codes a challenge has checked at most (taken before each check); then it is spent. */
export const challengeMaxAttempts = 5;
/** Recovery codes issued when two-factor authentication is turned on. */
export const recoveryCodeCount = 10;

/** Sealing of TOTP secrets and keyed hashing of recovery codes, from the master key. */
export interface TwoFactorKeys {
  readonly box: SecretBox;
  hashRecoveryCode(code: string): string;
}

export function twoFactorKeys(masterKey: Buffer): TwoFactorKeys {
  const recoveryKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'holdfast recovery codes v1', 32));
  return {
    box: secretBox(masterKey, 'totp'),
    hashRecoveryCode: (code) => createHmac('sha256', recoveryKey).update(code).digest('base64url'),
  };
}

const recoveryAlphabet = 'abcdefghijklmnopqrstuvwxyz234567';

/** New recovery codes, `xxxxx-xxxxx` (50 random bits each). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: recoveryCodeCount }, () => {
    const chars = [...randomBytes(10)].map((byte) => recoveryAlphabet[byte & 31]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** A typed code without spaces and dashes, lower case. */
function normaliseCode(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase();
}

/** Stores fresh recovery codes for the user (replacing any) and answers them in clear, once. */
export async function replaceRecoveryCodes(db: Db, keys: TwoFactorKeys, user: User, now: Date): Promise<string[]> {
  const codes = newRecoveryCodes();
  await db
    .deleteFrom('recovery_codes')
    .where('account_id', '=', user.account_id)
    .where('user_id', '=', user.id)
    .execute();
  await db
    .insertInto('recovery_codes')
    .values(
      codes.map((code) => ({
        id: newId('rcc', now.getTime()),
        account_id: user.account_id,
        user_id: user.id,
        code_hash: keys.hashRecoveryCode(normaliseCode(code)),
        created_at: toTimestamp(now),
        used_at: null,
      })),
    )
    .execute();
  return codes;
}

/** Recovery codes not used yet. */
export async function recoveryCodesLeft(db: Db, user: Pick<User, 'account_id' | 'id'>): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('account_id', '=', user.account_id)
    .where('user_id', '=', user.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** Whether a TOTP code is right for the sealed secret and still unused; records its step when it is. */
async function useTotp(db: Db, keys: TwoFactorKeys, user: User, sealed: string, code: string, now: Date) {
  const secret = keys.box.open(sealed, user.id);
  const step = verifyTotp(secret, code, now, user.totp_last_step);
  secret.fill(0);
  if (step === null) return false;
  const result = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('account_id', '=', user.account_id)
    .where('id', '=', user.id)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * Checks a second factor of a user with two-factor authentication on: a 6-digit TOTP code (not replayed)
 * or an unused recovery code (which is then used up). Answers which kind passed, or null.
 */
export async function useSecondFactor(
  db: Db,
  keys: TwoFactorKeys,
  user: User,
  code: string,
  now: Date,
): Promise<'totp' | 'recovery' | null> {
  if (user.totp_secret === null) return null;
  const typed = normaliseCode(code);
  if (/^[0-9]{6}$/.test(typed)) return (await useTotp(db, keys, user, user.totp_secret, typed, now)) ? 'totp' : null;
  if (!/^[a-z2-7]{10}$/.test(typed)) return null;
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: toTimestamp(now) })
    .where('account_id', '=', user.account_id)
    .where('user_id', '=', user.id)
    .where('code_hash', '=', keys.hashRecoveryCode(typed))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows >= 1n ? 'recovery' : null;
}

/**
 * Checks a 6-digit code from the authenticator app against the enabled secret — a TOTP code only, never
 * a recovery code (to make new recovery codes, a recovery code is not proof enough) — and records its
 * step, so the same code is refused next time.
 */
export async function useCurrentTotp(db: Db, keys: TwoFactorKeys, user: User, code: string, now: Date) {
  if (user.totp_secret === null) return false;
  const typed = normaliseCode(code);
  if (!/^[0-9]{6}$/.test(typed)) return false;
  return useTotp(db, keys, user, user.totp_secret, typed, now);
}

/**
 * Turns two-factor authentication of a user off: the secret, a pending enrolment, the replay step and
 * every recovery code go. Answers false (changing nothing) when it was off already, so of two racing
 * requests one wins. Sessions are the caller's business (a reset ends them, a disable keeps them).
 */
export async function turnOffTwoFactor(db: Db, user: Pick<User, 'account_id' | 'id'>, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({
      totp_secret: null,
      totp_pending_secret: null,
      totp_enabled_at: null,
      totp_last_step: null,
      updated_at: toTimestamp(now),
    })
    .where('account_id', '=', user.account_id)
    .where('id', '=', user.id)
    .where('totp_secret', 'is not', null)
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) return false;
  await db
    .deleteFrom('recovery_codes')
    .where('account_id', '=', user.account_id)
    .where('user_id', '=', user.id)
    .execute();
  return true;
}

/** Checks a code against the pending (not yet enabled) secret; records its step when right. */
export async function usePendingTotp(db: Db, keys: TwoFactorKeys, user: User, code: string, now: Date) {
  if (user.totp_pending_secret === null) return false;
  return useTotp(db, keys, user, user.totp_pending_secret, code, now);
}

/** Starts a sign-in challenge for a user whose password was right. */
export async function createChallenge(
  db: Db,
  user: Pick<User, 'account_id' | 'id'>,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  const expiresAt = new Date(now.getTime() + challengeLifetimeMs);
  await db
    .insertInto('sign_in_challenges')
    .values({
      id: newId('sic', now.getTime()),
      account_id: user.account_id,
      user_id: user.id,
      token_hash: hashToken(token),
      created_at: toTimestamp(now),
      expires_at: toTimestamp(expiresAt),
      used_at: null,
    })
    .execute();
  return { token, expiresAt };
}

export interface LiveChallenge {
  readonly id: string;
  readonly accountId: string;
  readonly userId: string;
}

/** The challenge of a token while it is unused, unexpired and has attempts left; else null. */
export async function findChallenge(db: Db, token: string, now: Date): Promise<LiveChallenge | null> {
  const row = await db
    .selectFrom('sign_in_challenges')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (row?.used_at !== null || row.attempts >= challengeMaxAttempts) return null;
  if (fromTimestamp(row.expires_at).getTime() <= now.getTime()) return null;
  return { id: row.id, accountId: row.account_id, userId: row.user_id };
}

/**
 * Takes one attempt of the challenge before a code is checked: one conditional update, so of any number
 * of racing requests at most {@link challengeMaxAttempts} ever get one. False when the challenge is
 * spent (attempts used up, completed, or expired at `now`): no code may be checked then.
 */
export async function takeChallengeAttempt(db: Db, challenge: LiveChallenge, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('sign_in_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', challenge.id)
    .where('attempts', '<', challengeMaxAttempts)
    .where('used_at', 'is', null)
    .where('expires_at', '>', toTimestamp(now))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Uses the challenge up; false when another request did first. */
export async function consumeChallenge(db: Db, challenge: LiveChallenge, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('sign_in_challenges')
    .set({ used_at: toTimestamp(now) })
    .where('id', '=', challenge.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
