/**
 * Valid requests of the IP restrictions (the switch and the trusted addresses and ranges), for the
 * permission matrix and tenant isolation. Tests connect from 127.0.0.1, so switching restrictions on
 * first gets a rule trusting 127.0.0.0/8 (else it is rightly refused as a lockout). Tenant isolation
 * builds requests in one account again and again, so each target rule gets a range of its own.
 */
import { randomInt } from 'node:crypto';
import { isRangeProblem, parseRange } from '../../../src/ip-restrictions/ip-ranges.ts';
import { findSameRange, insertIpRule } from '../../../src/ip-restrictions/ip-rules-store.ts';
import type { RequestContext, RequestSpec } from './request-context.ts';

async function seedRule(context: RequestContext, text: string, description: string): Promise<string> {
  const range = parseRange(text);
  if (isRangeProblem(range)) throw new Error(`${text}: ${range.problem}`);
  const existing = await findSameRange(context.db, context.account.id, range);
  if (existing !== undefined) return existing.id;
  const row = await insertIpRule(
    context.db,
    context.account.id,
    { range, description, createdBy: context.account.primary.id },
    context.now,
  );
  return row.id;
}

/** A /24 of 10.0.0.0/8 nobody else uses (its first address, without the prefix). */
function freshNetwork(): string {
  return `10.${String(randomInt(256))}.${String(randomInt(256))}.0`;
}

async function targetRule(context: RequestContext, network = freshNetwork()): Promise<RequestSpec> {
  return { params: { ipRuleId: await seedRule(context, `${network}/24`, 'Matrix branch office') } };
}

export const ipRestrictionValidRequests: Readonly<Record<string, (context: RequestContext) => Promise<RequestSpec>>> = {
  getIpRestrictions: async () => ({}),
  updateIpRestrictions: async (context) => {
    await seedRule(context, '127.0.0.0/8', 'The test machine');
    return { body: { enabled: true } };
  },
  listIpRules: async () => ({}),
  createIpRule: async () => ({ body: { range: '203.0.113.10 - 203.0.113.20', description: 'Matrix VPN exit' } }),
  getIpRule: (context) => targetRule(context),
  updateIpRule: async (context) => {
    const network = freshNetwork();
    return { ...(await targetRule(context, network)), body: { range: `${network}/25` } };
  },
  deleteIpRule: (context) => targetRule(context),
};
