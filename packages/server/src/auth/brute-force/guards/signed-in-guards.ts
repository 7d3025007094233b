/**
 * The guards of what a signed-in person proves again: a current authenticator code (`enableTwoFactor`,
 * `regenerateRecoveryCodes`), the password and a code (`disableTwoFactor`), the current password
 * (`changePassword`). Someone holding a stolen session must not get unlimited guesses at the password or
 * the codes, so each wrong one (`INVALID_CREDENTIALS`, `SECOND_FACTOR_INVALID`) counts on the user's key,
 * the same key as codes at sign-in: guesses here and there add up.
 *
 * The attempt is taken before the handler checks anything (`brute-force-defence.ts`), so one session
 * sending hundreds of guesses at once gets no more checked than the limit; the rest answer `429`.
 *
 * Successes here reset nothing: they prove one secret (a code of a new enrolment, say) while the count
 * may be of another; only a complete sign-in, which proves everything, resets the user's key. They count
 * nothing either: a success, like every other outcome that is no wrong secret (a conflict, a refused new
 * password), gives its attempt back. A lockout is audited in the user's own account.
 */
import { actorOfPrincipal } from '../../../audit/audit-log.ts';
import type { HandlerRequest, OperationHandler } from '../../../http/handlers/handler-types.ts';
import type { BruteForceDefence } from '../brute-force-defence.ts';
import { deliver, problemCodeOf, settle, type Guards } from './outcome.ts';

type SignedInOperation = 'enableTwoFactor' | 'disableTwoFactor' | 'regenerateRecoveryCodes' | 'changePassword';

const wrongSecret: ReadonlySet<string | null> = new Set(['INVALID_CREDENTIALS', 'SECOND_FACTOR_INVALID']);

function signedInGuard<Id extends SignedInOperation>(defence: BruteForceDefence) {
  return async (request: HandlerRequest<Id>, handler: OperationHandler<Id>) => {
    const { principal, ctx } = request;
    if (principal?.userId == null) return handler(request);
    const now = defence.clock();
    const counted = [defence.keys.user(principal.userId)];
    const attempt = await defence.take(counted, now);
    const outcome = await settle(() => handler(request));
    if (wrongSecret.has(problemCodeOf(outcome))) {
      const actor = await actorOfPrincipal(defence.db, principal);
      await defence.finish(ctx, attempt, { failed: counted, concerned: { accountId: principal.accountId, actor } });
    } else {
      await defence.finish(ctx, attempt, {});
    }
    return deliver(outcome);
  };
}

/** The guards of the signed-in operations that check a password or a code. */
export function signedInGuards(defence: BruteForceDefence): Guards {
  return {
    enableTwoFactor: signedInGuard<'enableTwoFactor'>(defence),
    disableTwoFactor: signedInGuard<'disableTwoFactor'>(defence),
    regenerateRecoveryCodes: signedInGuard<'regenerateRecoveryCodes'>(defence),
    changePassword: signedInGuard<'changePassword'>(defence),
  };
}
