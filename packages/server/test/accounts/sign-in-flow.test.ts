/**
 * The whole S1 flow over HTTP on both databases: sign-up → the emailed link (outbox) → confirmation →
 * sign-in → the session cookie and CSRF token → `/v1/me` → sign-out; with what must fail on the way:
 * unconfirmed sign-in, reused and expired links, wrong passwords answering exactly like unknown addresses,
 * forged cookies, missing or wrong CSRF tokens, and expired or idle sessions (the clock moves, never a
 * real delay).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenIn } from '../email/mail-reader.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { sessionFrom, startAccountsServer, type AccountsHarness } from './account-client.ts';

const hour = 3_600_000;
const password = 'correct horse battery staple';

describeOnBothDatabases('sign-up and sign-in', (target) => {
  let api: AccountsHarness;
  beforeAll(async () => {
    api = await startAccountsServer(target().config);
  });
  afterAll(async () => {
    await api.close();
  });

  it('signs up, confirms from the email, signs in, reads /v1/me and signs out', async () => {
    const email = 'ada@example.org';
    const signUp = await api.call('POST', '/v1/auth/sign-up', {
      body: { name: 'Ada Lovelace', email, password, region: 'us-east' },
    });
    expect(signUp).toMatchObject({ status: 202, body: { email } });

    const early = await api.call('POST', '/v1/auth/sign-in', { body: { email, password } });
    expect(early).toMatchObject({ status: 403, body: { code: 'EMAIL_NOT_CONFIRMED' } });

    const message = await api.mailTo(email);
    expect(message.subject).toBe('Confirm your email address for Holdfast');
    expect(message.text).toContain(`${api.config.publicUrl}/confirm-email#token=`);
    const token = tokenIn(message);
    const confirmed = await api.call('POST', '/v1/auth/confirm-email', { body: { token } });
    expect(confirmed).toMatchObject({ status: 200, body: { email } });
    const again = await api.call('POST', '/v1/auth/confirm-email', { body: { token } });
    expect(again).toMatchObject({ status: 410, body: { code: 'LINK_INVALID' } });

    const signIn = await api.call('POST', '/v1/auth/sign-in', { body: { email: 'ADA@example.org ', password } });
    expect(signIn.status, signIn.text).toBe(400);
    const signedIn = await api.call('POST', '/v1/auth/sign-in', { body: { email: 'ADA@Example.org', password } });
    expect(signedIn.status, signedIn.text).toBe(200);
    const setCookie = signedIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      /^__Host-holdfast-session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; Secure; HttpOnly; SameSite=Lax$/,
    );
    expect(signedIn.headers.get('cache-control')).toBe('no-store');
    expect(signedIn.body).toMatchObject({
      user: { email, name: 'Ada Lovelace', primary: true, status: 'active', access: { role: 'administrator' } },
      account: { name: 'Ada Lovelace', region: 'us-east', status: 'active' },
      session: { createdAt: '2026-12-01T09:00:00Z', expiresAt: '2026-12-01T21:00:00Z' },
      accountReactivated: false,
    });
    const session = sessionFrom(signedIn);

    const me = await api.call('GET', '/v1/me', { session });
    expect(me.status, me.text).toBe(200);
    expect(me.body).toMatchObject({
      principal: 'user',
      apiKey: null,
      user: { email, lastSignInAt: '2026-12-01T09:00:00Z' },
    });
    expect((me.body?.['permissions'] as string[])[0]).toBe('primary_user');
    expect(me.body?.['permissions']).toHaveLength(16);

    const current = await api.call('GET', '/v1/auth/session', { session });
    expect(current).toMatchObject({ status: 200, body: { csrfToken: session.csrfToken } });

    const out = await api.call('POST', '/v1/auth/sign-out', { session });
    expect(out.status, out.text).toBe(204);
    expect(out.headers.get('set-cookie')).toBe(
      '__Host-holdfast-session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax',
    );
    expect(await api.call('GET', '/v1/me', { session })).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED' },
    });
  });

  it('answers a wrong password exactly like an unknown address', async () => {
    await api.signUpConfirmed({ name: 'Grace Hopper', email: 'grace@example.org', password });
    const wrong = await api.call('POST', '/v1/auth/sign-in', {
      body: { email: 'grace@example.org', password: 'nope' },
    });
    const unknown = await api.call('POST', '/v1/auth/sign-in', { body: { email: 'nobody@example.org', password } });
    for (const answer of [wrong, unknown]) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.headers.get('set-cookie')).toBeNull();
    }
    const strip = (body: Record<string, unknown> | null) => ({ ...body, instance: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(wrong.body).toMatchObject({
      code: 'INVALID_CREDENTIALS',
      detail: 'The email address or the password is wrong.',
    });
  });

  it('answers sign-up and resend the same for known and unknown addresses', async () => {
    const known = await api.call('POST', '/v1/auth/sign-up', {
      body: { name: 'Impostor', email: 'grace@example.org', password: 'another password', region: 'eu-central' },
    });
    const fresh = await api.call('POST', '/v1/auth/confirm-email/resend', { body: { email: 'grace@example.org' } });
    const unknown = await api.call('POST', '/v1/auth/confirm-email/resend', { body: { email: 'who@example.org' } });
    expect([known.status, fresh.status, unknown.status]).toEqual([202, 202, 202]);
    expect(known.body).toEqual({ email: 'grace@example.org' });
    const notice = await api.mailTo('grace@example.org', 2);
    expect(notice.subject).toBe('Someone tried to sign up to Holdfast with your address');
    expect(notice.text).not.toMatch(/#token=/);
    const stillMine = await api.call('POST', '/v1/auth/sign-in', {
      body: { email: 'grace@example.org', password: 'another password' },
    });
    expect(stillMine.status).toBe(401);
  });

  it('refuses an unknown region with 422 and bodies off the contract with 400', async () => {
    const region = await api.call('POST', '/v1/auth/sign-up', {
      body: { name: 'X', email: 'x@example.org', password, region: 'mars-north' },
    });
    expect(region).toMatchObject({ status: 422, body: { code: 'UNKNOWN_REGION' } });
    for (const [path, body] of [
      ['/v1/auth/sign-up', { name: 'X', email: 'not-an-address', password, region: 'eu-central' }],
      ['/v1/auth/sign-up', { name: 'X', email: 'x@example.org', password: 'short', region: 'eu-central' }],
      ['/v1/auth/sign-up', { name: ' padded ', email: 'x@example.org', password, region: 'eu-central' }],
      ['/v1/auth/sign-in', { email: 'x@example.org', password, remember: true }],
      ['/v1/auth/sign-in', { email: 'x@example.org' }],
      ['/v1/auth/confirm-email', { token: 'short' }],
      ['/v1/auth/password-reset', { email: 42 }],
      ['/v1/auth/password-reset/complete', { token: 'A'.repeat(43), password: 'short' }],
    ] as const) {
      const answer = await api.call('POST', path, { body });
      expect(answer.status, `${path} ${JSON.stringify(body)}: ${answer.text}`).toBe(400);
      expect(answer.body?.['code']).toBe('VALIDATION');
    }
  });

  it('lets a confirmation link work once and only until it expires, and a newer one replace it', async () => {
    const email = 'alan@example.org';
    await api.call('POST', '/v1/auth/sign-up', {
      body: { name: 'Alan Turing', email, password, region: 'eu-central' },
    });
    const first = tokenIn(await api.mailTo(email, 1));
    await api.call('POST', '/v1/auth/confirm-email/resend', { body: { email } });
    const second = tokenIn(await api.mailTo(email, 2));
    expect(second).not.toBe(first);
    expect(await api.call('POST', '/v1/auth/confirm-email', { body: { token: first } })).toMatchObject({
      status: 410,
    });
    api.advance(24 * hour);
    expect(await api.call('POST', '/v1/auth/confirm-email', { body: { token: second } })).toMatchObject({
      status: 410,
      body: { code: 'LINK_INVALID' },
    });
    api.advance(-24 * hour + 1000);
    await api.call('POST', '/v1/auth/confirm-email/resend', { body: { email } });
    const third = tokenIn(await api.mailTo(email, 3));
    api.advance(24 * hour - 2000);
    expect(await api.call('POST', '/v1/auth/confirm-email', { body: { token: third } })).toMatchObject({
      status: 200,
    });
    api.now = new Date('2026-12-01T09:00:00.000Z');
  });

  it('replaces an unconfirmed sign-up of the same address, and forgets one after 7 days', async () => {
    const email = 'edsger@example.org';
    const signUp = (name: string, pass: string) =>
      api.call('POST', '/v1/auth/sign-up', { body: { name, email, password: pass, region: 'eu-central' } });
    await signUp('Squatter', 'the squatters password');
    const squatterLink = tokenIn(await api.mailTo(email, 1));
    await signUp('Edsger Dijkstra', password);
    const ownLink = tokenIn(await api.mailTo(email, 2));
    expect((await api.call('POST', '/v1/auth/confirm-email', { body: { token: squatterLink } })).status).toBe(410);
    const early = await api.call('POST', '/v1/auth/sign-in', { body: { email, password: 'the squatters password' } });
    expect(early).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });

    api.advance(7 * 24 * hour);
    const resend = await api.call('POST', '/v1/auth/confirm-email/resend', { body: { email } });
    expect(resend.status).toBe(202);
    const forgotten = await api.call('POST', '/v1/auth/sign-in', { body: { email, password } });
    expect(forgotten).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
    expect((await api.call('POST', '/v1/auth/confirm-email', { body: { token: ownLink } })).status).toBe(410);
    await signUp('Edsger Dijkstra', password);
    const fresh = tokenIn(await api.mailTo(email, 3));
    expect((await api.call('POST', '/v1/auth/confirm-email', { body: { token: fresh } })).status).toBe(200);
    expect(api.messagesTo(email)).toHaveLength(3);
    await api.signIn(email, password);
    api.now = new Date('2026-12-01T09:00:00.000Z');
  });

  describe('sessions', () => {
    it('refuse forged, tampered and foreign cookies with 401', async () => {
      const session = await api.signIn('grace@example.org', password);
      const flipped = session.token.slice(0, -1) + (session.token.endsWith('A') ? 'B' : 'A');
      for (const cookie of [
        `__Host-holdfast-session=${flipped}`,
        `__Host-holdfast-session=${session.token}x`,
        `__Host-holdfast-session=${'A'.repeat(43)}`,
        `holdfast-session=${session.token}`,
        '__Host-holdfast-session=',
      ]) {
        const answer = await api.call('GET', '/v1/me', { headers: { cookie } });
        expect(answer, cookie).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      }
      expect((await api.call('GET', '/v1/me', { session })).status).toBe(200);
    });

    it('need the CSRF token on unsafe requests: missing or wrong is 403 CSRF_FAILED', async () => {
      const session = await api.signIn('grace@example.org', password);
      const other = await api.signIn('alan@example.org', password);
      for (const csrf of [null, '', 'wrong', other.csrfToken]) {
        const answer = await api.call('PATCH', '/v1/me', { session, csrf, body: { name: 'Grace B. Hopper' } });
        expect(answer, String(csrf)).toMatchObject({ status: 403, body: { code: 'CSRF_FAILED' } });
        const out = await api.call('POST', '/v1/auth/sign-out', { session, csrf });
        expect(out.status).toBe(403);
      }
      const renamed = await api.call('PATCH', '/v1/me', { session, body: { name: 'Grace B. Hopper' } });
      expect(renamed).toMatchObject({ status: 200, body: { user: { name: 'Grace B. Hopper' } } });
      expect((await api.call('GET', '/v1/me', { session, csrf: null })).status).toBe(200);
    });

    it('replace a session presented at sign-in (no fixation)', async () => {
      const first = await api.signIn('grace@example.org', password);
      const answer = await api.call('POST', '/v1/auth/sign-in', {
        body: { email: 'grace@example.org', password },
        headers: { cookie: first.cookie },
      });
      const second = sessionFrom(answer);
      expect(second.token).not.toBe(first.token);
      expect((await api.call('GET', '/v1/me', { session: first })).status).toBe(401);
      expect((await api.call('GET', '/v1/me', { session: second })).status).toBe(200);
    });

    it('end after 2 idle hours and 12 hours in all', async () => {
      const idle = await api.signIn('grace@example.org', password);
      api.advance(2 * hour - 1000);
      expect((await api.call('GET', '/v1/me', { session: idle })).status).toBe(200);
      api.advance(2 * hour - 1000);
      expect((await api.call('GET', '/v1/me', { session: idle })).status).toBe(200);
      api.advance(2 * hour);
      expect((await api.call('GET', '/v1/me', { session: idle })).status).toBe(401);

      const busy = await api.signIn('grace@example.org', password);
      for (let i = 0; i < 11; i++) {
        api.advance(hour);
        expect((await api.call('GET', '/v1/auth/session', { session: busy })).status).toBe(200);
      }
      api.advance(hour);
      expect((await api.call('GET', '/v1/auth/session', { session: busy })).status).toBe(401);
      api.now = new Date('2026-12-01T09:00:00.000Z');
    });
  });
});
