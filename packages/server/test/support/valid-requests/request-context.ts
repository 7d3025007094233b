/**
 * What the valid requests of every module share (`../valid-requests.ts`): the context a request is
 * built in, its shape, and helpers that make the resources a request names (users, keys, links, TOTP
 * secrets) inside the context's account.
 */
import type { Kysely } from 'kysely';
import { issueLink } from '../../../src/accounts/email-links.ts';
import type { Database } from '../../../src/db/database-schema.ts';
import { twoFactorKeys } from '../../../src/accounts/two-factor.ts';
import { newTotpSecret, totpCode } from '../../../src/auth/totp.ts';
import { seedApiKey, seedUser, uniqueEmail, type SeededAccount, type SeededUser } from '../seed.ts';

/** The password of every seeded primary user in these requests. */
export const matrixPassword = 'correct horse battery staple';

export interface RequestContext {
  readonly db: Kysely<Database>;
  readonly url: string;
  readonly account: SeededAccount;
  readonly now: Date;
  /** The server's master key (to seed sealed TOTP secrets). */
  readonly masterKey: Buffer;
  /** The user the request's credential signs in (the primary user for API keys and nobody). */
  readonly caller: SeededUser;
}

export interface RequestSpec {
  /** Path parameters by name. */
  readonly params?: Readonly<Record<string, string>>;
  /** A JSON body. */
  readonly body?: unknown;
  /** A form body (`/v1/oauth/*`). */
  readonly form?: Readonly<Record<string, string>>;
}

export const noAccess = { role: 'custom', operations: [], services: [] } as const;
export const hour = 3_600_000;

export async function link(
  context: RequestContext,
  purpose: 'confirm_email' | 'reset_password' | 'change_email' | 'invitation',
  userId: string = context.account.primary.id,
): Promise<string> {
  const issued = await issueLink(context.db, {
    accountId: context.account.id,
    userId,
    purpose,
    now: context.now,
    lifetimeMs: hour,
    ...(purpose === 'change_email' ? { newEmail: uniqueEmail('changed') } : {}),
  });
  return issued.token;
}

export async function invitedUser(context: RequestContext): Promise<{ userId: string; token: string }> {
  const user = await seedUser(context.db, context.account.id, {
    status: 'invited',
    name: null,
    access: noAccess,
    invitedBy: context.account.primary.id,
    now: context.now,
  });
  return { userId: user.id, token: await link(context, 'invitation', user.id) };
}

export async function targetUser(context: RequestContext): Promise<RequestSpec> {
  const user = await seedUser(context.db, context.account.id, { access: noAccess, now: context.now });
  return { params: { userId: user.id } };
}

export async function targetKey(context: RequestContext): Promise<RequestSpec> {
  const key = await seedApiKey(context.db, context.account.id, { access: noAccess, now: context.now });
  return { params: { apiKeyId: key.id } };
}

/**
 * Gives `user` a TOTP secret, enabled or pending, sealed with the server's key; answers a current code.
 */
export async function withTotp(
  context: RequestContext,
  user: SeededUser,
  state: 'enabled' | 'pending',
): Promise<string> {
  const secret = newTotpSecret();
  const sealed = twoFactorKeys(context.masterKey).box.seal(secret, user.id);
  await context.db
    .updateTable('users')
    .set(state === 'enabled' ? { totp_secret: sealed } : { totp_pending_secret: sealed })
    .where('account_id', '=', user.accountId)
    .where('id', '=', user.id)
    .execute();
  return totpCode(secret, context.now);
}
