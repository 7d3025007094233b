/**
 * Secrets never reach the logs: requests carry secrets everywhere a request can (headers, cookies, the
 * URL path and query, JSON and form bodies), a handler logs secret-named fields, and the captured log
 * output must contain none of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redacted, redactUrl, scrubSecrets } from '../../src/logging/logger.ts';
import { principal, resolverFor } from '../support/principals.ts';
import { testConfig } from '../support/test-config.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

const secret = (name: string): string => `SECRET${name}x9f3kq`;

describe('log redaction', () => {
  let dir: string;
  let running: RunningServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'holdfast-logs-'));
    running = await startServer(testConfig(dir), {
      migrate: false,
      resolvePrincipal: resolverFor({ admin: principal('user', { role: 'administrator' }) }),
      handlers: {
        listRegions: ({ ctx }) => {
          ctx.state.log.info(
            {
              password: secret('HandlerPassword'),
              user: { password: secret('NestedPassword'), token: secret('NestedToken') },
              body: { credentials: { clientSecret: secret('DeepClientSecret') } },
              refresh_token: secret('RefreshToken'),
            },
            'handler logged its input',
          );
          return Promise.resolve({ status: 200, body: { items: [], nextCursor: null } });
        },
      },
    });
  });
  afterAll(async () => {
    try {
      await running.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps every secret a request carries out of the logs', async () => {
    const json = { 'content-type': 'application/json' };
    await fetch(`${running.url}/v1/regions?token=${secret('QueryToken')}&client_secret=${secret('QuerySecret')}`);
    await fetch(`${running.url}/v1/regions`, {
      headers: {
        Authorization: `Bearer hfat_${secret('BearerToken')}`,
        Cookie: `__Host-holdfast-session=${secret('SessionCookie')}; other=${secret('OtherCookie')}`,
        'X-CSRF-Token': secret('CsrfToken'),
        'Proxy-Authorization': `Basic ${secret('ProxyAuth')}`,
      },
    });
    await fetch(`${running.url}/v1/invitations/${secret('InvitationToken').padEnd(43, 'A')}`);
    await fetch(`${running.url}/v1/invitations/${secret('InvitationAccept').padEnd(43, 'B')}/accept`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'Charles', password: secret('InvitePassword') }),
    });
    await fetch(`${running.url}/v1/auth/sign-in`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'ada@example.org', password: secret('SignInPassword') }),
    });
    await fetch(`${running.url}/v1/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`key_x:${secret('BasicSecret')}`).toString('base64')}`,
      },
      body: `grant_type=client_credentials&client_secret=${secret('FormSecret')}`,
    });
    await fetch(`${running.url}/v1/users`, {
      method: 'POST',
      headers: { ...json, 'X-Test-Principal': 'admin', 'X-CSRF-Token': secret('WrongCsrf') },
      body: '{"password": "' + secret('MalformedBody'),
    });

    const text = running.logs.text();
    expect(running.logs.lines().length).toBeGreaterThanOrEqual(7);
    expect(text).toContain('[redacted]');
    expect(text).toContain('handler logged its input');
    const leaked = [...text.matchAll(/SECRET\w+?x9f3kq/g)].map((match) => match[0]);
    expect(leaked).toEqual([]);
  });

  it.each([
    ['/v1/invitations/abcDEF123/accept', '/v1/invitations/[redacted]/accept'],
    ['/v1/users?limit=5&cursor=abc', '/v1/users?limit=5&cursor=abc'],
    [
      '/x?access_token=1&refresh_token=2&code=3&apiKey=4&q=ok',
      '/x?access_token=[redacted]&refresh_token=[redacted]&code=[redacted]&apiKey=[redacted]&q=ok',
    ],
  ])('redacts the URL %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('scrubSecrets', () => {
  it('replaces secret-named fields at any case and depth up to four, leaving the input as it was', () => {
    const input = {
      Password: 'p1',
      req: { headers: { Authorization: 'Bearer x', 'X-CSRF-Token': 'c', accept: '*/*' } },
      list: [{ token: 't' }, 'plain'],
      a: { b: { c: { secret: 's', d: { secret: 'too deep' } } } },
      kept: 'visible',
    };
    const before = JSON.stringify(input);
    expect(scrubSecrets(input)).toEqual({
      Password: redacted,
      req: { headers: { Authorization: redacted, 'X-CSRF-Token': redacted, accept: '*/*' } },
      list: [{ token: redacted }, 'plain'],
      a: { b: { c: { secret: redacted, d: { secret: 'too deep' } } } },
      kept: 'visible',
    });
    expect(JSON.stringify(input)).toBe(before);
  });

  it('shares what holds no secret, and scrubs errors into errors of the same class', () => {
    const headers = { host: 'x' };
    const plain = new TypeError('fine');
    const untouched = { headers, err: plain, at: new Date(0), token: undefined };
    expect(scrubSecrets(untouched)).toBe(untouched);

    const error = Object.assign(new RangeError('boom', { cause: 'why' }), { password: 'p', code: 'E1' });
    const output = scrubSecrets({ err: error }) as { err: RangeError & { password: string; code: string } };
    expect(output.err).not.toBe(error);
    expect(output.err).toBeInstanceOf(RangeError);
    expect(output.err).toMatchObject({ message: 'boom', stack: error.stack, cause: 'why', code: 'E1' });
    expect(output.err.password).toBe(redacted);
    expect(error.password).toBe('p');
  });
});
