/**
 * The handlers of the trusted addresses and ranges (S6): `listIpRules`, `createIpRule`, `getIpRule`,
 * `updateIpRule`, `deleteIpRule`.
 *
 * - Rules are loaded by `(accountId, id)`: another account's rule answers `404` like one that never was.
 * - A range is parsed strictly (`ip-ranges.ts`); a malformed one is `400 VALIDATION` on `/body/range`
 *   naming what is wrong. Two rules never cover exactly the same addresses (`409 CONFLICT`, whatever
 *   form each was written in); an account holds at most 500 rules (`422 LIMIT_REACHED`).
 * - While restrictions are on, a change or deletion that would leave the caller's own address untrusted
 *   is refused (`422 IP_RESTRICTION_LOCKOUT`); a new rule only ever trusts more.
 * - Each change is audited in its transaction (`ip_rule_created`, `ip_rule_updated` with from/to,
 *   `ip_rule_deleted`) and emailed to the Administrators after it commits. A change that changes
 *   nothing (the same range and description) is neither.
 */
import { isUniqueViolation } from '../accounts/account-records.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { HandlerFactory } from '../http/handlers/handler-types.ts';
import { HttpProblem } from '../http/problem.ts';
import { actingUserId, callerOf } from '../users/caller.ts';
import { duplicateRange, rangeOfBody, requireCallerTrusted, runIpRestrictionChange } from './ip-restriction-changes.ts';
import { storedRange, type ParsedRange } from './ip-ranges.ts';
import {
  allIpRules,
  countIpRules,
  deleteIpRuleRow,
  findIpRule,
  findSameRange,
  insertIpRule,
  listIpRules,
  maxIpRules,
  toIpRuleView,
  updateIpRuleRow,
} from './ip-rules-store.ts';

function notFound(): HttpProblem {
  return new HttpProblem(404, 'NOT_FOUND', 'This account has no IP rule with this id.');
}

/** `ranges (description)` for audit descriptions. */
function described(range: string, description: string): string {
  return description === '' ? range : `${range} (${description})`;
}

/** The handlers of `/v1/ip-rules` and `/v1/ip-rules/{ipRuleId}`. */
export const ipRulesHandlers: HandlerFactory = (services) => {
  const { db } = services.database;

  return {
    listIpRules: async ({ principal, query }) => {
      const caller = callerOf(principal);
      const page = await listIpRules(db, caller.accountId, {
        limit: query.limit ?? 50,
        cursor: query.cursor,
        order: query.order ?? '-createdAt',
      });
      return { status: 200, body: { items: page.rows.map(toIpRuleView), nextCursor: page.nextCursor } };
    },

    getIpRule: async ({ principal, params }) => {
      const caller = callerOf(principal);
      const row = await findIpRule(db, caller.accountId, params.ipRuleId);
      if (row === undefined) throw notFound();
      return { status: 200, body: toIpRuleView(row) };
    },

    createIpRule: async ({ principal, body, ctx }) => {
      const caller = callerOf(principal);
      const range = rangeOfBody(body.range);
      const description = body.description;
      try {
        const row = await runIpRestrictionChange(services, caller, ctx.state.clientIp, async (scope) => {
          const { trx, account, actor, now } = scope;
          if ((await countIpRules(trx, account.id)) >= maxIpRules) {
            throw new HttpProblem(
              422,
              'LIMIT_REACHED',
              `An account holds at most ${String(maxIpRules)} IP rules: delete one, or merge ranges into a wider one.`,
            );
          }
          const same = await findSameRange(trx, account.id, range);
          if (same !== undefined) throw duplicateRange(range.text, same.id);
          const created = await insertIpRule(
            trx,
            account.id,
            { range, description, createdBy: await actingUserId(trx, caller) },
            now,
          );
          await recordAudit(
            trx,
            {
              accountId: account.id,
              activity: 'ip_rule_created',
              status: 'succeeded',
              actor,
              sourceIp: scope.address,
              description: `Trusted the range ${described(created.range_text, description)}.`,
              details: { ruleId: created.id, range: created.range_text, description },
            },
            now,
          );
          return { result: created, notice: { kind: 'rule_created', rule: { range: range.text, description } } };
        });
        return { status: 201, headers: { Location: `/v1/ip-rules/${row.id}` }, body: toIpRuleView(row) };
      } catch (error) {
        // Two creations of one range at once: the unique index refuses the second.
        if (isUniqueViolation(error)) throw duplicateRange(range.text, 'another rule');
        throw error;
      }
    },

    updateIpRule: async ({ principal, params, body, ctx }) => {
      const caller = callerOf(principal);
      const range: ParsedRange | undefined = body.range === undefined ? undefined : rangeOfBody(body.range);
      try {
        const row = await runIpRestrictionChange(services, caller, ctx.state.clientIp, async (scope) => {
          const { trx, account, actor, now } = scope;
          const before = await findIpRule(trx, account.id, params.ipRuleId);
          if (before === undefined) throw notFound();
          const rangeChanged = range !== undefined && range.text !== before.range_text;
          const description = body.description ?? before.description;
          if (!rangeChanged && description === before.description) return { result: before, notice: null };
          if (range !== undefined && rangeChanged) {
            const same = await findSameRange(trx, account.id, range);
            if (same !== undefined && same.id !== before.id) throw duplicateRange(range.text, same.id);
            if (account.enabled) {
              const others = (await allIpRules(trx, account.id)).filter((rule) => rule.id !== before.id);
              requireCallerTrusted([...others, storedRange(range)], scope.address, 'change');
            }
          }
          const after = await updateIpRuleRow(trx, before, { ...(rangeChanged ? { range } : {}), description }, now);
          await recordAudit(
            trx,
            {
              accountId: account.id,
              activity: 'ip_rule_updated',
              status: 'succeeded',
              actor,
              sourceIp: scope.address,
              description:
                `Changed the trusted range ${described(before.range_text, before.description)} ` +
                `to ${described(after.range_text, after.description)}.`,
              details: {
                ruleId: before.id,
                fromRange: before.range_text,
                toRange: after.range_text,
                fromDescription: before.description,
                toDescription: after.description,
              },
            },
            now,
          );
          const from = { range: before.range_text, description: before.description };
          const to = { range: after.range_text, description: after.description };
          return { result: after, notice: { kind: 'rule_updated', from, to } };
        });
        return { status: 200, body: toIpRuleView(row) };
      } catch (error) {
        if (isUniqueViolation(error)) throw duplicateRange(range?.text ?? '', 'another rule');
        throw error;
      }
    },

    deleteIpRule: async ({ principal, params, ctx }) => {
      const caller = callerOf(principal);
      await runIpRestrictionChange(services, caller, ctx.state.clientIp, async (scope) => {
        const { trx, account, actor, now } = scope;
        const row = await findIpRule(trx, account.id, params.ipRuleId);
        if (row === undefined) throw notFound();
        if (account.enabled) {
          const others = (await allIpRules(trx, account.id)).filter((rule) => rule.id !== row.id);
          requireCallerTrusted(others, scope.address, 'change');
        }
        await deleteIpRuleRow(trx, account.id, row.id);
        await recordAudit(
          trx,
          {
            accountId: account.id,
            activity: 'ip_rule_deleted',
            status: 'succeeded',
            actor,
            sourceIp: scope.address,
            description: `Stopped trusting the range ${described(row.range_text, row.description)}.`,
            details: { ruleId: row.id, range: row.range_text, description: row.description },
          },
          now,
        );
        return {
          result: null,
          notice: { kind: 'rule_deleted', rule: { range: row.range_text, description: row.description } },
        };
      });
      return { status: 204 };
    },
  };
};
