/**
 * Recording an audit entry for what a signed-in caller did in a request: the actor is the request's
 * principal ({@link actorOfPrincipal}: its user's address or its key's name now), the source address is
 * the client's (`ctx.state.clientIp`, through trusted proxies only). Call it inside the action's
 * transaction, with the action's own `now`, so the entry commits or rolls back with the action.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/database-schema.ts';
import { actorOfPrincipal, recordAudit, type AuditActor, type AuditEntry } from './audit-log.ts';

type Queryable = Kysely<Database> | Transaction<Database>;

/** What a request's entry says beyond who, from where and in which account. */
export type AuditFact = Omit<AuditEntry, 'accountId' | 'actor' | 'sourceIp'>;

/** The part of a Koa context an entry needs. */
export interface RequestOrigin {
  readonly state: { readonly clientIp?: string };
}

/** The client's address of a request, or null when it has none (a request made in-process). */
export function sourceIpOf(ctx: RequestOrigin): string | null {
  const address = ctx.state.clientIp;
  return address === undefined || address === '' ? null : address;
}

/**
 * Records `fact` as done by `principal` from the request's client address; answers the entry's id.
 * `actor` is for actions that remove the actor itself (a user deleting themself, a key deleting
 * itself): look it up with {@link actorOfPrincipal} before the removal and pass it in.
 */
export async function recordRequestAudit(
  db: Queryable,
  principal: Principal,
  ctx: RequestOrigin,
  fact: AuditFact,
  now: Date,
  actor?: AuditActor,
): Promise<string> {
  actor ??= await actorOfPrincipal(db, principal);
  return recordAudit(db, { ...fact, accountId: principal.accountId, actor, sourceIp: sourceIpOf(ctx) }, now);
}
