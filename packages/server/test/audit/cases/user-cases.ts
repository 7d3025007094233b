/**
 * Cases of portal users: invited (by an API key), a new invitation, access changed (and not changed),
 * deactivated (and again), reactivated, deleted (by themself, still named as the actor).
 */
import { expect } from 'vitest';
import { uniqueEmail } from '../../support/seed.ts';
import { noAccess, userActor, expectStatus, setStatus, type Cases } from './audit-case.ts';

export const userCases: Cases = {
  'user_invited: inviteUser by an API key': {
    run: async (h) => {
      const a = await h.account();
      const key = await h.key(a.id, 'Provisioning');
      const bearer = await h.bearer(key);
      const email = uniqueEmail('invitee');
      let invitedId = '';
      return {
        act: async () => {
          const answer = await h.send('POST', '/v1/users', {
            credential: bearer,
            body: {
              email,
              name: 'Charles',
              access: { role: 'custom', operations: ['restore_tasks', 'view_backups'], services: ['box'] },
            },
          });
          expect(answer.status, answer.text).toBe(201);
          invitedId = String(answer.body?.['id']);
          h.secret(h.mail.lastToken(email));
        },
        expected: () => [
          {
            activity: 'user_invited',
            status: 'succeeded',
            actor: { kind: 'api_key', id: key.id, name: 'Provisioning' },
            description: `Invited ${email} as Custom (view_backups, restore_tasks; box).`,
            details: {
              userId: invitedId,
              email,
              role: 'custom',
              operations: 'view_backups,restore_tasks',
              services: 'box',
            },
          },
        ],
      };
    },
  },

  'nothing: inviteUser replayed with the same Idempotency-Key': {
    run: async (h) => {
      const a = await h.account();
      const session = await h.session(a.primary);
      const request = { email: uniqueEmail('replayed'), access: noAccess };
      const headers = { 'idempotency-key': 'c0ffee00-0000-4000-8000-000000000001' };
      await expectStatus(h.send('POST', '/v1/users', { credential: session, body: request, headers }), 201);
      return {
        act: async () => {
          const replay = await h.send('POST', '/v1/users', { credential: session, body: request, headers });
          expect(replay.status, replay.text).toBe(201);
          expect(replay.headers.get('idempotent-replayed')).toBe('true');
        },
        expected: () => [],
      };
    },
  },
  'invitation_resent: resendInvitation': {
    run: async (h) => {
      const a = await h.account();
      const invited = await h.user(a.id, { status: 'invited', access: noAccess, passwordHash: null });
      const session = await h.session(a.primary);
      return {
        act: async () => {
          await expectStatus(h.send('POST', `/v1/users/${invited.id}/resend-invitation`, { credential: session }), 202);
          h.secret(h.mail.lastToken(invited.email));
        },
        expected: () => [
          {
            activity: 'invitation_resent',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `Sent ${invited.email} a new invitation link; the earlier ones no longer work.`,
            details: { userId: invited.id, email: invited.email },
          },
        ],
      };
    },
  },

  'user_permissions_changed: updateUser': {
    run: async (h) => {
      const a = await h.account();
      const user = await h.user(a.id, { access: { role: 'custom', operations: ['view_backups'], services: ['box'] } });
      const session = await h.session(a.primary);
      return {
        act: () =>
          expectStatus(
            h.send('PATCH', `/v1/users/${user.id}`, {
              credential: session,
              body: { access: { role: 'administrator' } },
            }),
            200,
          ),
        expected: () => [
          {
            activity: 'user_permissions_changed',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `Changed the access of ${user.email} from Custom (view_backups; box) to Administrator.`,
            details: {
              userId: user.id,
              email: user.email,
              roleFrom: 'custom',
              operationsFrom: 'view_backups',
              servicesFrom: 'box',
              roleTo: 'administrator',
              operationsTo: '',
              servicesTo: '',
            },
          },
        ],
      };
    },
  },

  'nothing: updateUser with the same access': {
    run: async (h) => {
      const a = await h.account();
      const access = { role: 'custom', operations: ['view_backups', 'restore_tasks'], services: ['box'] } as const;
      const user = await h.user(a.id, { access });
      const session = await h.session(a.primary);
      return {
        act: async () => {
          const reordered = { ...access, operations: ['restore_tasks', 'view_backups'] };
          await expectStatus(
            h.send('PATCH', `/v1/users/${user.id}`, { credential: session, body: { access: reordered } }),
            200,
          );
        },
        expected: () => [],
      };
    },
  },

  'user_deactivated: deactivateUser': {
    run: async (h) => {
      const a = await h.account();
      const user = await h.user(a.id);
      const session = await h.session(a.primary);
      return {
        act: () => expectStatus(h.send('POST', `/v1/users/${user.id}/deactivate`, { credential: session }), 200),
        expected: () => [
          {
            activity: 'user_deactivated',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `Deactivated ${user.email}: they cannot sign in, and their sessions were ended.`,
            details: { userId: user.id, email: user.email, sessionsEnded: true },
          },
        ],
      };
    },
  },

  'nothing: deactivateUser of a deactivated user': {
    run: async (h) => {
      const a = await h.account();
      const user = await h.user(a.id);
      await setStatus(h, user, 'deactivated');
      const session = await h.session(a.primary);
      return {
        act: () => expectStatus(h.send('POST', `/v1/users/${user.id}/deactivate`, { credential: session }), 200),
        expected: () => [],
      };
    },
  },

  'user_reactivated: reactivateUser': {
    run: async (h) => {
      const a = await h.account();
      const user = await h.user(a.id);
      await setStatus(h, user, 'deactivated');
      const session = await h.session(a.primary);
      return {
        act: () => expectStatus(h.send('POST', `/v1/users/${user.id}/reactivate`, { credential: session }), 200),
        expected: () => [
          {
            activity: 'user_reactivated',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `Reactivated ${user.email}: they can sign in again as Administrator.`,
            details: { userId: user.id, email: user.email, role: 'administrator', operations: '', services: '' },
          },
        ],
      };
    },
  },

  'user_deleted: deleteUser of oneself': {
    run: async (h) => {
      const a = await h.account();
      const admin = await h.user(a.id);
      const session = await h.session(admin);
      return {
        act: () => expectStatus(h.send('DELETE', `/v1/users/${admin.id}`, { credential: session }), 204),
        expected: () => [
          {
            activity: 'user_deleted',
            status: 'succeeded',
            actor: userActor(admin),
            description: `Deleted the user ${admin.email}.`,
            details: { userId: admin.id, email: admin.email, role: 'administrator', operations: '', services: '' },
          },
        ],
      };
    },
  },
};
