/**
 * Valid requests of the audit trail, the system activity log and the users' security operations
 * (deactivate, reactivate, two-factor reset, recovery codes), for the permission matrix.
 *
 * Each builds what makes it succeed inside the context's account: the user operations get a
 * target user in the state the operation changes (active, deactivated, with two-factor on), and
 * `regenerateRecoveryCodes` a caller with two-factor on and a current code.
 */
import { seedUser } from '../seed.ts';
import { noAccess, withTotp, type RequestContext, type RequestSpec } from './request-context.ts';

/** A user of the context's account in `status`, with two-factor on when asked. */
async function targetIn(
  context: RequestContext,
  status: 'active' | 'deactivated',
  twoFactor = false,
): Promise<RequestSpec> {
  const user = await seedUser(context.db, context.account.id, { access: noAccess, now: context.now });
  if (status === 'deactivated') {
    await context.db
      .updateTable('users')
      .set({ status: 'deactivated' })
      .where('account_id', '=', user.accountId)
      .where('id', '=', user.id)
      .execute();
  }
  if (twoFactor) await withTotp(context, user, 'enabled');
  return { params: { userId: user.id } };
}

/** Lists and exports take no parameters here (a `RequestSpec` has no query); `test/audit/` covers the filters. */
export const auditValidRequests: Readonly<Record<string, (context: RequestContext) => Promise<RequestSpec>>> = {
  listAuditEvents: async () => ({}),
  exportAuditEvents: async () => ({}),
  listActivityEvents: async () => ({}),
  exportActivityEvents: async () => ({}),

  deactivateUser: (context) => targetIn(context, 'active'),
  reactivateUser: (context) => targetIn(context, 'deactivated'),
  resetUserTwoFactor: (context) => targetIn(context, 'active', true),
  regenerateRecoveryCodes: async (context) => ({
    body: { code: await withTotp(context, context.caller, 'enabled') },
  }),
};
