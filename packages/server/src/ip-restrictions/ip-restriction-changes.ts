/**
 * How every change of an account's IP restrictions runs: in one transaction holding the account's row
 * lock (`lockAccountRules`), with its audit entry written in that transaction, and its email to the
 * Administrators sent after the commit (`ip-restriction-notices.ts`). A refused change (lockout, limit,
 * duplicate) throws inside the transaction, so nothing of it is written.
 *
 * The lockout rule: while restrictions are on, no change may leave the caller's own address untrusted
 * (`422 IP_RESTRICTION_LOCKOUT`), whoever the caller is (an API key's address counts like a person's);
 * switching on needs a rule that trusts the caller already.
 */
import type { Transaction } from 'kysely';
import { actorOfPrincipal, type AuditActor } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/database-schema.ts';
import { HttpProblem } from '../http/problem.ts';
import type { ServerServices } from '../http/server-services.ts';
import {
  callerAddressNumber,
  isRangeProblem,
  parseRange,
  rangesTrust,
  type ParsedRange,
  type StoredRange,
} from './ip-ranges.ts';
import type { IpRestrictionChange } from './ip-restriction-emails.ts';
import { notifyAdministrators } from './ip-restriction-notices.ts';
import { lockAccountRules, type RestrictedAccount } from './ip-rules-store.ts';

/** What a change's work is given inside the transaction. */
export interface ChangeScope {
  readonly trx: Transaction<Database>;
  readonly account: RestrictedAccount;
  readonly actor: AuditActor;
  /** The caller's address (`ctx.state.clientIp`). */
  readonly address: string;
  readonly now: Date;
}

/** What a change's work answers: its result, and what to email (nothing when nothing changed). */
export interface ChangeOutcome<T> {
  readonly result: T;
  readonly notice: IpRestrictionChange | null;
}

/**
 * Runs `work` in a transaction holding the account's lock, then emails its notice to the account's
 * Administrators (after the commit; failures are logged, not thrown).
 */
export async function runIpRestrictionChange<T>(
  services: ServerServices,
  principal: Principal,
  address: string,
  work: (scope: ChangeScope) => Promise<ChangeOutcome<T>>,
): Promise<T> {
  const now = services.clock();
  const { outcome, account, actor } = await services.database.db.transaction().execute(async (trx) => {
    const locked = await lockAccountRules(trx, principal.accountId);
    if (locked === undefined) throw new HttpProblem(401, 'UNAUTHENTICATED', 'The account no longer exists.');
    const who = await actorOfPrincipal(trx, principal);
    return { outcome: await work({ trx, account: locked, actor: who, address, now }), account: locked, actor: who };
  });
  if (outcome.notice !== null) {
    await notifyAdministrators(services, {
      accountId: account.id,
      accountName: account.name,
      change: outcome.notice,
      actor,
      address,
      at: now,
    });
  }
  return outcome.result;
}

/** `422 IP_RESTRICTION_LOCKOUT` unless a rule of `rules` trusts `address`. */
export function requireCallerTrusted(
  rules: readonly StoredRange[],
  address: string,
  action: 'enable' | 'change',
): void {
  if (rangesTrust(rules, address)) return;
  const shown = address || 'unknown';
  const why =
    callerAddressNumber(address) === null
      ? `Your address (${shown}) is not IPv4, and IP rules trust only IPv4 addresses for now.`
      : `No rule would trust your address (${shown}).`;
  const what =
    action === 'enable'
      ? 'Add a rule for it before turning IP restrictions on, or you would be locked out.'
      : 'IP restrictions are on, so this change would lock you out: add a rule for your address first, or turn restrictions off.';
  throw new HttpProblem(422, 'IP_RESTRICTION_LOCKOUT', `${why} ${what}`);
}

/** A body's range parsed, or `400 VALIDATION` on `/body/range` saying what is wrong. */
export function rangeOfBody(range: string): ParsedRange {
  const parsed = parseRange(range);
  if (!isRangeProblem(parsed)) return parsed;
  throw new HttpProblem(400, 'VALIDATION', `The range is not valid: ${parsed.problem}.`, {
    errors: [{ path: '/body/range', message: parsed.problem }],
  });
}

/** `409 CONFLICT`: another rule already trusts exactly this range. */
export function duplicateRange(range: string, existingId: string): HttpProblem {
  return new HttpProblem(409, 'CONFLICT', `A rule (${existingId}) already trusts exactly the range ${range}.`, {
    errors: [{ path: '/body/range', message: 'is already the range of another rule' }],
  });
}
