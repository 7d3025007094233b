/**
 * IP restrictions through `@holdfast/sdk` against the real server, on SQLite and PostgreSQL, as a
 * program with an Administrator API key would use them: rules created, listed across pages, read,
 * changed and deleted; a malformed range and a lockout as typed errors; restrictions on, and then an
 * untrusted address refused both at the token endpoint (`OAuthError unauthorized_client`) and with a
 * token already held (`HoldfastApiError IP_NOT_TRUSTED`).
 *
 * The server trusts 127.0.0.1 as a proxy, and the client's `fetch` adds `X-Forwarded-For`, so each
 * client calls "from" the address a test gives it.
 */
import { createHoldfastClient, isHoldfastApiError, isOAuthError, type HoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readOutbox } from '../email/mail-reader.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';
import { signUpWithApiKey, type SdkAccount } from './sdk-account.ts';

const office = '203.0.113.9';
const home = '198.51.100.7';

describeOnBothDatabases('IP restrictions through the SDK', (target) => {
  let running: RunningServer;
  let account: SdkAccount;

  /** A client of the account's key whose requests come from `address` (changeable later). */
  function clientFrom(address: string): { client: HoldfastClient; moveTo: (next: string) => void } {
    let current = address;
    const client = createHoldfastClient({
      baseUrl: running.url,
      clientId: account.clientId,
      clientSecret: account.clientSecret,
      fetch: (input: Request) => {
        const request = new Request(input);
        request.headers.set('X-Forwarded-For', current);
        return fetch(request);
      },
    });
    return {
      client,
      moveTo: (next) => {
        current = next;
      },
    };
  }

  beforeAll(async () => {
    running = await startServer({ ...target().config, trustedProxies: ['127.0.0.1'] });
    account = await signUpWithApiKey(running.url, target().config.outboxDir);
  });
  afterAll(async () => {
    await running.close();
  });

  it('manages rules, refuses a lockout, and then refuses untrusted addresses', async () => {
    const { client, moveTo } = clientFrom(office);
    expect(await client.ipRestrictions.get()).toEqual({
      enabled: false,
      ruleCount: 0,
      callerAddress: office,
      callerTrusted: false,
    });

    const headOffice = await client.ipRules.create({ range: '203.0.113.0/24', description: 'Head office' });
    expect(headOffice).toMatchObject({
      range: '203.0.113.0/24',
      firstAddress: '203.0.113.0',
      lastAddress: '203.0.113.255',
    });
    const vpn = await client.ipRules.create({ range: '192.0.2.10 - 192.0.2.20', description: 'VPN' });
    const printer = await client.ipRules.create({ range: '192.0.2.99', description: 'Printer' });
    expect(vpn.range).toBe('192.0.2.10-192.0.2.20');

    const listed: string[] = [];
    for await (const rule of client.ipRules.list()) listed.push(rule.id);
    expect(listed.sort()).toEqual([headOffice.id, vpn.id, printer.id].sort());
    expect(await client.ipRules.get(vpn.id)).toEqual(vpn);
    expect((await client.ipRules.update(vpn.id, { description: 'VPN exit' })).description).toBe('VPN exit');
    await client.ipRules.delete(printer.id);
    const gone: unknown = await client.ipRules.get(printer.id).catch((caught: unknown) => caught);
    expect(isHoldfastApiError(gone, 'NOT_FOUND')).toBe(true);

    const malformed: unknown = await client.ipRules
      .create({ range: '10.0.0.1/8', description: '' })
      .catch((caught: unknown) => caught);
    expect(isHoldfastApiError(malformed, 'VALIDATION')).toBe(true);
    expect(malformed).toMatchObject({
      status: 400,
      errors: [{ path: '/body/range', message: '10.0.0.1/8 has host bits set: the block is 10.0.0.0/8' }],
    });
    const duplicate: unknown = await client.ipRules
      .create({ range: '203.0.113.0 - 203.0.113.255', description: 'Again' })
      .catch((caught: unknown) => caught);
    expect(isHoldfastApiError(duplicate, 'CONFLICT')).toBe(true);

    moveTo(home);
    const lockout: unknown = await client.ipRestrictions.update({ enabled: true }).catch((caught: unknown) => caught);
    expect(isHoldfastApiError(lockout, 'IP_RESTRICTION_LOCKOUT')).toBe(true);
    expect(lockout).toMatchObject({ status: 422 });

    moveTo(office);
    expect(await client.ipRestrictions.update({ enabled: true })).toEqual({
      enabled: true,
      ruleCount: 2,
      callerAddress: office,
      callerTrusted: true,
    });

    moveTo(home);
    const refused: unknown = await client.me().catch((caught: unknown) => caught);
    expect(isHoldfastApiError(refused, 'IP_NOT_TRUSTED')).toBe(true);
    expect(refused).toMatchObject({ status: 403 });
    const stranger = clientFrom(home).client;
    const noToken: unknown = await stranger.me().catch((caught: unknown) => caught);
    expect(isOAuthError(noToken, 'unauthorized_client')).toBe(true);

    moveTo('192.0.2.15');
    expect((await client.me()).principal).toBe('api_key');
    expect((await client.ipRestrictions.update({ enabled: false })).enabled).toBe(false);
    expect((await stranger.me()).principal).toBe('api_key');

    const notices = readOutbox(target().config.outboxDir).filter(
      (message) => message.to.includes(account.email) && message.subject.includes('IP restrictions are on'),
    );
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain('By: the API key "SDK tests"');
    expect(notices[0]?.text).toContain(`From the address: ${office}`);
  });
});
