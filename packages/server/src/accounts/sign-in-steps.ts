/**
 * What a signed-in person must do before anything else, under the account's policy (S3, S4): change an
 * expired password, then enrol two-factor authentication when the account requires it. Worked out on
 * every request from the user and account rows (not stored on the session), so the session is freed the
 * moment the step is done, and a policy switched on applies to sessions already open.
 */
import type { components } from '@holdfast/sdk';
import type { Account, User } from '../db/database-schema.ts';
import { fromTimestamp } from '../db/time.ts';
import { HttpProblem } from '../http/problem.ts';

export type SignInStep = components['schemas']['SignInStep'];

const day = 24 * 3_600_000;

/** Whether the user's password is older than the account allows. */
export function passwordExpired(account: Account, user: User, now: Date): boolean {
  if (account.password_max_age_days === null || user.password_hash === null) return false;
  const changedAt = fromTimestamp(user.password_changed_at ?? user.created_at).getTime();
  return now.getTime() - changedAt >= account.password_max_age_days * day;
}

/** The step the user's sessions are held at, or null. */
export function pendingStep(account: Account, user: User, now: Date): SignInStep {
  if (passwordExpired(account, user, now)) return 'change_password';
  if (account.require_two_factor === 1 && user.totp_secret === null) return 'enrol_second_factor';
  return null;
}

const always = ['getMe', 'getSession', 'signOut'];
const allowed: Readonly<Record<NonNullable<SignInStep>, ReadonlySet<string>>> = {
  change_password: new Set([...always, 'changePassword']),
  enrol_second_factor: new Set([...always, 'getTwoFactor', 'startTwoFactorEnrolment', 'enableTwoFactor']),
};

/** Throws the problem that holds a session at `step` when it calls another operation. */
export function holdAtStep(step: SignInStep, operationId: string | undefined): void {
  if (step === null || (operationId !== undefined && allowed[step].has(operationId))) return;
  if (step === 'change_password') {
    throw new HttpProblem(403, 'PASSWORD_EXPIRED', 'Your password expired: change it (changePassword) first.');
  }
  throw new HttpProblem(
    403,
    'SECOND_FACTOR_ENROLMENT_REQUIRED',
    'This account requires two-factor authentication: enrol an authenticator app first.',
  );
}
