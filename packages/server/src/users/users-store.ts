/**
 * Portal users as the users module reads them: one user or a page of them, always of one account
 * (`db/tenant.ts`), shown as the contract's `User` with the pending invitation of an invited user (its
 * newest unused `invitation` link: sent when, valid until when, sent by whom).
 *
 * Lists order by `createdAt`, `email` (the normalised address) or `name` (case-insensitive, nameless
 * users first), ties broken by id; `q` matches a part of the address or the name, case-insensitively,
 * with `%` and `_` taken literally.
 */
import type { components } from '@holdfast/sdk';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, User } from '../db/database-schema.ts';
import { toApiTime } from '../db/time.ts';
import { accessFromColumns } from './access-columns.ts';
import { afterPosition, decodeCursor, listFingerprint, pageOf, type ListOrder } from '../db/page-cursor.ts';

export type UserView = components['schemas']['User'];
type Queryable = Kysely<Database> | Transaction<Database>;
type Invitation = UserView['invitation'];

/** How long an invitation link works. */
export const invitationLinkMs = 24 * 60 * 60 * 1000;

/** Loads a user of the account; undefined for any other id. */
export function findAccountUser(db: Queryable, accountId: string, userId: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** The pending invitations of these invited users, by user id. */
async function pendingInvitations(
  db: Queryable,
  accountId: string,
  users: readonly User[],
): Promise<ReadonlyMap<string, NonNullable<Invitation>>> {
  const invited = users.filter((user) => user.status === 'invited');
  const result = new Map<string, NonNullable<Invitation>>();
  if (invited.length === 0) return result;
  const links = await db
    .selectFrom('email_tokens')
    .select(['user_id', 'created_at', 'expires_at'])
    .where('account_id', '=', accountId)
    .where('purpose', '=', 'invitation')
    .where('used_at', 'is', null)
    .where(
      'user_id',
      'in',
      invited.map((user) => user.id),
    )
    .orderBy('created_at', 'asc')
    .execute();
  const byId = new Map(invited.map((user) => [user.id, user]));
  for (const link of links) {
    result.set(link.user_id, {
      sentAt: toApiTime(link.created_at),
      expiresAt: toApiTime(link.expires_at),
      invitedBy: byId.get(link.user_id)?.invited_by ?? null,
    });
  }
  return result;
}

function view(user: User, invitation: Invitation): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    authType: user.auth_type as UserView['authType'],
    status: user.status as UserView['status'],
    primary: user.is_primary === 1,
    access: accessFromColumns(user),
    createdAt: toApiTime(user.created_at),
    lastSignInAt: user.last_sign_in_at === null ? null : toApiTime(user.last_sign_in_at),
    invitation: user.status === 'invited' ? invitation : null,
  };
}

/** Users as the contract shows them, in the same order. */
export async function toUserViews(db: Queryable, accountId: string, users: readonly User[]): Promise<UserView[]> {
  const invitations = await pendingInvitations(db, accountId, users);
  return users.map((user) => view(user, invitations.get(user.id) ?? null));
}

/** One user as the contract shows it. */
export async function toUserView(db: Queryable, user: User): Promise<UserView> {
  const [result] = await toUserViews(db, user.account_id, [user]);
  if (result === undefined) throw new Error('unreachable: one user in, one view out');
  return result;
}

export type UserOrder = 'createdAt' | '-createdAt' | 'email' | '-email' | 'name' | '-name';

export interface UserListQuery {
  readonly limit: number;
  readonly cursor: string | undefined;
  readonly order: UserOrder;
  readonly status: readonly string[];
  readonly role: readonly string[];
  readonly authType: readonly string[];
  readonly q: string | undefined;
}

function sortKey(field: string): ListOrder<Database, 'users'>['key'] {
  if (field === 'email') return (eb) => eb.ref('users.email_normalized');
  if (field === 'name') return () => sql<string>`lower(coalesce(users.name, ''))`;
  return (eb) => eb.ref('users.created_at');
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** A page of the account's users. */
export async function listUsers(
  db: Queryable,
  accountId: string,
  query: UserListQuery,
): Promise<{ readonly users: readonly User[]; readonly nextCursor: string | null }> {
  const filters = {
    status: [...new Set(query.status)].sort(),
    role: [...new Set(query.role)].sort(),
    authType: [...new Set(query.authType)].sort(),
    q: query.q ?? null,
  };
  const fingerprint = listFingerprint({ list: 'users', order: query.order, ...filters });
  const position = decodeCursor(query.cursor, fingerprint);
  const descending = query.order.startsWith('-');
  const order: ListOrder<Database, 'users'> = { key: sortKey(query.order.replace(/^-/, '')), descending };
  const direction = descending ? 'desc' : 'asc';
  let select = db
    .selectFrom('users')
    .selectAll()
    .select((eb) => order.key(eb).as('sort_key'))
    .where('account_id', '=', accountId);
  if (filters.status.length > 0) select = select.where('status', 'in', filters.status);
  if (filters.role.length > 0) select = select.where('role', 'in', filters.role);
  if (filters.authType.length > 0) select = select.where('auth_type', 'in', filters.authType);
  if (filters.q !== null) {
    const pattern = likePattern(filters.q);
    select = select.where(
      sql<boolean>`(lower(users.email) like lower(${pattern}) escape '\\' or lower(coalesce(users.name, '')) like lower(${pattern}) escape '\\')`,
    );
  }
  if (position !== null) select = select.where((eb) => afterPosition(eb, order, eb.ref('users.id'), position));
  const rows = await select
    .orderBy((eb) => order.key(eb), direction)
    .orderBy('id', direction)
    .limit(query.limit + 1)
    .execute();
  const page = pageOf(rows, query.limit, fingerprint);
  return { users: page.rows, nextCursor: page.nextCursor };
}
