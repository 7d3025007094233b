/**
 * One valid request for every operation of the contract, built inside a fresh account so that it can
 * succeed: the resources its path names exist in that account, link tokens are real, and bodies pass the
 * contract. The permission matrix sends these as every kind of principal; a request that a holder of the
 * permission sends must succeed (2xx), so a handler that refuses a valid request shows up there.
 *
 * A new operation in the contract needs a line here, or in its module's file under `valid-requests/`
 * (spread in below): the matrix fails for an operation without one.
 */
import { clientCredentialsToken, seedApiKey, uniqueEmail } from './seed.ts';
import { createChallenge } from '../../src/accounts/two-factor.ts';
import { auditValidRequests } from './valid-requests/audit-requests.ts';
import { ipRestrictionValidRequests } from './valid-requests/ip-restriction-requests.ts';
import {
  invitedUser,
  link,
  matrixPassword,
  noAccess,
  targetKey,
  targetUser,
  withTotp,
  type RequestContext,
  type RequestSpec,
} from './valid-requests/request-context.ts';

export { matrixPassword, type RequestContext, type RequestSpec } from './valid-requests/request-context.ts';

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

  ...auditValidRequests,
  ...ipRestrictionValidRequests,
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
