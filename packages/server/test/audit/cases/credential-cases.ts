/**
 * Cases of the caller's own credentials: two-factor authentication (on, off by app code or by recovery
 * code, new recovery codes, an administrator's reset), the password change, and API keys (created;
 * deleted by the key itself, still named as the actor).
 */
import { expect } from 'vitest';
import { password } from '../audit-harness.ts';
import { userActor, expectStatus, type Cases } from './audit-case.ts';

export const credentialCases: Cases = {
  'two_factor_enabled: enableTwoFactor': {
    run: async (h) => {
      const a = await h.account();
      const totp = await h.twoFactor(a.primary, 'pending');
      const session = await h.session(a.primary);
      return {
        act: async () => {
          const answer = await h.send('POST', '/v1/me/two-factor/enable', {
            credential: session,
            body: { code: totp.code() },
          });
          expect(answer.status, answer.text).toBe(200);
          for (const code of answer.body?.['recoveryCodes'] as string[]) h.secret(code);
        },
        expected: () => [
          {
            activity: 'two_factor_enabled',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `Turned on two-factor authentication for ${a.primary.email}.`,
            details: { method: 'totp', recoveryCodesIssued: 10 },
          },
        ],
      };
    },
  },

  'two_factor_disabled: disableTwoFactor with an app code': {
    run: async (h) => {
      const a = await h.account();
      const totp = await h.twoFactor(a.primary);
      const session = await h.session(a.primary);
      return {
        act: () =>
          expectStatus(
            h.send('POST', '/v1/me/two-factor/disable', { credential: session, body: { password, code: totp.code() } }),
            204,
          ),
        expected: () => [
          {
            activity: 'two_factor_disabled',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `Turned off two-factor authentication for ${a.primary.email}.`,
            details: { method: 'totp' },
          },
        ],
      };
    },
  },

  'two_factor_disabled and recovery_code_used: disableTwoFactor with a recovery code': {
    run: async (h) => {
      const a = await h.account();
      await h.twoFactor(a.primary);
      const [recovery] = await h.recoveryCodes(a.primary);
      const session = await h.session(a.primary);
      return {
        act: () =>
          expectStatus(
            h.send('POST', '/v1/me/two-factor/disable', { credential: session, body: { password, code: recovery } }),
            204,
          ),
        expected: () => [
          {
            activity: 'recovery_code_used',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `A recovery code of ${a.primary.email} was used to turn off two-factor authentication.`,
            details: { usedFor: 'two_factor_disabled' },
          },
          {
            activity: 'two_factor_disabled',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `Turned off two-factor authentication for ${a.primary.email}.`,
            details: { method: 'recovery_code' },
          },
        ],
      };
    },
  },

  'two_factor_reset: resetUserTwoFactor': {
    run: async (h) => {
      const a = await h.account();
      const target = await h.user(a.id);
      await h.twoFactor(target);
      const session = await h.session(a.primary);
      return {
        act: () =>
          expectStatus(h.send('POST', `/v1/users/${target.id}/reset-two-factor`, { credential: session }), 204),
        expected: () => [
          {
            activity: 'two_factor_reset',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `Turned off two-factor authentication of ${target.email} (reset by an administrator); their sessions were ended.`,
            details: { userId: target.id, email: target.email, sessionsEnded: true },
          },
        ],
      };
    },
  },

  'recovery_codes_regenerated: regenerateRecoveryCodes': {
    run: async (h) => {
      const a = await h.account();
      const totp = await h.twoFactor(a.primary);
      const session = await h.session(a.primary);
      return {
        act: async () => {
          const answer = await h.send('POST', '/v1/me/two-factor/recovery-codes', {
            credential: session,
            body: { code: totp.code() },
          });
          expect(answer.status, answer.text).toBe(200);
          for (const code of answer.body?.['recoveryCodes'] as string[]) h.secret(code);
        },
        expected: () => [
          {
            activity: 'recovery_codes_regenerated',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `Made 10 new recovery codes for ${a.primary.email}; the old ones no longer work.`,
            details: { recoveryCodesIssued: 10 },
          },
        ],
      };
    },
  },

  'password_changed: changePassword': {
    run: async (h) => {
      const a = await h.account();
      const session = await h.session(a.primary);
      const next = h.secret('an entirely different passphrase');
      return {
        act: () =>
          expectStatus(
            h.send('POST', '/v1/me/password', {
              credential: session,
              body: { currentPassword: password, newPassword: next, confirmation: next },
            }),
            204,
          ),
        expected: () => [
          {
            activity: 'password_changed',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: `${a.primary.email} changed their password; their other sessions were ended.`,
            details: { otherSessionsEnded: true },
          },
        ],
      };
    },
  },

  'api_key_created: createApiKey': {
    run: async (h) => {
      const a = await h.account();
      const session = await h.session(a.primary);
      let keyId = '';
      return {
        act: async () => {
          const answer = await h.send('POST', '/v1/api-keys', {
            credential: session,
            body: { name: 'Nightly export', access: { role: 'administrator' }, expiresAt: '2027-01-01T00:00:00Z' },
          });
          expect(answer.status, answer.text).toBe(201);
          keyId = String(answer.body?.['clientId']);
          h.secret(String(answer.body?.['clientSecret']));
        },
        expected: () => [
          {
            activity: 'api_key_created',
            status: 'succeeded',
            actor: userActor(a.primary),
            description: 'Created the API key Nightly export as Administrator.',
            details: {
              apiKeyId: keyId,
              name: 'Nightly export',
              role: 'administrator',
              operations: '',
              services: '',
              expiresAt: '2027-01-01T00:00:00Z',
            },
          },
        ],
      };
    },
  },

  'api_key_deleted: deleteApiKey by the key itself': {
    run: async (h) => {
      const a = await h.account();
      const key = await h.key(a.id, 'Retiring key');
      const bearer = await h.bearer(key);
      return {
        act: () => expectStatus(h.send('DELETE', `/v1/api-keys/${key.id}`, { credential: bearer }), 204),
        expected: () => [
          {
            activity: 'api_key_deleted',
            status: 'succeeded',
            actor: { kind: 'api_key', id: key.id, name: 'Retiring key' },
            description: 'Deleted the API key Retiring key; its tokens stopped working.',
            details: { apiKeyId: key.id, name: 'Retiring key' },
          },
        ],
      };
    },
  },
};
