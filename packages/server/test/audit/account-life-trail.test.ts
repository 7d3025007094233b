/**
 * Issue 8's promise, end to end: every security-relevant action an account can take, done through the
 * HTTP API in one account's life (sign-up to removal and back), leaves its entry in the security audit
 * log, with the person or key who did it and the address they came from (set through a trusted proxy),
 * and the CSV export holds the same entries. The modules' own suites test each entry's details; this one
 * checks that nothing on the list is missing when the whole server runs.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultBruteForcePolicy } from '../../src/auth/brute-force/brute-force-policy.ts';
import { base32Decode, totpCode } from '../../src/auth/totp.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { uniqueEmail } from '../support/seed.ts';
import { generousRateLimit } from '../support/test-config.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

/** What issue 8 lists, by the activity that records it. */
const expected = [
  'account_created',
  'sign_in',
  'two_factor_enabled',
  'recovery_code_used',
  'recovery_codes_regenerated',
  'account_settings_changed',
  'security_policy_changed',
  'email_change_requested',
  'email_changed',
  'user_invited',
  'invitation_resent',
  'invitation_accepted',
  'user_permissions_changed',
  'user_deactivated',
  'user_reactivated',
  'user_deleted',
  'two_factor_reset',
  'api_key_created',
  'api_key_authentication_failed',
  'api_key_deleted',
  'ip_rule_created',
  'ip_rule_updated',
  'ip_restrictions_enabled',
  'address_refused',
  'ip_restrictions_disabled',
  'ip_rule_deleted',
  'password_changed',
  'two_factor_disabled',
  'password_reset_requested',
  'password_reset',
  'account_removal_requested',
  'account_removal_cancelled',
  'lockout',
] as const;

describeOnBothDatabases(
  "an account's life in the audit log",
  (target) => {
    const mail = new CapturedMail();
    let now = new Date('2026-12-01T09:00:00.000Z');
    let running: RunningServer;
    let from = '203.0.113.10';
    let session: { cookie: string; csrf: string } | null = null;

    beforeAll(async () => {
      running = await startServer(target().config, { clock: () => now, mailer: mail });
    });
    afterAll(async () => {
      await running.close();
    });

    /** The next TOTP step (a code works once: each use moves the clock on). */
    function tick(): void {
      now = new Date(now.getTime() + 30_000);
    }

    async function call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
      const headers: Record<string, string> = { 'x-forwarded-for': from, ...extra };
      if (session !== null && extra['authorization'] === undefined) {
        headers['cookie'] = session.cookie;
        headers['x-csrf-token'] = session.csrf;
      }
      let payload: string | undefined;
      if (typeof body === 'string') {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        payload = body;
      } else if (body !== undefined) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
      });
      const text = await response.text();
      let parsed: Record<string, unknown> = {};
      if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) {
        parsed = JSON.parse(text) as Record<string, unknown>;
      }
      return { status: response.status, body: parsed, headers: response.headers, text };
    }

    function expectStatus(answer: Answer, status: number, what: string): void {
      expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(status);
    }

    async function signIn(email: string, password: string, code?: string): Promise<void> {
      session = null;
      let answer = await call('POST', '/v1/auth/sign-in', { email, password });
      if (answer.status === 401 && answer.body['code'] === 'SECOND_FACTOR_REQUIRED' && code !== undefined) {
        answer = await call('POST', '/v1/auth/sign-in/second-factor', { challenge: answer.body['challenge'], code });
      }
      expectStatus(answer, 200, `sign in as ${email}`);
      const cookie = /__Host-holdfast-session=[^;]+/.exec(answer.headers.get('set-cookie') ?? '')?.[0] ?? '';
      session = { cookie, csrf: (answer.body['session'] as { csrfToken: string }).csrfToken };
    }

    it('records every action on the list, with who and from where, in the list and in the export', async () => {
      const email = uniqueEmail('life');
      const password = 'the first long passphrase';
      expectStatus(
        await call('POST', '/v1/auth/sign-up', { name: 'Ada', email, password, region: 'eu-central' }),
        202,
        'sign up',
      );
      expectStatus(await call('POST', '/v1/auth/confirm-email', { token: mail.lastToken(email) }), 200, 'confirm');
      expectStatus(await call('POST', '/v1/auth/sign-in', { email, password: 'not it at all' }), 401, 'wrong');
      await signIn(email, password);

      // Two-factor: enrol, enable, sign in with a recovery code, new codes.
      const enrolment = await call('POST', '/v1/me/two-factor');
      const secret = base32Decode(enrolment.body['secret'] as string);
      tick();
      const enabled = await call('POST', '/v1/me/two-factor/enable', { code: totpCode(secret, now) });
      expectStatus(enabled, 200, 'enable two-factor');
      const [recoveryCode = ''] = enabled.body['recoveryCodes'] as string[];
      await signIn(email, password, recoveryCode);
      tick();
      const regenerated = await call('POST', '/v1/me/two-factor/recovery-codes', { code: totpCode(secret, now) });
      expectStatus(regenerated, 200, 'new recovery codes');

      // Settings and policy, the account's address.
      expectStatus(await call('PATCH', '/v1/account', { name: 'Analytical Engines' }), 200, 'rename');
      expectStatus(await call('PATCH', '/v1/account/security', { passwordMaxAgeDays: 180 }), 200, 'policy');
      const newEmail = uniqueEmail('life-new');
      expectStatus(await call('POST', '/v1/account/email-change', { email: newEmail }), 202, 'email change');
      expectStatus(
        await call('POST', '/v1/account/email-change/confirm', { token: mail.lastToken(newEmail) }),
        200,
        'confirm the new address',
      );

      // A portal user's life.
      const guest = uniqueEmail('life-guest');
      const custom = { role: 'custom', operations: ['view_backups'], services: ['box'] };
      const invited = await call('POST', '/v1/users', { email: guest, name: 'Guest', access: custom });
      expectStatus(invited, 201, 'invite');
      const guestId = invited.body['id'] as string;
      expectStatus(await call('POST', `/v1/users/${guestId}/resend-invitation`), 202, 'resend');
      const mine = session;
      session = null;
      expectStatus(
        await call('POST', `/v1/invitations/${mail.lastToken(guest)}/accept`, {
          name: 'Guest',
          password: 'a guest passphrase here',
        }),
        200,
        'accept',
      );
      await signIn(guest, 'a guest passphrase here');
      const guestEnrolment = await call('POST', '/v1/me/two-factor');
      tick();
      const guestSecret = base32Decode(guestEnrolment.body['secret'] as string);
      expectStatus(
        await call('POST', '/v1/me/two-factor/enable', { code: totpCode(guestSecret, now) }),
        200,
        'guest two-factor',
      );
      session = mine;
      const admin = { ...custom, operations: ['view_backups', 'restore_tasks'] };
      expectStatus(await call('PATCH', `/v1/users/${guestId}`, { access: admin }), 200, 'permissions');
      expectStatus(await call('POST', `/v1/users/${guestId}/reset-two-factor`), 204, 'reset two-factor');
      expectStatus(await call('POST', `/v1/users/${guestId}/deactivate`), 200, 'deactivate');
      expectStatus(await call('POST', `/v1/users/${guestId}/reactivate`), 200, 'reactivate');
      expectStatus(await call('DELETE', `/v1/users/${guestId}`), 204, 'delete');

      // An API key: created, a wrong secret, deleted.
      const key = await call('POST', '/v1/api-keys', { name: 'Nightly export', access: { role: 'administrator' } });
      expectStatus(key, 201, 'create key');
      const keyId = key.body['clientId'] as string;
      const wrongSecret = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: keyId,
        client_secret: 'hfs_not_the_secret',
      }).toString();
      expectStatus(await call('POST', '/v1/oauth/token', wrongSecret, { authorization: '' }), 401, 'wrong secret');
      expectStatus(await call('DELETE', `/v1/api-keys/${keyId}`), 204, 'delete key');

      // IP restrictions: a rule, changed, on, a refusal, off, gone.
      const rule = await call('POST', '/v1/ip-rules', { range: '203.0.113.0/25', description: 'Office' });
      expectStatus(rule, 201, 'rule');
      const ruleId = rule.body['id'] as string;
      expectStatus(await call('PATCH', `/v1/ip-rules/${ruleId}`, { range: '203.0.113.0/24' }), 200, 'wider');
      expectStatus(await call('PATCH', '/v1/account/ip-restrictions', { enabled: true }), 200, 'switch on');
      from = '198.51.100.99';
      expectStatus(await call('GET', '/v1/account'), 403, 'from an untrusted address');
      from = '203.0.113.10';
      expectStatus(await call('PATCH', '/v1/account/ip-restrictions', { enabled: false }), 200, 'switch off');
      expectStatus(await call('DELETE', `/v1/ip-rules/${ruleId}`), 204, 'delete rule');

      // Password and two-factor off, a reset by email.
      const second = 'the second long passphrase';
      expectStatus(
        await call('POST', '/v1/me/password', { currentPassword: password, newPassword: second, confirmation: second }),
        204,
        'change password',
      );
      tick();
      expectStatus(
        await call('POST', '/v1/me/two-factor/disable', { password: second, code: totpCode(secret, now) }),
        204,
        'disable two-factor',
      );
      const third = 'the third long passphrase';
      expectStatus(await call('POST', '/v1/auth/password-reset', { email: newEmail }), 202, 'ask for a reset');
      await expect.poll(() => mail.to(newEmail).filter((m) => m.text.includes('/reset-password#')).length).toBe(1);
      expectStatus(
        await call('POST', '/v1/auth/password-reset/complete', { token: mail.lastToken(newEmail), password: third }),
        204,
        'reset',
      );

      // Removal asked for and cancelled; then somebody guesses the password.
      await signIn(newEmail, third);
      expectStatus(await call('POST', '/v1/account/removal', { consent: true }), 202, 'removal');
      expectStatus(await call('DELETE', '/v1/account/removal'), 200, 'cancel removal');
      const auditor = session;
      session = null;
      from = '192.0.2.66';
      for (let i = 0; i < 5; i++) await call('POST', '/v1/auth/sign-in', { email: newEmail, password: `guess ${i}` });
      expectStatus(await call('POST', '/v1/auth/sign-in', { email: newEmail, password: third }), 429, 'locked');

      // What the log holds.
      session = auditor;
      from = '203.0.113.10';
      const entries: Record<string, unknown>[] = [];
      let cursor: string | null = null;
      do {
        const page = await call(
          'GET',
          `/v1/audit-events?order=occurredAt&limit=200${cursor === null ? '' : `&cursor=${cursor}`}`,
        );
        expectStatus(page, 200, 'list');
        entries.push(...(page.body['items'] as Record<string, unknown>[]));
        cursor = page.body['nextCursor'] as string | null;
      } while (cursor !== null);
      const activities = new Set(entries.map((entry) => entry['activity']));
      expect(expected.filter((activity) => !activities.has(activity))).toEqual([]);
      for (const entry of entries) {
        const performer = entry['performedBy'] as { kind: string };
        if (performer.kind === 'system') continue;
        expect(entry['sourceAddress'], `${String(entry['activity'])} has its source`).toMatch(
          /^(203\.0\.113\.10|198\.51\.100\.99|192\.0\.2\.66)$/,
        );
      }
      expect(entries.find((entry) => entry['activity'] === 'address_refused')).toMatchObject({
        status: 'failed',
        sourceAddress: '198.51.100.99',
      });
      // The performer's address at the time: the key was made after the account's address changed.
      expect(entries.find((entry) => entry['activity'] === 'api_key_created')).toMatchObject({
        performedBy: { kind: 'user', name: newEmail },
      });
      const failedSignIn = entries.find((entry) => entry['activity'] === 'sign_in' && entry['status'] === 'failed');
      expect(failedSignIn).toMatchObject({ performedBy: { kind: 'user', name: email } });

      const csv = await call('GET', '/v1/audit-events/export?order=occurredAt');
      expectStatus(csv, 200, 'export');
      const rows = csv.text.split('\r\n').filter((line) => line !== '');
      expect(rows.length - 1).toBe(entries.length);
      expect(rows.slice(1).map((row) => row.split(',')[0])).toEqual(entries.map((entry) => entry['id']));
    });
  },
  { trustedProxies: ['127.0.0.1'], bruteForce: defaultBruteForcePolicy, publicRateLimit: generousRateLimit },
);
