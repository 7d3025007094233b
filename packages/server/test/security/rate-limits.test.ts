/**
 * The rate limit of public operations, on both databases, at 5 requests a minute (bursts of 5) per
 * client address: the sixth answers `429 THROTTLED` with `Retry-After` (problem+json, at the OAuth
 * endpoints too), one request comes back per 12 seconds of the server's clock, every public operation
 * draws on the same bucket, an IPv6 /64 is one client, and the probes and signed-in operations are never
 * limited. With the limit `off` nothing is.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import { uniqueEmail } from '../support/seed.ts';
import { startSecurityServer, strictSecurity, type SecurityHarness } from './security-harness.ts';

const regions = (h: SecurityHarness, from: string) => h.request('GET', '/v1/regions', { from });

describeOnBothDatabases(
  'rate limits of public operations',
  (target) => {
    let h: SecurityHarness;
    beforeAll(async () => {
      h = await startSecurityServer(target().config);
    });
    afterAll(async () => {
      await h.close();
    });

    it('answers 429 with Retry-After beyond the burst, and recovers as the clock moves', async () => {
      const from = '203.0.113.120';
      for (let i = 0; i < 5; i++) expect((await regions(h, from)).status).toBe(200);
      const limited = await regions(h, from);
      expect(limited).toMatchObject({
        status: 429,
        body: { code: 'THROTTLED', detail: 'Too many requests. Try again in 12 seconds.' },
      });
      expect(limited.headers.get('retry-after')).toBe('12');
      expect(limited.headers.get('content-type')).toBe('application/problem+json');
      h.advance(11_000);
      expect((await regions(h, from)).headers.get('retry-after')).toBe('1');
      h.advance(1000);
      expect((await regions(h, from)).status).toBe(200);
      expect((await regions(h, from)).status).toBe(429);
      h.advance(60_000);
      for (let i = 0; i < 5; i++) expect((await regions(h, from)).status).toBe(200);
      expect((await regions(h, from)).status).toBe(429);
      expect((await regions(h, '203.0.113.121')).status).toBe(200);
    });

    it('shares one bucket across public operations, the OAuth endpoints included', async () => {
      const from = '203.0.113.122';
      const email = uniqueEmail('limited');
      const answers = [
        await h.request('POST', '/v1/auth/password-reset', { from, body: { email } }),
        await h.request('POST', '/v1/auth/confirm-email/resend', { from, body: { email } }),
        await h.signIn(email, 'a password', from),
        await regions(h, from),
        await h.request('POST', '/v1/auth/sign-in', { from, body: { email } }),
        await h.request('POST', '/v1/oauth/token', { from, form: { grant_type: 'client_credentials' } }),
        await h.request('POST', '/v1/auth/password-reset', { from, body: { email } }),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([202, 202, 401, 200, 400, 429, 429]);
      expect(answers[5]?.body).toMatchObject({ code: 'THROTTLED' });
      expect(answers[5]?.headers.get('content-type')).toBe('application/problem+json');
      h.advance(60_000);
    });

    it('counts an IPv6 /64 as one client', async () => {
      for (let i = 1; i <= 5; i++) expect((await regions(h, `2001:db8:5:6::${i}`)).status).toBe(200);
      expect((await regions(h, '2001:db8:5:6:ffff:ffff:ffff:ffff')).status).toBe(429);
      expect((await regions(h, '2001:db8:5:7::1')).status).toBe(200);
      h.advance(60_000);
    });

    it('never limits the probes or the operations that need credentials', async () => {
      const from = '203.0.113.123';
      for (let i = 0; i < 12; i++) {
        expect((await h.request('GET', '/healthz', { from })).status).toBe(200);
        expect((await h.request('GET', '/readyz', { from })).status).toBe(200);
        expect((await h.request('GET', '/v1/me', { from })).status).toBe(401);
      }
      expect((await regions(h, from)).status).toBe(200);
    });
  },
  { ...strictSecurity, publicRateLimit: { requests: 5, perMs: 60_000, burst: 5 } },
);

describeOnBothDatabases(
  'rate limits turned off',
  (target) => {
    let h: SecurityHarness;
    beforeAll(async () => {
      h = await startSecurityServer(target().config);
    });
    afterAll(async () => {
      await h.close();
    });

    it('lets every request through', async () => {
      for (let i = 0; i < 50; i++) expect((await regions(h, '203.0.113.124')).status).toBe(200);
    });
  },
  { ...strictSecurity, publicRateLimit: null },
);
