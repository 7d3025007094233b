/**
 * The users' security operations end to end, on both databases, through the server's own sign-in and
 * session resolver: `deactivateUser` (its refusals, its idempotence, every session ended at once, sign-in
 * refused exactly like a wrong password, unfinished two-factor sign-ins and reset links dead),
 * `reactivateUser` (signs in again with the same role), and `resetUserTwoFactor` (secret, pending
 * enrolment and recovery codes gone, sessions ended, the user emailed, sign-in with the password alone —
 * or held at enrolment when the account requires two-factor authentication).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLink } from '../../src/accounts/email-links.ts';
import { createChallenge } from '../../src/accounts/two-factor.ts';
import type { Credential } from '../support/credentials.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import type { SeededAccount, SeededUser } from '../support/seed.ts';
import { password, startAuditHarness, type Answer, type AuditHarness } from '../audit/audit-harness.ts';

const hour = 3_600_000;

function isCredential(value: Credential | Answer): value is Credential {
  return 'kind' in value;
}

describeOnBothDatabases('user security operations', (target) => {
  let h: AuditHarness;

  beforeAll(async () => {
    h = await startAuditHarness(target().config);
  });
  afterAll(async () => {
    await h.close();
  });

  async function signedIn(email: string): Promise<Credential> {
    const result = await h.signIn(email);
    if (!isCredential(result)) throw new Error(`sign-in answered ${String(result.status)}: ${result.text}`);
    return result;
  }

  const row = (user: SeededUser) =>
    h.db
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', user.accountId)
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
  const sessionsOf = async (user: SeededUser) =>
    (
      await h.db
        .selectFrom('sessions')
        .select('id')
        .where('account_id', '=', user.accountId)
        .where('user_id', '=', user.id)
        .execute()
    ).length;

  describe('deactivateUser and reactivateUser', () => {
    let account: SeededAccount;
    let admin: Credential;
    let user: SeededUser;

    beforeAll(async () => {
      account = await h.account();
      admin = await signedIn(account.primary.email);
      user = await h.user(account.id, { access: { role: 'custom', operations: ['view_backups'], services: ['box'] } });
    });

    it('refuses the primary user, the caller itself, an invited user and an unknown id', async () => {
      const other = await h.user(account.id);
      const otherSession = await signedIn(other.email);
      expect(
        await h.send('POST', `/v1/users/${account.primary.id}/deactivate`, { credential: otherSession }),
      ).toMatchObject({
        status: 409,
        body: { code: 'PRIMARY_USER_PROTECTED' },
      });
      expect(await h.send('POST', `/v1/users/${other.id}/deactivate`, { credential: otherSession })).toMatchObject({
        status: 409,
        body: { code: 'CONFLICT' },
      });
      const invited = await h.user(account.id, { status: 'invited', passwordHash: null });
      for (const action of ['deactivate', 'reactivate']) {
        expect(await h.send('POST', `/v1/users/${invited.id}/${action}`, { credential: admin })).toMatchObject({
          status: 409,
          body: { code: 'CONFLICT' },
        });
      }
      const unknown = 'usr_01je28jt97kb6cq643dzvmxxqk';
      expect(await h.send('POST', `/v1/users/${unknown}/deactivate`, { credential: admin })).toMatchObject({
        status: 404,
        body: { code: 'NOT_FOUND' },
      });
      expect((await row(other)).status).toBe('active');
      expect((await row(invited)).status).toBe('invited');
    });

    it('ends every session at once and refuses sign-in like a wrong password', async () => {
      const first = await signedIn(user.email);
      const second = await signedIn(user.email);
      const challenge = await createChallenge(h.db, { account_id: account.id, id: user.id }, h.now);
      const resetLink = await issueLink(h.db, {
        accountId: account.id,
        userId: user.id,
        purpose: 'reset_password',
        now: h.now,
        lifetimeMs: hour,
      });
      expect(await h.send('GET', '/v1/me', { credential: first })).toMatchObject({ status: 200 });
      expect(await sessionsOf(user)).toBe(2);

      const answer = await h.send('POST', `/v1/users/${user.id}/deactivate`, { credential: admin });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body).toMatchObject({ id: user.id, status: 'deactivated', access: user.access });

      expect(await sessionsOf(user)).toBe(0);
      for (const session of [first, second]) {
        expect(await h.send('GET', '/v1/me', { credential: session })).toMatchObject({
          status: 401,
          body: { code: 'UNAUTHENTICATED' },
        });
      }
      const refused = await h.signIn(user.email);
      const wrong = await h.signIn(user.email, 'not the password at all');
      if (isCredential(refused) || isCredential(wrong)) throw new Error('a deactivated user signed in');
      expect(refused.status).toBe(401);
      const shape = (body: Answer['body']) => ({ ...body, instance: undefined });
      expect(shape(refused.body)).toEqual(shape(wrong.body));
      expect(refused.body).toMatchObject({ code: 'INVALID_CREDENTIALS' });
      expect(
        await h.send('POST', '/v1/auth/sign-in/second-factor', {
          body: { challenge: challenge.token, code: '123456' },
        }),
      ).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      expect(
        await h.send('POST', '/v1/auth/password-reset/complete', {
          body: { token: resetLink.token, password: 'a brand new passphrase here' },
        }),
      ).toMatchObject({ status: 410, body: { code: 'LINK_INVALID' } });
    });

    it('changes nothing when repeated, and lists the user as deactivated', async () => {
      const before = (await row(user)).updated_at;
      h.now = new Date(h.now.getTime() + 1000);
      const again = await h.send('POST', `/v1/users/${user.id}/deactivate`, { credential: admin });
      expect(again).toMatchObject({ status: 200, body: { status: 'deactivated' } });
      expect((await row(user)).updated_at).toBe(before);
      const listed = await h.send('GET', '/v1/users?status=deactivated', { credential: admin });
      expect((listed.body?.['items'] as { id: string }[]).map((item) => item.id)).toEqual([user.id]);
    });

    it('lets the user sign in again on reactivation, with the role they had', async () => {
      const answer = await h.send('POST', `/v1/users/${user.id}/reactivate`, { credential: admin });
      expect(answer).toMatchObject({
        status: 200,
        body: { status: 'active', access: { role: 'custom', operations: ['view_backups'], services: ['box'] } },
      });
      const session = await signedIn(user.email);
      const me = await h.send('GET', '/v1/me', { credential: session });
      expect(me).toMatchObject({ status: 200, body: { user: { id: user.id, status: 'active' } } });
      expect(me.body?.['permissions']).toEqual(['view_backups']);
      expect(await h.send('POST', `/v1/users/${user.id}/reactivate`, { credential: admin })).toMatchObject({
        status: 200,
        body: { status: 'active' },
      });
    });

    it('is open to an Administrator API key', async () => {
      const key = await h.key(account.id);
      const bearer = await h.bearer(key);
      const target = await h.user(account.id);
      expect(await h.send('POST', `/v1/users/${target.id}/deactivate`, { credential: bearer })).toMatchObject({
        status: 200,
        body: { status: 'deactivated' },
      });
      expect(await h.send('POST', `/v1/users/${target.id}/reactivate`, { credential: bearer })).toMatchObject({
        status: 200,
        body: { status: 'active' },
      });
    });
  });

  describe('resetUserTwoFactor', () => {
    let account: SeededAccount;
    let admin: Credential;

    beforeAll(async () => {
      account = await h.account();
      admin = await signedIn(account.primary.email);
    });

    it("refuses the primary user's second factor to anyone else, an Administrator key included", async () => {
      const owned = await h.account();
      await h.twoFactor(owned.primary);
      const otherAdmin = await h.user(owned.id);
      const session = await h.session(otherAdmin);
      const path = `/v1/users/${owned.primary.id}/reset-two-factor`;
      const bearer = await h.bearer(await h.key(owned.id));
      for (const credential of [session, bearer]) {
        expect(await h.send('POST', path, { credential })).toMatchObject({
          status: 409,
          body: { code: 'PRIMARY_USER_PROTECTED' },
        });
      }
      expect((await row(owned.primary)).totp_secret).not.toBeNull();
    });

    it('refuses the caller itself, a user with two-factor off and an unknown id', async () => {
      await h.twoFactor(account.primary);
      const self = await h.user(account.id);
      await h.twoFactor(self);
      const selfSession = await h.session(self);
      expect(await h.send('POST', `/v1/users/${self.id}/reset-two-factor`, { credential: selfSession })).toMatchObject({
        status: 409,
        body: { code: 'CONFLICT' },
      });
      const off = await h.user(account.id);
      await h.twoFactor(off, 'pending');
      expect(await h.send('POST', `/v1/users/${off.id}/reset-two-factor`, { credential: admin })).toMatchObject({
        status: 409,
        body: { code: 'CONFLICT' },
      });
      expect(
        await h.send('POST', '/v1/users/usr_01je28jt97kb6cq643dzvmxxqk/reset-two-factor', { credential: admin }),
      ).toMatchObject({ status: 404 });
      expect((await row(self)).totp_secret).not.toBeNull();
      expect((await row(off)).totp_pending_secret).not.toBeNull();
    });

    it('deletes the secret and recovery codes, ends sessions, emails the user; the password alone signs in', async () => {
      const user = await h.user(account.id);
      const totp = await h.twoFactor(user);
      const codes = await h.recoveryCodes(user);
      const old = await h.session(user);
      const challenge = await createChallenge(h.db, { account_id: account.id, id: user.id }, h.now);
      const before = await h.signIn(user.email);
      expect(isCredential(before) ? 200 : before.body).toMatchObject({ code: 'SECOND_FACTOR_REQUIRED' });

      const answer = await h.send('POST', `/v1/users/${user.id}/reset-two-factor`, { credential: admin });
      expect(answer.status, answer.text).toBe(204);

      const stored = await row(user);
      expect([stored.totp_secret, stored.totp_pending_secret, stored.totp_enabled_at, stored.totp_last_step]).toEqual([
        null,
        null,
        null,
        null,
      ]);
      const left = await h.db
        .selectFrom('recovery_codes')
        .select('id')
        .where('account_id', '=', account.id)
        .where('user_id', '=', user.id)
        .execute();
      expect(left).toEqual([]);
      expect(await sessionsOf(user)).toBe(0);
      expect(await h.send('GET', '/v1/me', { credential: old })).toMatchObject({ status: 401 });
      expect(
        await h.send('POST', '/v1/auth/sign-in/second-factor', {
          body: { challenge: challenge.token, code: totp.code() },
        }),
      ).toMatchObject({ status: 401 });

      const [notice] = h.mail.to(user.email);
      expect(notice?.subject).toBe('Two-factor authentication of your Holdfast account was turned off');
      expect(notice?.text).toContain(`An administrator of ${account.name} turned off two-factor authentication`);
      expect(notice?.text).toContain('http://localhost:8080/sign-in');
      for (const code of codes) expect(notice?.text).not.toContain(code);

      const session = await signedIn(user.email);
      expect(await h.send('GET', '/v1/me/two-factor', { credential: session })).toMatchObject({
        status: 200,
        body: { enabled: false, enrolmentPending: false, recoveryCodesLeft: 0 },
      });
      expect(await h.send('POST', `/v1/users/${user.id}/reset-two-factor`, { credential: admin })).toMatchObject({
        status: 409,
      });
    });

    it('holds the next sign-in at enrolment when the account requires two-factor authentication', async () => {
      const strict = await h.account();
      const strictAdmin = await h.session(strict.primary);
      const user = await h.user(strict.id);
      await h.twoFactor(user);
      await h.db.updateTable('accounts').set({ require_two_factor: 1 }).where('id', '=', strict.id).execute();
      await h.twoFactor(strict.primary);
      expect(await h.send('POST', `/v1/users/${user.id}/reset-two-factor`, { credential: strictAdmin })).toMatchObject({
        status: 204,
      });
      const answer = await h.send('POST', '/v1/auth/sign-in', { body: { email: user.email, password } });
      expect(answer).toMatchObject({ status: 200, body: { nextStep: 'enrol_second_factor' } });
      expect(h.mail.to(user.email).at(-1)?.text).toContain('the account requires two-factor authentication');
    });
  });
});
