/**
 * Browser sessions (S1, S3): `signIn`, `completeSignIn`, `signOut`, `getSession`.
 *
 * Sign-in never tells an unknown address from a wrong password: both answer the same
 * `401 INVALID_CREDENTIALS` after the same argon2id work (an unknown address is verified against a dummy
 * hash). What depends on the account (`EMAIL_NOT_CONFIRMED`, `ACCOUNT_PENDING_REMOVAL`) is said only
 * after a correct password. An account past its removal grace period is as good as gone: invalid
 * credentials. The primary user signing in during the grace period reactivates the account.
 *
 * A session id presented at sign-in is ended and replaced (no session fixation). A user with two-factor
 * authentication on ({@link secondFactorRequired}) gets `401 SECOND_FACTOR_REQUIRED` with a challenge
 * instead of a session; `completeSignIn` trades the challenge and a code (or recovery code) for the
 * session. The answer's `nextStep` says when the session is held at a step (`sign-in-steps.ts`).
 */
import type { Account, User } from '../db/database-schema.ts';
import { toApiTime, toTimestamp } from '../db/time.ts';
import { accountRemovalCancelledEmail } from '../email/templates.ts';
import type { HandlerRegistry } from '../http/handlers/handler-types.ts';
import { HttpProblem } from '../http/problem.ts';
import { requireTrustedSignIn } from '../ip-restrictions/ip-gate.ts';
import {
  findAccount,
  findUser,
  findUserByEmail,
  isDiscardedSignUp,
  isPastGrace,
  isUnconfirmedSignUp,
  toAccountSummary,
  toApiUser,
} from './account-records.ts';
import { reactivate } from './account-removal.ts';
import type { AccountsContext } from './accounts-context.ts';
import { sessionOfRequest } from './session-principal.ts';
import { clearedSessionCookie, sessionCookie, sessionTokenFrom } from './session-policy.ts';
import { createSession, endSessionByToken, sessionAnswer } from './sessions.ts';
import { pendingStep } from './sign-in-steps.ts';
import {
  consumeChallenge,
  createChallenge,
  findChallenge,
  takeChallengeAttempt,
  twoFactorKeys,
  useSecondFactor,
} from './two-factor.ts';

const invalidCredentials = (): HttpProblem =>
  new HttpProblem(401, 'INVALID_CREDENTIALS', 'The email address or the password is wrong.');

/** Whether this user must complete a second factor before a session starts (two-factor is on). */
export function secondFactorRequired(user: User): boolean {
  return user.totp_secret !== null;
}

function noSession(): HttpProblem {
  return new HttpProblem(401, 'UNAUTHENTICATED', 'This needs a browser session; sign in.');
}

export function sessionHandlers({ services, passwords, mail }: AccountsContext): HandlerRegistry {
  const { database, clock, config } = services;
  const db = database.db;

  const keys = twoFactorKeys(services.masterKey);

  /** Starts the session of a user who proved who they are: the cookie, the answer, reactivation. */
  async function startSession(
    ctx: { get(name: string): string },
    user: User,
    account: Account,
    now: Date,
    rehash: string | null,
  ) {
    const isPrimary = user.is_primary === 1;
    const presented = sessionTokenFrom(ctx.get('cookie') || undefined);
    const result = await db.transaction().execute(async (trx) => {
      if (presented !== null) await endSessionByToken(trx, presented);
      const reactivated = account.status === 'pending_removal' && isPrimary && (await reactivate(trx, account, now));
      await trx
        .updateTable('users')
        .set({
          last_sign_in_at: toTimestamp(now),
          updated_at: toTimestamp(now),
          ...(rehash === null ? {} : { password_hash: rehash }),
        })
        .where('account_id', '=', user.account_id)
        .where('id', '=', user.id)
        .execute();
      const started = await createSession(trx, user.account_id, user.id, now);
      const [fresh, freshAccount] = await Promise.all([
        findUser(trx, user.account_id, user.id),
        findAccount(trx, user.account_id),
      ]);
      return { ...started, reactivated, user: fresh ?? user, account: freshAccount ?? account };
    });

    if (result.reactivated) {
      await mail.send({
        to: result.user.email,
        ...accountRemovalCancelledEmail({
          publicUrl: config.publicUrl,
          name: result.user.name,
          accountName: result.account.name,
          bySignIn: true,
        }),
      });
    }
    return {
      status: 200 as const,
      headers: { 'Set-Cookie': sessionCookie(result.token), 'Cache-Control': 'no-store' },
      body: {
        user: toApiUser(result.user),
        account: toAccountSummary(result.account),
        session: sessionAnswer(result.token, result.session),
        accountReactivated: result.reactivated,
        nextStep: pendingStep(result.account, result.user, now),
      },
    };
  }

  return {
    async signIn({ body, ctx }) {
      const now = clock();
      const found = await findUserByEmail(db, body.email);
      const usable = found?.status === 'active' && !isDiscardedSignUp(found, now);
      const storedHash = usable ? found.password_hash : null;
      const passwordOk =
        storedHash === null
          ? await passwords.verifyNobody(body.password)
          : await passwords.verify(body.password, storedHash);
      if (found === undefined || storedHash === null || !passwordOk) throw invalidCredentials();
      const user = found;
      const account = await findAccount(db, user.account_id);
      if (account === undefined || isPastGrace(account, now)) throw invalidCredentials();
      if (isUnconfirmedSignUp(user)) {
        throw new HttpProblem(
          403,
          'EMAIL_NOT_CONFIRMED',
          'Confirm your email address with the link we sent, or ask for a new one.',
        );
      }
      const isPrimary = user.is_primary === 1;
      if (account.status === 'pending_removal' && !isPrimary) {
        throw new HttpProblem(
          403,
          'ACCOUNT_PENDING_REMOVAL',
          'This account is being removed; only its primary user can sign in (which cancels the removal).',
        );
      }
      await requireTrustedSignIn(services, ctx.state.clientIp, account, user, 'signIn');
      if (secondFactorRequired(user)) {
        const challenge = await createChallenge(db, user, now);
        throw new HttpProblem(
          401,
          'SECOND_FACTOR_REQUIRED',
          'Enter a code from your authenticator app, or a recovery code.',
          {
            extensions: { challenge: challenge.token, challengeExpiresAt: toApiTime(toTimestamp(challenge.expiresAt)) },
          },
        );
      }
      const rehash = passwords.needsRehash(storedHash) ? await passwords.hash(body.password) : null;
      return startSession(ctx, user, account, now, rehash);
    },

    async completeSignIn({ body, ctx }) {
      const now = clock();
      const challenge = await findChallenge(db, body.challenge, now);
      if (challenge === null) {
        throw new HttpProblem(401, 'UNAUTHENTICATED', 'This sign-in expired or was already completed; sign in again.');
      }
      const [user, account] = await Promise.all([
        findUser(db, challenge.accountId, challenge.userId),
        findAccount(db, challenge.accountId),
      ]);
      if (user === undefined || account === undefined || user.status !== 'active' || isPastGrace(account, now)) {
        throw new HttpProblem(401, 'UNAUTHENTICATED', 'This sign-in expired or was already completed; sign in again.');
      }
      await requireTrustedSignIn(services, ctx.state.clientIp, account, user, 'completeSignIn');
      // The attempt is taken before the code is checked, so racing requests check no more codes than the cap.
      if (!(await takeChallengeAttempt(db, challenge, now))) {
        throw new HttpProblem(401, 'UNAUTHENTICATED', 'This sign-in expired or was already completed; sign in again.');
      }
      const passed = await useSecondFactor(db, keys, user, body.code, now);
      if (passed === null) {
        throw new HttpProblem(401, 'SECOND_FACTOR_INVALID', 'The code is wrong, expired or already used.');
      }
      if (!(await consumeChallenge(db, challenge, now))) {
        throw new HttpProblem(401, 'UNAUTHENTICATED', 'This sign-in expired or was already completed; sign in again.');
      }
      if (account.status === 'pending_removal' && user.is_primary !== 1) {
        throw new HttpProblem(
          403,
          'ACCOUNT_PENDING_REMOVAL',
          'This account is being removed; only its primary user can sign in (which cancels the removal).',
        );
      }
      return startSession(ctx, user, account, now, null);
    },

    async signOut({ ctx }) {
      const current = sessionOfRequest(ctx);
      if (current === undefined) throw noSession();
      await endSessionByToken(db, current.token);
      return { status: 204, headers: { 'Set-Cookie': clearedSessionCookie() } };
    },

    getSession({ ctx }) {
      const current = sessionOfRequest(ctx);
      if (current === undefined) return Promise.reject(noSession());
      return Promise.resolve({
        status: 200,
        headers: { 'Cache-Control': 'no-store' },
        body: sessionAnswer(current.token, current.session),
      });
    },
  };
}
