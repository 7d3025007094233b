/**
 * Writing the security audit log (S7). Every security-relevant action calls {@link recordAudit} once, in
 * the transaction of the action when it has one (so an action that rolls back leaves no entry, and one
 * that commits always has its entry), or right after it otherwise. The log is append-only: nothing in
 * the server updates or deletes an entry; they go with their account's purge.
 *
 * What an entry holds: when, the activity (a stable enum, `components/schemas/AuditActivity`), whether
 * it succeeded, the service and backup task it concerns (when it does), who did it (a snapshot of the
 * user's address or the key's name, so the entry still says who after they are gone), the client's
 * address (through trusted proxies only, `http/middleware/trusted-proxies.ts`), a sentence for people,
 * and `details`: scalar facts (what changed from what to what). Never put a secret in either: passwords,
 * tokens, codes, TOTP secrets. Descriptions are plain text; CSV export neutralises formula cells.
 */
import type { components } from '@holdfast/sdk';
import type { Kysely, Transaction } from 'kysely';
import type { Principal, ServiceId } from '../auth/principal.ts';
import type { ActorKind, Database } from '../db/database-schema.ts';
import { newId } from '../db/ids.ts';
import { toTimestamp } from '../db/time.ts';

type Queryable = Kysely<Database> | Transaction<Database>;

/** What happened (`components/schemas/AuditActivity`). */
export type AuditActivity = components['schemas']['AuditActivity'];
/** `succeeded` or `failed`. */
export type AuditStatus = components['schemas']['AuditStatus'];

/** Who did it, as recorded. */
export interface AuditActor {
  readonly kind: ActorKind;
  /** The user's or API key's id; null for the server and for anonymous callers. */
  readonly id: string | null;
  /** The user's address or the key's name at the time; for anonymous callers, what they claimed (an email typed at sign-in), else null. */
  readonly name: string | null;
}

/** A scalar fact of an entry's `details`. */
export type AuditDetail = string | number | boolean | null;

export interface AuditEntry {
  readonly accountId: string;
  readonly activity: AuditActivity;
  readonly status: AuditStatus;
  readonly actor: AuditActor;
  /** The client's address (`ctx.state.clientIp`), or null for the server's own actions. */
  readonly sourceIp: string | null;
  /** One sentence for people, without secrets: "Invited charles@example.org as Custom." */
  readonly description: string;
  readonly service?: ServiceId | null;
  readonly taskId?: string | null;
  readonly details?: Readonly<Record<string, AuditDetail>>;
}

/** Records one entry; answers its id. Call it inside the action's transaction when there is one. */
export async function recordAudit(db: Queryable, entry: AuditEntry, now: Date): Promise<string> {
  const id = newId('aud', now.getTime());
  await db
    .insertInto('audit_events')
    .values({
      id,
      account_id: entry.accountId,
      occurred_at: toTimestamp(now),
      activity: entry.activity,
      status: entry.status,
      service: entry.service ?? null,
      task_id: entry.taskId ?? null,
      actor_kind: entry.actor.kind,
      actor_id: entry.actor.id,
      actor_name: entry.actor.name,
      source_ip: entry.sourceIp,
      description: entry.description,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
  return id;
}

/**
 * The actor of a principal, with its current address or name looked up in the principal's own account
 * (a principal whose user or key is gone still has its id recorded).
 */
export async function actorOfPrincipal(db: Queryable, principal: Principal): Promise<AuditActor> {
  if (principal.kind === 'user' && principal.userId !== null) {
    const user = await db
      .selectFrom('users')
      .select('email')
      .where('account_id', '=', principal.accountId)
      .where('id', '=', principal.userId)
      .executeTakeFirst();
    return { kind: 'user', id: principal.userId, name: user?.email ?? null };
  }
  if (principal.kind === 'api_key' && principal.apiKeyId !== null) {
    const key = await db
      .selectFrom('api_keys')
      .select('name')
      .where('account_id', '=', principal.accountId)
      .where('id', '=', principal.apiKeyId)
      .executeTakeFirst();
    return { kind: 'api_key', id: principal.apiKeyId, name: key?.name ?? null };
  }
  return { kind: 'anonymous', id: null, name: null };
}

/** The actor of a user known by id and address (sign-in, invitation acceptance: no principal yet). */
export function userActor(user: { readonly id: string; readonly email: string }): AuditActor {
  return { kind: 'user', id: user.id, name: user.email };
}

/** The actor of an API key known by id and name (the token endpoint: no principal yet). */
export function apiKeyActor(key: { readonly id: string; readonly name: string }): AuditActor {
  return { kind: 'api_key', id: key.id, name: key.name };
}
