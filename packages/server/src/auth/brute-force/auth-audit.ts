/**
 * The audit entries of authentication outcomes (S7), written by the brute-force wrapper after the
 * handler answered: sign-ins that succeeded or failed, lockouts, recovery codes used, removals cancelled
 * by a sign-in, wrong API key secrets. Each goes to the account of the user or key concerned; a failure
 * for an address nobody has concerns no account, so it is recorded nowhere (only counted).
 *
 * What never goes in: the email digest, the password, the code, the secret. The address typed is only
 * recorded as the actor's name when it is the user's own address.
 */
import type { Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../../audit/audit-log.ts';
import type { Database } from '../../db/database-schema.ts';
import { toApiTime, toTimestamp } from '../../db/time.ts';
import type { ThrottleKind } from './brute-force-policy.ts';
import type { StartedLockout } from './throttle-store.ts';

/** Who an outcome concerns: an account and the actor recorded in it. */
export interface Concerned {
  readonly accountId: string;
  readonly actor: AuditActor;
}

/** How a sign-in proved the second factor. */
export type SecondFactorUsed = 'none' | 'totp' | 'recovery_code';

/** What the entries of one request share. */
export interface AuditContext {
  readonly db: Kysely<Database>;
  readonly sourceIp: string;
  readonly now: Date;
}

const lockedWhat: Readonly<Record<ThrottleKind, string>> = {
  address: 'Sign-ins from this client address',
  email: 'Sign-ins with this email address',
  user: "This user's second-factor codes and password checks",
  apiKey: "This API key's token requests",
};

/** A sign-in that started a session. */
export async function auditSignIn(audit: AuditContext, who: Concerned, secondFactor: SecondFactorUsed): Promise<void> {
  const how = { none: 'with a password', totp: 'with an authenticator code', recovery_code: 'with a recovery code' };
  await recordAudit(
    audit.db,
    {
      accountId: who.accountId,
      activity: 'sign_in',
      status: 'succeeded',
      actor: who.actor,
      sourceIp: audit.sourceIp,
      description: `Signed in ${how[secondFactor]}.`,
      details: { secondFactor },
    },
    audit.now,
  );
}

/** A wrong password or second-factor code for an existing user. */
export async function auditFailedSignIn(
  audit: AuditContext,
  who: Concerned,
  reason: 'wrong_password' | 'wrong_second_factor',
): Promise<void> {
  await recordAudit(
    audit.db,
    {
      accountId: who.accountId,
      activity: 'sign_in',
      status: 'failed',
      actor: who.actor,
      sourceIp: audit.sourceIp,
      description: reason === 'wrong_password' ? 'Sign-in failed: wrong password.' : 'Sign-in failed: wrong code.',
      details: { reason },
    },
    audit.now,
  );
}

/** A lockout that started, in the account concerned. */
export async function auditLockout(
  audit: AuditContext,
  who: Concerned,
  kind: ThrottleKind,
  lockout: StartedLockout,
  operationId: string,
): Promise<void> {
  const until = toApiTime(toTimestamp(lockout.until));
  await recordAudit(
    audit.db,
    {
      accountId: who.accountId,
      activity: 'lockout',
      status: 'succeeded',
      actor: who.actor,
      sourceIp: audit.sourceIp,
      description: `${lockedWhat[kind]} are locked until ${until} after ${lockout.failures} failed attempts.`,
      details: { key: kind, lockedUntil: until, failures: lockout.failures, lockoutInRow: lockout.number, operationId },
    },
    audit.now,
  );
}

/** A sign-in completed with a recovery code (which is now used up). */
export async function auditRecoveryCodeUsed(audit: AuditContext, who: Concerned, codesLeft: number): Promise<void> {
  await recordAudit(
    audit.db,
    {
      accountId: who.accountId,
      activity: 'recovery_code_used',
      status: 'succeeded',
      actor: who.actor,
      sourceIp: audit.sourceIp,
      description: `Used a recovery code to sign in; ${codesLeft} left.`,
      details: { recoveryCodesLeft: codesLeft },
    },
    audit.now,
  );
}

/** The primary user's sign-in cancelled the account's removal. */
export async function auditRemovalCancelled(audit: AuditContext, who: Concerned): Promise<void> {
  await recordAudit(
    audit.db,
    {
      accountId: who.accountId,
      activity: 'account_removal_cancelled',
      status: 'succeeded',
      actor: who.actor,
      sourceIp: audit.sourceIp,
      description: 'The primary user signed in during the grace period, which cancelled the removal.',
      details: { bySignIn: true },
    },
    audit.now,
  );
}

/** A token request with an existing key's id and a wrong secret. */
export async function auditWrongKeySecret(audit: AuditContext, who: Concerned, operationId: string): Promise<void> {
  await recordAudit(
    audit.db,
    {
      accountId: who.accountId,
      activity: 'api_key_authentication_failed',
      status: 'failed',
      actor: who.actor,
      sourceIp: audit.sourceIp,
      description: `Wrong client secret for the API key ${who.actor.name ?? who.actor.id ?? ''}.`,
      details: { reason: 'wrong_secret', operationId },
    },
    audit.now,
  );
}
