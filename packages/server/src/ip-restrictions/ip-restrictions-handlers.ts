/**
 * The handlers of IP restrictions (S6): the account's switch (`getIpRestrictions`,
 * `updateIpRestrictions`) here, and the trusted addresses and ranges from `ip-rules-handlers.ts`.
 *
 * - The answer tells the caller how its own address fares (`callerAddress`, `callerTrusted`), so a
 *   console can warn before switching on; the address is the one the gate sees (trusted proxies only).
 * - Switching on is refused when no rule trusts the caller (`422 IP_RESTRICTION_LOCKOUT`). Switching to
 *   the state the account is already in changes nothing and is neither audited nor emailed.
 * - A switch is audited in its transaction (`ip_restrictions_enabled`, `ip_restrictions_disabled`) and
 *   emailed to the Administrators after it commits. Enforcement is `ip-gate.ts`.
 */
import { recordAudit } from '../audit/audit-log.ts';
import type { HandlerFactory } from '../http/handlers/handler-types.ts';
import { callerOf } from '../users/caller.ts';
import { requireCallerTrusted, runIpRestrictionChange } from './ip-restriction-changes.ts';
import { rangesTrust } from './ip-ranges.ts';
import { allIpRules, ipRestrictionEnabled, setIpRestriction } from './ip-rules-store.ts';
import { ipRulesHandlers } from './ip-rules-handlers.ts';

/** Every handler of IP restrictions: the switch (`/v1/account/ip-restrictions`) and the rules. */
export const ipRestrictionsHandlers: HandlerFactory = (services) => {
  const { db } = services.database;

  return {
    getIpRestrictions: async ({ principal, ctx }) => {
      const caller = callerOf(principal);
      const [enabled, rules] = await Promise.all([
        ipRestrictionEnabled(db, caller.accountId),
        allIpRules(db, caller.accountId),
      ]);
      const address = ctx.state.clientIp;
      return {
        status: 200,
        body: { enabled, ruleCount: rules.length, callerAddress: address, callerTrusted: rangesTrust(rules, address) },
      };
    },

    updateIpRestrictions: async ({ principal, body, ctx }) => {
      const caller = callerOf(principal);
      const address = ctx.state.clientIp;
      const answer = await runIpRestrictionChange(services, caller, address, async (scope) => {
        const { trx, account, actor, now } = scope;
        const rules = await allIpRules(trx, account.id);
        const state = {
          enabled: body.enabled,
          ruleCount: rules.length,
          callerAddress: address,
          callerTrusted: rangesTrust(rules, address),
        };
        if (account.enabled === body.enabled) return { result: state, notice: null };
        if (body.enabled) requireCallerTrusted(rules, address, 'enable');
        await setIpRestriction(trx, account.id, body.enabled, now);
        await recordAudit(
          trx,
          {
            accountId: account.id,
            activity: body.enabled ? 'ip_restrictions_enabled' : 'ip_restrictions_disabled',
            status: 'succeeded',
            actor,
            sourceIp: address,
            description: body.enabled
              ? `Turned IP restrictions on, with ${String(rules.length)} trusted ${rules.length === 1 ? 'range' : 'ranges'}.`
              : 'Turned IP restrictions off.',
            details: { ruleCount: rules.length },
          },
          now,
        );
        return {
          result: state,
          notice: body.enabled ? { kind: 'enabled', ruleCount: rules.length } : { kind: 'disabled' },
        };
      });
      return { status: 200, body: answer };
    },

    ...ipRulesHandlers(services),
  };
};
