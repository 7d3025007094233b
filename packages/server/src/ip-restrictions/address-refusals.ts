/**
 * The audit entries of refused addresses (`address_refused`, status `failed`), at most one per account
 * and client network every {@link refusalAuditWindowMs} (10 minutes): a client hammering the API from an
 * untrusted address must not fill the account's audit log, and one entry per window still says who
 * tried, from where, and when it started. Later refusals inside the window are only logged (info).
 *
 * A client network is what `auth/client-network.ts` counts a client as: an IPv4 address, or the /64 of
 * an IPv6 address — one IPv6 host can pick a fresh address of its /64 for every request, so counting full
 * addresses would write an entry per request. The entry records the address of the first refusal.
 *
 * The rule is kept twice: in memory per server (synchronously reserved before any await, so concurrent
 * refusals in one process write one entry, and a flood costs no query once reserved), and in the
 * database (an entry of the window already there, written by another process or before a restart,
 * counts too; found through the `(account_id, activity, occurred_at)` index, then by its address: the
 * same one for IPv4, any address of the /64 for IPv6, compared in memory since an IPv6 address has many
 * spellings). Two processes refusing the same network at the same instant may each write one: "at most
 * one" holds per process.
 *
 * The memory is bounded: past {@link maxRemembered} keys, entries older than the window go, then the
 * oldest ones.
 */
import { recordAudit, type AuditActor } from '../audit/audit-log.ts';
import { clientNetwork } from '../auth/client-network.ts';
import { toTimestamp } from '../db/time.ts';
import type { ServerServices } from '../http/server-services.ts';

/** One `address_refused` entry per account and client network within this window. */
export const refusalAuditWindowMs = 10 * 60_000;

const maxRemembered = 10_000;

/** What was refused: a request of a session or bearer token, a sign-in, a token request, an emailed link. */
export type RefusedAttempt = 'session' | 'bearer' | 'sign_in' | 'token' | 'link';

/** A refusal to record. */
export interface Refusal {
  readonly accountId: string;
  readonly address: string;
  readonly attempt: RefusedAttempt;
  /** The operation refused (`getMe`, `signIn`, `issueToken`). */
  readonly operationId: string;
  /** Who tried; looked up only when an entry is written. */
  readonly actor: () => Promise<AuditActor> | AuditActor;
}

const remembered = new WeakMap<ServerServices, Map<string, number>>();

function memoryOf(services: ServerServices): Map<string, number> {
  let memory = remembered.get(services);
  if (memory === undefined) {
    memory = new Map();
    remembered.set(services, memory);
  }
  return memory;
}

function prune(memory: Map<string, number>, now: number): void {
  if (memory.size < maxRemembered) return;
  for (const [key, at] of memory) if (now - at >= refusalAuditWindowMs) memory.delete(key);
  for (const key of memory.keys()) {
    if (memory.size < maxRemembered) break;
    memory.delete(key);
  }
}

const described: Readonly<Record<RefusedAttempt, string>> = {
  session: 'a browser session request',
  bearer: 'an API request with an access token',
  sign_in: 'a sign-in',
  token: 'a token request',
  link: 'an emailed link (password reset, invitation, email change)',
};

/** Whether the account has an `address_refused` entry of `network` since `since`. */
async function auditedSince(
  services: ServerServices,
  accountId: string,
  address: string,
  network: string,
  since: Date,
): Promise<boolean> {
  const query = services.database.db
    .selectFrom('audit_events')
    .select('source_ip')
    .where('account_id', '=', accountId)
    .where('activity', '=', 'address_refused')
    .where('occurred_at', '>', toTimestamp(since));
  if (!network.endsWith('::/64')) {
    // An IPv4 address (or anything else) is its own network; a mapped IPv6 spelling of it counts too.
    const spellings = [...new Set([address, network])];
    return (await query.where('source_ip', 'in', spellings).executeTakeFirst()) !== undefined;
  }
  const candidates = await query.where('source_ip', 'like', '%:%').execute();
  return candidates.some((entry) => entry.source_ip !== null && clientNetwork(entry.source_ip) === network);
}

/**
 * Records the refusal in the account's audit log unless one was recorded for this account and client
 * network within the window. Never throws: a failure to record is logged and the refusal stands.
 */
export async function recordRefusal(services: ServerServices, refusal: Refusal): Promise<void> {
  const now = services.clock();
  const memory = memoryOf(services);
  const network = clientNetwork(refusal.address);
  const key = `${refusal.accountId} ${network}`;
  const last = memory.get(key);
  const log = services.logger;
  const facts = { accountId: refusal.accountId, address: refusal.address, operationId: refusal.operationId };
  if (last !== undefined && now.getTime() - last < refusalAuditWindowMs && now.getTime() >= last) {
    log.info(facts, 'untrusted address refused (already audited in this window)');
    return;
  }
  prune(memory, now.getTime());
  memory.delete(key);
  memory.set(key, now.getTime());
  try {
    const since = new Date(now.getTime() - refusalAuditWindowMs);
    if (await auditedSince(services, refusal.accountId, refusal.address, network, since)) {
      log.info(facts, 'untrusted address refused (already audited in this window)');
      return;
    }
    const further = network.endsWith('::/64') ? `its network (${network})` : 'this address';
    await recordAudit(
      services.database.db,
      {
        accountId: refusal.accountId,
        activity: 'address_refused',
        status: 'failed',
        actor: await refusal.actor(),
        sourceIp: refusal.address,
        description:
          `Refused ${described[refusal.attempt]} from ${refusal.address}: no IP rule of the account trusts it. ` +
          `Further refusals of ${further} in the next 10 minutes are not recorded.`,
        details: { attempt: refusal.attempt, operation: refusal.operationId },
      },
      now,
    );
    log.info(facts, 'untrusted address refused');
  } catch (error) {
    memory.delete(key);
    log.error({ ...facts, err: error }, 'the refusal of an untrusted address could not be audited');
  }
}
