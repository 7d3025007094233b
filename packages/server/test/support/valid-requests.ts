/**
 * One valid request for every operation of the contract, built inside a fresh account so that it can
 * succeed: the resources its path names exist in that account, link tokens are real, and bodies pass the
 * contract. The permission matrix sends these as every kind of principal; a request that a holder of the
 * permission sends must succeed (2xx), so a handler that refuses a valid request shows up there.
 *
 * A new operation in the contract needs a line here: the matrix fails for an operation without one.
 */
import type { Kysely } from 'kysely';
import { issueLink } from '../../src/accounts/email-links.ts';
import type { Database } from '../../src/db/database-schema.ts';
import { createChallenge, twoFactorKeys } from '../../src/accounts/two-factor.ts';
import { newTotpSecret, totpCode } from '../../src/auth/totp.ts';
import {
  clientCredentialsToken,
  seedApiKey,
  seedUser,
  uniqueEmail,
  type SeededAccount,
  type SeededUser,
} from './seed.ts';

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

const noAccess = { role: 'custom', operations: [], services: [] } as const;
const hour = 3_600_000;

async function link(
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

async function invitedUser(context: RequestContext): Promise<{ userId: string; token: string }> {
  const user = await seedUser(context.db, context.account.id, {
    status: 'invited',
    name: null,
    access: noAccess,
    invitedBy: context.account.primary.id,
    now: context.now,
  });
  return { userId: user.id, token: await link(context, 'invitation', user.id) };
}

async function targetUser(context: RequestContext): Promise<RequestSpec> {
  const user = await seedUser(context.db, context.account.id, { access: noAccess, now: context.now });
  return { params: { userId: user.id } };
}

async function targetKey(context: RequestContext): Promise<RequestSpec> {
  const key = await seedApiKey(context.db, context.account.id, { access: noAccess, now: context.now });
  return { params: { apiKeyId: key.id } };
}

/**
 * Gives `user` a TOTP secret, enabled or pending, sealed with the server's key; answers a current code.
 */
async function withTotp(context: RequestContext, user: SeededUser, state: 'enabled' | 'pending'): Promise<string> {
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

/** The valid request of each operation, by `operationId`. */
export const validRequests: Readonly<Record<string, (context: RequestContext) => Promise<RequestSpec>>> = {
  getHealth: async () => ({}),
  getReadiness: async () => ({}),
  listRegions: async () => ({}),

  signUp: async () => ({
    body: { name: 'New Person', email: uniqueEmail('signup'), password: matrixPassword, region: 'eu-central' },
  }),
  confirmEmail: async (context) => ({ body: { token: await link(context, 'confirm_email') } }),
  resendEmailConfirmation: async (context) => ({ body: { email: context.account.primary.email } }),
  signIn: async (context) => ({ body: { email: context.account.primary.email, password: matrixPassword } }),
  signOut: async () => ({}),
  getSession: async () => ({}),
  requestPasswordReset: async (context) => ({ body: { email: context.account.primary.email } }),
  completePasswordReset: async (context) => ({
    body: { token: await link(context, 'reset_password'), password: 'a brand new password' },
  }),

  completeSignIn: async (context) => {
    const code = await withTotp(context, context.account.primary, 'enabled');
    const { token } = await createChallenge(
      context.db,
      { account_id: context.account.id, id: context.account.primary.id },
      context.now,
    );
    return { body: { challenge: token, code } };
  },

  getMe: async () => ({}),
  getTwoFactor: async () => ({}),
  startTwoFactorEnrolment: async () => ({}),
  enableTwoFactor: async (context) => ({ body: { code: await withTotp(context, context.caller, 'pending') } }),
  disableTwoFactor: async (context) => ({
    body: { password: matrixPassword, code: await withTotp(context, context.caller, 'enabled') },
  }),
  changePassword: async () => ({
    body: {
      currentPassword: matrixPassword,
      newPassword: 'an entirely different passphrase',
      confirmation: 'an entirely different passphrase',
    },
  }),
  getAccountSecurity: async () => ({}),
  updateAccountSecurity: async () => ({ body: { passwordMaxAgeDays: 90 } }),
  updateMe: async () => ({ body: { name: 'Renamed Person' } }),
  getAccount: async () => ({}),
  updateAccount: async () => ({ body: { name: 'Renamed Ltd' } }),
  requestAccountEmailChange: async () => ({ body: { email: uniqueEmail('new-address') } }),
  confirmAccountEmailChange: async (context) => ({ body: { token: await link(context, 'change_email') } }),
  requestAccountRemoval: async () => ({ body: { consent: true, reason: 'Testing permissions.' } }),
  cancelAccountRemoval: async () => ({}),

  listUsers: async () => ({}),
  inviteUser: async () => ({ body: { email: uniqueEmail('invitee'), name: 'Invitee', access: noAccess } }),
  getUser: targetUser,
  updateUser: async (context) => ({ ...(await targetUser(context)), body: { access: noAccess } }),
  deleteUser: targetUser,
  resendInvitation: async (context) => ({ params: { userId: (await invitedUser(context)).userId } }),
  getInvitation: async (context) => ({ params: { token: (await invitedUser(context)).token } }),
  acceptInvitation: async (context) => ({
    params: { token: (await invitedUser(context)).token },
    body: { name: 'Invited Person', password: matrixPassword },
  }),

  listApiKeys: async () => ({}),
  createApiKey: async () => ({ body: { name: 'Matrix key', access: noAccess } }),
  getApiKey: targetKey,
  deleteApiKey: targetKey,

  issueToken: async (context) => {
    const key = await seedApiKey(context.db, context.account.id, { now: context.now });
    return { form: { grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret } };
  },
  revokeToken: async (context) => {
    const key = await seedApiKey(context.db, context.account.id, { now: context.now });
    const { accessToken } = await clientCredentialsToken(context.url, key);
    return { form: { token: accessToken, client_id: key.id, client_secret: key.secret } };
  },
};

/** The URL path of an operation's template with these parameters; throws for a missing one. */
export function pathOf(template: string, params: Readonly<Record<string, string>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for the path parameter ${name} of ${template}`);
    return encodeURIComponent(value);
  });
}

/** Sends a request spec with extra headers; answers the status, code (problems) and text. */
export async function send(
  url: string,
  method: string,
  template: string,
  spec: RequestSpec,
  headers: Readonly<Record<string, string>> = {},
): Promise<{ readonly status: number; readonly code: unknown; readonly text: string; readonly type: string }> {
  const all: Record<string, string> = { ...headers };
  let body: string | undefined;
  if (spec.form !== undefined) {
    all['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(spec.form).toString();
  } else if (spec.body !== undefined) {
    all['content-type'] = 'application/json';
    body = JSON.stringify(spec.body);
  }
  const response = await fetch(`${url}${pathOf(template, spec.params)}`, {
    method,
    headers: all,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let code: unknown;
  try {
    code = text === '' ? undefined : (JSON.parse(text) as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code, text, type: response.headers.get('content-type') ?? '' };
}
