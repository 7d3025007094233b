/**
 * Invitations (S2): inviting emails a single-use link valid 24 hours (stored as a hash); `Idempotency-Key`
 * replays the first answer, refuses another body (422) and a retry in flight (409); resending ends the
 * earlier link; the public link shows the invitation and accepts it once, setting the name and an
 * argon2id password. On SQLite and PostgreSQL; time moves by the server's clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { verifyPassword } from '../../src/auth/passwords.ts';
import { hashToken } from '../../src/auth/tokens.ts';
import { toTimestamp } from '../../src/db/time.ts';
import { requestHash } from '../../src/users/idempotency.ts';
import { call } from '../support/api-client.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import {
  seedAccount,
  seedUser,
  sessionPrincipalOf,
  testResolver,
  uniqueEmail,
  type SeededAccount,
} from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

const hour = 3_600_000;
const custom = { role: 'custom', operations: ['view_backups', 'restore_tasks'], services: ['box'] };

describeOnBothDatabases('invitations', (target) => {
  let running: RunningServer;
  let now = new Date('2026-12-01T10:00:00.000Z');
  const mail = new CapturedMail();
  const registered = new Map<string, Principal>();
  let account: SeededAccount;
  const db = () => running.server.services.database.db;
  const invite = (body: unknown, headers: Record<string, string> = {}, as = 'primary') =>
    call(running.url, 'POST', '/v1/users', { as, body, headers });

  beforeAll(async () => {
    running = await startServer(target().config, {
      clock: () => now,
      mailer: mail,
      resolvePrincipal: testResolver(registered, () => undefined),
    });
    account = await seedAccount(db(), { now, name: 'Analytical Engines Ltd' });
    registered.set('primary', sessionPrincipalOf(account.primary));
    const viewer = await seedUser(db(), account.id, {
      now,
      access: { role: 'custom', operations: ['view_backups'], services: ['box'] },
    });
    registered.set('narrow', { ...sessionPrincipalOf(viewer), permissions: new Set(['manage_users', 'view_backups']) });
  });
  afterAll(async () => {
    await running.close();
  });

  describe('inviting', () => {
    it('creates an invited user and emails a link valid 24 hours, storing only its hash', async () => {
      const email = uniqueEmail('charles');
      const answer = await invite({ email, name: 'Charles Babbage', access: custom });
      expect(answer.status).toBe(201);
      const id = String(answer.body['id']);
      expect(answer.headers.get('location')).toBe(`/v1/users/${id}`);
      expect(answer.body).toEqual({
        id: expect.stringMatching(/^usr_/),
        email,
        name: 'Charles Babbage',
        authType: 'email',
        status: 'invited',
        primary: false,
        access: custom,
        createdAt: '2026-12-01T10:00:00Z',
        lastSignInAt: null,
        invitation: {
          sentAt: '2026-12-01T10:00:00Z',
          expiresAt: '2026-12-02T10:00:00Z',
          invitedBy: account.primary.id,
        },
      });
      const [message] = mail.to(email);
      expect(message?.subject).toContain('Analytical Engines Ltd');
      expect(message?.text).toContain(`${account.primary.name ?? ''} invited you`);
      const token = mail.lastToken(email);
      const rows = await db().selectFrom('email_tokens').selectAll().where('user_id', '=', id).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.token_hash).toBe(hashToken(token));
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(running.logs.text()).not.toContain(token);
      const got = await call(running.url, 'GET', `/v1/users/${id}`, { as: 'primary' });
      expect(got.body).toEqual(answer.body);
    });

    it('refuses a taken address (any case), other auth types and access the caller lacks', async () => {
      const email = uniqueEmail('taken');
      expect((await invite({ email, access: custom })).status).toBe(201);
      const again = await invite({ email: email.toUpperCase(), access: { role: 'administrator' } });
      expect(again).toMatchObject({ status: 409, body: { code: 'EMAIL_TAKEN' } });
      const primaryAddress = await invite({ email: account.primary.email, access: custom });
      expect(primaryAddress.body).toMatchObject({ code: 'EMAIL_TAKEN' });
      const google = await invite({ email: uniqueEmail(), authType: 'google', access: custom });
      expect(google).toMatchObject({ status: 422, body: { code: 'AUTH_TYPE_NOT_ENABLED' } });
      const wide = await invite({ email: uniqueEmail(), access: custom }, {}, 'narrow');
      expect(wide).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
      expect((await invite({ email: 'not an address', access: custom })).status).toBe(400);
    });

    it('still invites when the email cannot be sent (resend sends a new link)', async () => {
      const email = uniqueEmail('unlucky');
      mail.failNext();
      const answer = await invite({ email, access: custom });
      expect(answer.status).toBe(201);
      expect(mail.to(email)).toEqual([]);
      const resent = await call(running.url, 'POST', `/v1/users/${String(answer.body['id'])}/resend-invitation`, {
        as: 'primary',
      });
      expect(resent.status).toBe(202);
      expect(mail.to(email)).toHaveLength(1);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first answer to a retry with the same body, once', async () => {
      const email = uniqueEmail('retry');
      const headers = { 'Idempotency-Key': 'c3b0d7c4-1b7a-4c1e-9f34-0f3e2b8f6d11' };
      const first = await invite({ email, access: custom }, headers);
      expect(first.status).toBe(201);
      now = new Date(now.getTime() + 1000);
      const retry = await invite({ access: custom, email }, headers);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.get('location')).toBe(first.headers.get('location'));
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(mail.to(email)).toHaveLength(1);
      const users = await db().selectFrom('users').select('id').where('email_normalized', '=', email).execute();
      expect(users).toHaveLength(1);

      const reused = await invite({ email: uniqueEmail(), access: custom }, headers);
      expect(reused).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
      // Other accounts have their own keys.
      const other = await seedAccount(db(), { now });
      registered.set('other', sessionPrincipalOf(other.primary));
      const elsewhere = await invite({ email: uniqueEmail(), access: custom }, headers, 'other');
      expect(elsewhere.status).toBe(201);
    });

    it('answers 409 while the first request runs, and takes over an abandoned claim', async () => {
      const email = uniqueEmail('inflight');
      const body = { email, authType: 'email', access: custom };
      const key = 'in-flight-key';
      await db()
        .insertInto('idempotency_keys')
        .values({
          account_id: account.id,
          operation_id: 'inviteUser',
          idempotency_key: key,
          request_hash: requestHash(body),
          status: 'in_progress',
          response_status: null,
          response_headers: null,
          response_body: null,
          created_at: toTimestamp(now),
          expires_at: toTimestamp(now.getTime() + 24 * hour),
        })
        .execute();
      const busy = await invite(body, { 'Idempotency-Key': key });
      expect(busy).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY_KEY_IN_USE' } });
      now = new Date(now.getTime() + 61_000);
      expect((await invite(body, { 'Idempotency-Key': key })).status).toBe(201);
    });

    it('lets a key be used again after its request failed, and after 24 hours', async () => {
      const key = 'failed-first';
      const taken = await invite({ email: account.primary.email, access: custom }, { 'Idempotency-Key': key });
      expect(taken.status).toBe(409);
      const email = uniqueEmail('second');
      expect((await invite({ email, access: custom }, { 'Idempotency-Key': key })).status).toBe(201);
      now = new Date(now.getTime() + 24 * hour + 1000);
      const later = await invite({ email: uniqueEmail('later'), access: custom }, { 'Idempotency-Key': key });
      expect(later.status).toBe(201);
      expect(later.headers.get('idempotent-replayed')).toBeNull();
      expect((await invite({ email: uniqueEmail(), access: custom }, { 'Idempotency-Key': 'bad key' })).status).toBe(
        400,
      );
    });
  });

  describe('the link', () => {
    it('shows the invitation, then accepts it once with a name and password', async () => {
      const email = uniqueEmail('ada');
      const invited = await invite({ email, access: custom });
      const token = mail.lastToken(email);
      const shown = await call(running.url, 'GET', `/v1/invitations/${token}`);
      expect(shown.status).toBe(200);
      expect(shown.headers.get('cache-control')).toBe('no-store');
      expect(shown.body).toEqual({
        email,
        name: null,
        authType: 'email',
        account: { id: account.id, name: 'Analytical Engines Ltd' },
        invitedBy: account.primary.name,
        expiresAt: `${new Date(now.getTime() + 24 * hour).toISOString().slice(0, 19)}Z`,
      });
      const accepted = await call(running.url, 'POST', `/v1/invitations/${token}/accept`, {
        body: { name: 'Ada King', password: 'difference engine number two' },
      });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toEqual({ email, account: { id: account.id, name: 'Analytical Engines Ltd' } });
      const user = await db()
        .selectFrom('users')
        .selectAll()
        .where('id', '=', String(invited.body['id']))
        .executeTakeFirstOrThrow();
      expect(user).toMatchObject({ status: 'active', name: 'Ada King' });
      expect(user.email_confirmed_at).not.toBeNull();
      expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$/);
      expect(await verifyPassword('difference engine number two', user.password_hash ?? '')).toBe(true);
      const view = await call(running.url, 'GET', `/v1/users/${user.id}`, { as: 'primary' });
      expect(view.body).toMatchObject({ status: 'active', invitation: null, name: 'Ada King' });

      const twice = await call(running.url, 'POST', `/v1/invitations/${token}/accept`, {
        body: { name: 'Mallory', password: 'another password' },
      });
      expect(twice).toMatchObject({ status: 410, body: { code: 'LINK_INVALID' } });
      expect((await call(running.url, 'GET', `/v1/invitations/${token}`)).status).toBe(410);
      const resend = await call(running.url, 'POST', `/v1/users/${user.id}/resend-invitation`, { as: 'primary' });
      expect(resend).toMatchObject({ status: 409, body: { code: 'INVITATION_NOT_PENDING' } });
      expect(running.logs.text()).not.toContain('difference engine');
    });

    it('expires after 24 hours; a resend ends the earlier link and starts a new day', async () => {
      const email = uniqueEmail('late');
      const invited = await invite({ email, access: custom });
      const first = mail.lastToken(email);
      now = new Date(now.getTime() + 24 * hour);
      expect((await call(running.url, 'GET', `/v1/invitations/${first}`)).status).toBe(410);
      const resent = await call(running.url, 'POST', `/v1/users/${String(invited.body['id'])}/resend-invitation`, {
        as: 'primary',
      });
      expect(resent.status).toBe(202);
      expect(resent.body['invitation']).toMatchObject({
        sentAt: `${now.toISOString().slice(0, 19)}Z`,
        expiresAt: `${new Date(now.getTime() + 24 * hour).toISOString().slice(0, 19)}Z`,
      });
      const second = mail.lastToken(email);
      expect(second).not.toBe(first);
      now = new Date(now.getTime() + hour);
      const third = await call(running.url, 'POST', `/v1/users/${String(invited.body['id'])}/resend-invitation`, {
        as: 'primary',
      });
      expect(third.status).toBe(202);
      expect((await call(running.url, 'GET', `/v1/invitations/${second}`)).status).toBe(410);
      const latest = mail.lastToken(email);
      expect((await call(running.url, 'GET', `/v1/invitations/${latest}`)).status).toBe(200);
    });

    it('stops working when the user is deleted; unknown and malformed tokens are refused', async () => {
      const email = uniqueEmail('gone');
      const invited = await invite({ email, access: custom });
      const token = mail.lastToken(email);
      expect(
        (await call(running.url, 'DELETE', `/v1/users/${String(invited.body['id'])}`, { as: 'primary' })).status,
      ).toBe(204);
      expect((await call(running.url, 'GET', `/v1/invitations/${token}`)).status).toBe(410);
      const unknown = await call(running.url, 'POST', `/v1/invitations/${'A'.repeat(43)}/accept`, {
        body: { name: 'X', password: 'long enough password' },
      });
      expect(unknown).toMatchObject({ status: 410, body: { code: 'LINK_INVALID' } });
      expect((await call(running.url, 'GET', '/v1/invitations/short')).status).toBe(400);
      const weak = await call(running.url, 'POST', `/v1/invitations/${'A'.repeat(43)}/accept`, {
        body: { name: 'X', password: 'short' },
      });
      expect(weak.status).toBe(400);
    });
  });
});
