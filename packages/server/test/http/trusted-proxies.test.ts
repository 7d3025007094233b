import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hopAddress, trustedProxyList } from '../../src/http/middleware/trusted-proxies.ts';
import { testConfig } from '../support/test-config.ts';
import { startServer } from '../support/test-server.ts';

describe('trusted proxies', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'holdfast-proxies-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['IPv4 address', ['10.0.0.1'], '10.0.0.1', true],
    ['IPv4 range', ['10.0.0.0/8'], '10.200.3.4', true],
    ['outside the range', ['10.0.0.0/8'], '11.0.0.1', false],
    ['IPv4-mapped IPv6 peer', ['127.0.0.1'], '::ffff:127.0.0.1', true],
    ['IPv6 range', ['fd00::/8'], 'fd12::1', true],
    ['not an address', ['10.0.0.0/8'], 'unknown', false],
  ])('%s', (_name, list, address, expected) => {
    expect(trustedProxyList(list)(address)).toBe(expected);
  });

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['203.0.113.7:51234', '203.0.113.7'],
    ['2001:db8::1', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['unknown', null],
    ['proxy.example.org', null],
    ['203.0.113.7:port', null],
    ['[203.0.113.7]:80', null],
    ['999.1.1.1', null],
    ['', null],
  ])('reads the hop %j as %j', (hop, address) => {
    expect(hopAddress(hop)).toBe(address);
  });

  // The handler answers the client address the server worked out, as a region name.
  async function clientIpSeen(trusted: readonly string[], forwardedFor: string): Promise<string> {
    const running = await startServer(testConfig(dir, undefined, { trustedProxies: trusted }), {
      migrate: false,
      handlers: {
        listRegions: ({ ctx }) =>
          Promise.resolve({
            status: 200,
            body: { items: [{ id: 'x', name: ctx.ip, default: true }], nextCursor: null },
          }),
      },
    });
    try {
      const response = await fetch(`${running.url}/v1/regions`, { headers: { 'X-Forwarded-For': forwardedFor } });
      const body = (await response.json()) as { items: { name: string }[] };
      return body.items[0]?.name ?? '';
    } finally {
      await running.close();
    }
  }

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    expect(await clientIpSeen([], '203.0.113.7')).toBe('127.0.0.1');
    expect(await clientIpSeen(['10.0.0.0/8'], '203.0.113.7')).toBe('127.0.0.1');
  });

  it('walks X-Forwarded-For from the right past trusted hops only', async () => {
    expect(await clientIpSeen(['127.0.0.1'], '203.0.113.7, 10.0.0.1')).toBe('10.0.0.1');
    expect(await clientIpSeen(['127.0.0.1', '10.0.0.0/8'], '198.51.100.1, 203.0.113.7, 10.0.0.1')).toBe('203.0.113.7');
  });

  it('takes a hop with a port as its address, and stops at a hop that is no address', async () => {
    expect(await clientIpSeen(['127.0.0.1'], '203.0.113.7:51234')).toBe('203.0.113.7');
    expect(await clientIpSeen(['127.0.0.1'], '[2001:db8::5]:443')).toBe('2001:db8::5');
    // A client varying garbage gets no fresh identity: the proxy's own address is the client.
    expect(await clientIpSeen(['127.0.0.1'], 'client-chosen-garbage-1')).toBe('127.0.0.1');
    expect(await clientIpSeen(['127.0.0.1', '10.0.0.0/8'], '203.0.113.7, unknown, 10.0.0.1')).toBe('10.0.0.1');
  });
});
