/**
 * Cases of the account's settings: renames (the account, the caller), the security policy, the email
 * change request, removal requested and cancelled; and the same requests changing nothing.
 */
import { toApiTime } from '../../../src/db/time.ts';
import { uniqueEmail } from '../../support/seed.ts';
import { day, userActor, expectStatus, type Cases } from './audit-case.ts';

export const accountCases: Cases = {
  'account_settings_changed: updateAccount renames the account': {
    run: async (h) => {
      const a = await h.account();
      const admin = await h.user(a.id);
      const session = await h.session(admin);
      return {
        act: () =>
          expectStatus(h.send('PATCH', '/v1/account', { credential: session, body: { name: 'Renamed Ltd' } }), 200),
        expected: () => [
          {
            activity: 'account_settings_changed',
            status: 'succeeded',
            actor: userActor(admin),
            description: `Renamed the account from ${a.name} to Renamed Ltd.`,
            details: { setting: 'account_name', from: a.name, to: 'Renamed Ltd' },
          },
        ],
      };
    },
  },

  'nothing: updateAccount with the same name': {
    run: async (h) => {
      const a = await h.account();
      const session = await h.session(a.primary);
      return {
        act: () => expectStatus(h.send('PATCH', '/v1/account', { credential: session, body: { name: a.name } }), 200),
        expected: () => [],
      };
    },
  },

  'account_settings_changed: updateMe renames the caller': {
    run: async (h) => {
      const a = await h.account();
      const session = await h.session(a.primary);
      return {
        act: () => expectStatus(h.send('PATCH', '/v1/me', { credential: session, body: { name: 'Ada King' } }), 200),
        expected: () => [
          {
            activity: 'account_settings_changed',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `${a.primary.email} changed their name from ${a.primary.name ?? ''} to Ada King.`,
            details: { setting: 'user_name', userId: a.primary.id, from: a.primary.name, to: 'Ada King' },
          },
        ],
      };
    },
  },

  'security_policy_changed: updateAccountSecurity': {
    run: async (h) => {
      const a = await h.account();
      const session = await h.session(a.primary);
      return {
        act: () =>
          expectStatus(
            h.send('PATCH', '/v1/account/security', {
              credential: session,
              body: { requireTwoFactor: true, passwordMaxAgeDays: 90 },
            }),
            200,
          ),
        expected: () => [
          {
            activity: 'security_policy_changed',
            status: 'succeeded',
            actor: userActor(a.primary),
            description:
              'Changed the security policy: two-factor authentication required; passwords expire after 90 days.',
            details: {
              requireTwoFactorFrom: false,
              requireTwoFactorTo: true,
              passwordMaxAgeDaysFrom: null,
              passwordMaxAgeDaysTo: 90,
            },
          },
        ],
      };
    },
  },

  'nothing: updateAccountSecurity changing nothing': {
    run: async (h) => {
      const a = await h.account();
      const session = await h.session(a.primary);
      return {
        act: () =>
          expectStatus(
            h.send('PATCH', '/v1/account/security', { credential: session, body: { requireTwoFactor: false } }),
            200,
          ),
        expected: () => [],
      };
    },
  },

  'email_change_requested: requestAccountEmailChange': {
    run: async (h) => {
      const a = await h.account();
      const session = await h.session(a.primary);
      const next = uniqueEmail('new-address');
      return {
        act: async () => {
          await expectStatus(
            h.send('POST', '/v1/account/email-change', { credential: session, body: { email: next } }),
            202,
          );
          h.secret(h.mail.lastToken(next));
        },
        expected: () => [
          {
            activity: 'email_change_requested',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `Asked to change the account's address from ${a.primary.email} to ${next}; a link went to the new address.`,
            details: { from: a.primary.email, to: next },
          },
        ],
      };
    },
  },

  'account_removal_requested: requestAccountRemoval': {
    run: async (h) => {
      const a = await h.account();
      const session = await h.session(a.primary);
      const purgeAt = toApiTime(new Date(h.now.getTime() + 7 * day).toISOString());
      return {
        act: () =>
          expectStatus(
            h.send('POST', '/v1/account/removal', {
              credential: session,
              body: { consent: true, reason: 'Moving on' },
            }),
            202,
          ),
        expected: () => [
          {
            activity: 'account_removal_requested',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `Asked to remove the account ${a.name}; it will be purged on ${purgeAt} unless cancelled.`,
            details: { purgeAt, reason: 'Moving on' },
          },
        ],
      };
    },
  },

  'account_removal_cancelled: cancelAccountRemoval': {
    run: async (h) => {
      const a = await h.account();
      const session = await h.session(a.primary);
      await expectStatus(h.send('POST', '/v1/account/removal', { credential: session, body: { consent: true } }), 202);
      return {
        act: () => expectStatus(h.send('DELETE', '/v1/account/removal', { credential: session }), 200),
        expected: () => [
          {
            activity: 'account_removal_cancelled',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `Cancelled the removal of the account ${a.name}.`,
            details: { bySignIn: false },
          },
        ],
      };
    },
  },
};
