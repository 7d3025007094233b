/**
 * The guards of the browser sign-in (`signIn`, `completeSignIn`).
 *
 * `signIn` is throttled by the client address and by the email typed (its digest), known or not: an
 * attempt is taken on both before the password is checked (`brute-force-defence.ts`), so requests sent
 * at once check no more passwords than the limit. `INVALID_CREDENTIALS` keeps it as a failure on both; a
 * right password (`200`, or `SECOND_FACTOR_REQUIRED`) resets the email's count, never the address's (a
 * sprayer with one account of their own must not be able to wipe their address's record), and gives the
 * address's attempt back. The other refusals after a right password (`EMAIL_NOT_CONFIRMED`,
 * `ACCOUNT_PENDING_REMOVAL`, `IP_NOT_TRUSTED`) neither count nor reset: both attempts are given back.
 *
 * `completeSignIn` is throttled by the address and by the user of the challenge, so guessing codes
 * across many challenges is counted together: `SECOND_FACTOR_INVALID` keeps both attempts, an unknown
 * or spent challenge (`UNAUTHENTICATED`) the address's; a session (`200`) resets the user's and the
 * email's counts. The challenge's own cap (5 codes) is taken the same way, before the code is checked
 * (`accounts/two-factor.ts`).
 *
 * Audit: a wrong password or code for an existing user is `sign_in` failed in that user's account (an
 * unknown address has no account: nothing is recorded, it is only counted); a session is `sign_in`
 * succeeded (`details.secondFactor`), plus `recovery_code_used` when a recovery code did it, plus
 * `account_removal_cancelled` when the sign-in reactivated the account.
 *
 * The entries are written after the handler's own transaction (a wrapper cannot join it); when one
 * cannot be written the request fails, so a session is never handed out without its entry.
 *
 * Residual: the failure entry of an existing user is one insert more than an unknown address costs
 * (well under a millisecond, against tens of milliseconds of argon2 work that both get).
 */
import { findUser, findUserByEmail } from '../../../accounts/account-records.ts';
import { findChallenge, recoveryCodesLeft } from '../../../accounts/two-factor.ts';
import { userActor } from '../../../audit/audit-log.ts';
import type { HandlerResponse } from '../../../http/handlers/handler-types.ts';
import {
  auditFailedSignIn,
  auditRecoveryCodeUsed,
  auditRemovalCancelled,
  auditSignIn,
  type AuditContext,
  type Concerned,
  type SecondFactorUsed,
} from '../auth-audit.ts';
import type { BruteForceDefence } from '../brute-force-defence.ts';
import { deliver, problemCodeOf, settle, type Guards, type Outcome } from './outcome.ts';

/**
 * Which kind of code a completed sign-in used, read the way `accounts/two-factor.ts` reads it: six digits
 * (spaces and dashes aside) are an authenticator code, anything else that passed is a recovery code.
 */
export function secondFactorOf(typed: string): SecondFactorUsed {
  return /^[0-9]{6}$/.test(typed.replace(/[\s-]/g, '')) ? 'totp' : 'recovery_code';
}

/** A session that started: the one answer (`200`) both operations have besides their problems. */
type SignedIn = HandlerResponse<'signIn'> | HandlerResponse<'completeSignIn'>;

function signedIn(outcome: Outcome<SignedIn>): SignedIn | null {
  return outcome.ok ? outcome.answer : null;
}

/** The audit entries of a session that started. */
async function auditSession(audit: AuditContext, answer: SignedIn, factor: SecondFactorUsed): Promise<Concerned> {
  const { user, account, accountReactivated } = answer.body;
  const who: Concerned = { accountId: account.id, actor: userActor(user) };
  await auditSignIn(audit, who, factor);
  if (factor === 'recovery_code') {
    await auditRecoveryCodeUsed(audit, who, await recoveryCodesLeft(audit.db, { account_id: account.id, id: user.id }));
  }
  if (accountReactivated) await auditRemovalCancelled(audit, who);
  return who;
}

/** The guards of `signIn` and `completeSignIn`. */
export function signInGuards(defence: BruteForceDefence): Guards {
  const { db, keys } = defence;
  return {
    async signIn(request, handler) {
      const { ctx, body } = request;
      const now = defence.clock();
      const email = keys.email(body.email);
      const address = keys.address(ctx.state.clientIp);
      const attempt = await defence.take([address, email], now);
      const outcome = await settle(() => handler(request));
      const code = problemCodeOf(outcome);
      const session = signedIn(outcome);
      if (code === 'INVALID_CREDENTIALS') {
        const user = await findUserByEmail(db, body.email);
        const concerned = user === undefined ? null : { accountId: user.account_id, actor: userActor(user) };
        if (concerned !== null) await auditFailedSignIn(defence.auditContext(ctx, now), concerned, 'wrong_password');
        await defence.finish(ctx, attempt, { failed: [address, email], concerned });
      } else if (code === 'SECOND_FACTOR_REQUIRED') {
        await defence.finish(ctx, attempt, { reset: [email] });
      } else if (session !== null) {
        await defence.finish(ctx, attempt, { reset: [email, keys.user(session.body.user.id)] });
        await auditSession(defence.auditContext(ctx, now), session, 'none');
      } else {
        await defence.finish(ctx, attempt, {});
      }
      return deliver(outcome);
    },

    async completeSignIn(request, handler) {
      const { ctx, body } = request;
      const now = defence.clock();
      const address = keys.address(ctx.state.clientIp);
      const challenge = await findChallenge(db, body.challenge, now);
      const user = challenge === null ? null : keys.user(challenge.userId);
      const attempt = await defence.take(user === null ? [address] : [address, user], now);
      const outcome = await settle(() => handler(request));
      const code = problemCodeOf(outcome);
      const session = signedIn(outcome);
      if (code === 'SECOND_FACTOR_INVALID' && challenge !== null && user !== null) {
        const found = await findUser(db, challenge.accountId, challenge.userId);
        const concerned = found === undefined ? null : { accountId: found.account_id, actor: userActor(found) };
        if (concerned !== null) {
          await auditFailedSignIn(defence.auditContext(ctx, now), concerned, 'wrong_second_factor');
        }
        await defence.finish(ctx, attempt, { failed: [address, user], concerned });
      } else if (code === 'SECOND_FACTOR_INVALID' || code === 'UNAUTHENTICATED') {
        await defence.finish(ctx, attempt, { failed: [address] });
      } else if (session !== null) {
        await defence.finish(ctx, attempt, {
          reset: [keys.user(session.body.user.id), keys.email(session.body.user.email)],
        });
        await auditSession(defence.auditContext(ctx, now), session, secondFactorOf(body.code));
      } else {
        await defence.finish(ctx, attempt, {});
      }
      return deliver(outcome);
    },
  };
}
