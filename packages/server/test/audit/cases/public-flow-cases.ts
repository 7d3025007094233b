/**
 * Cases of the public flows, where the link or the address is the credential: password reset asked for
 * (a user, a deactivated user: no link, nobody: no entry) and completed, sign-up, the email change
 * confirmed, an invitation accepted.
 */
import { expect } from 'vitest';
import { issueLink } from '../../../src/accounts/email-links.ts';
import { uniqueEmail } from '../../support/seed.ts';
import { password } from '../audit-harness.ts';
import { day, noAccess, userActor, expectStatus, setStatus, type Cases } from './audit-case.ts';

export const publicFlowCases: Cases = {
  'password_reset_requested: requestPasswordReset for a user': {
    run: async (h) => {
      const a = await h.account();
      return {
        act: async () => {
          await expectStatus(
            h.send('POST', '/v1/auth/password-reset', { body: { email: a.primary.email.toUpperCase() } }),
            202,
          );
          h.secret(h.mail.lastToken(a.primary.email));
        },
        expected: () => [
          {
            activity: 'password_reset_requested',
            status: 'succeeded',
            actor: { kind: 'anonymous', id: null, name: a.primary.email.toUpperCase() },
            description: `A password reset link was sent to ${a.primary.email}.`,
            details: { userId: a.primary.id, linkSent: true },
          },
        ],
      };
    },
  },

  'password_reset_requested: requestPasswordReset for a deactivated user (no link)': {
    run: async (h) => {
      const a = await h.account();
      const user = await h.user(a.id);
      await setStatus(h, user, 'deactivated');
      return {
        act: async () => {
          await expectStatus(h.send('POST', '/v1/auth/password-reset', { body: { email: user.email } }), 202);
          expect(h.mail.to(user.email)).toEqual([]);
        },
        expected: () => [
          {
            activity: 'password_reset_requested',
            status: 'failed',
            actor: { kind: 'anonymous', id: null, name: user.email },
            description: `A password reset was asked for ${user.email}; no link was sent (user deactivated).`,
            details: { userId: user.id, linkSent: false, reason: 'user_deactivated' },
          },
        ],
      };
    },
  },

  'nothing: requestPasswordReset for an address nobody has': {
    run: async (h) => ({
      act: () =>
        expectStatus(h.send('POST', '/v1/auth/password-reset', { body: { email: uniqueEmail('nobody') } }), 202),
      expected: () => [],
    }),
  },

  'password_reset: completePasswordReset': {
    run: async (h) => {
      const a = await h.account();
      const link = await issueLink(h.db, {
        accountId: a.id,
        userId: a.primary.id,
        purpose: 'reset_password',
        now: h.now,
        lifetimeMs: day,
      });
      h.secret(link.token);
      const next = h.secret('a brand new reset passphrase');
      return {
        act: () =>
          expectStatus(
            h.send('POST', '/v1/auth/password-reset/complete', { body: { token: link.token, password: next } }),
            204,
          ),
        expected: () => [
          {
            activity: 'password_reset',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `${a.primary.email} set a new password with a reset link; every session was ended.`,
            details: { sessionsEnded: true },
          },
        ],
      };
    },
  },

  'account_created: signUp': {
    run: async (h) => {
      const email = uniqueEmail('founder');
      return {
        act: async () => {
          await expectStatus(
            h.send('POST', '/v1/auth/sign-up', {
              body: { name: 'Founder Ltd', email, password, region: 'eu-central' },
            }),
            202,
          );
          h.secret(h.mail.lastToken(email));
        },
        expected: async () => {
          const user = await h.db
            .selectFrom('users')
            .select(['id', 'email'])
            .where('email_normalized', '=', email)
            .executeTakeFirstOrThrow();
          return [
            {
              activity: 'account_created',
              status: 'succeeded',
              actor: userActor(user),
              description: `${email} signed up and created the account Founder Ltd.`,
              details: { region: 'eu-central', replacedUnconfirmedSignUp: false },
            },
          ];
        },
      };
    },
  },

  'email_changed: confirmAccountEmailChange': {
    run: async (h) => {
      const a = await h.account();
      const next = uniqueEmail('confirmed');
      const link = await issueLink(h.db, {
        accountId: a.id,
        userId: a.primary.id,
        purpose: 'change_email',
        now: h.now,
        lifetimeMs: day,
        newEmail: next,
      });
      h.secret(link.token);
      return {
        act: () =>
          expectStatus(h.send('POST', '/v1/account/email-change/confirm', { body: { token: link.token } }), 200),
        expected: () => [
          {
            activity: 'email_changed',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `The account's address changed from ${a.primary.email} to ${next}.`,
            details: { from: a.primary.email, to: next },
          },
        ],
      };
    },
  },

  'invitation_accepted: acceptInvitation': {
    run: async (h) => {
      const a = await h.account();
      const invited = await h.user(a.id, { status: 'invited', access: noAccess, passwordHash: null });
      const link = await issueLink(h.db, {
        accountId: a.id,
        userId: invited.id,
        purpose: 'invitation',
        now: h.now,
        lifetimeMs: day,
      });
      h.secret(link.token);
      return {
        act: () =>
          expectStatus(
            h.send('POST', `/v1/invitations/${link.token}/accept`, { body: { name: 'Invited Person', password } }),
            200,
          ),
        expected: () => [
          {
            activity: 'invitation_accepted',
            status: 'succeeded',
            actor: userActor(invited),
            description: `${invited.email} accepted their invitation and joined as Custom (no permissions; no services).`,
            details: { userId: invited.id, email: invited.email, role: 'custom', operations: '', services: '' },
          },
        ],
      };
    },
  },
};
