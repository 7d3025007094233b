/**
 * What every change of IP restrictions does besides itself, on SQLite and PostgreSQL: no change may
 * lock its own caller out (switching on, changing or deleting rules; people and API keys alike, IPv6
 * callers too), each change is audited in its transaction with who, from where and what changed, and
 * each is emailed to every Administrator (never a Custom user or an invitee) after it commits — a mail
 * failure leaving the change in place.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '../../src/email/templates.ts';
import { bearerCredential, type Credential } from '../support/credentials.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { seedUser } from '../support/seed.ts';
import { auditOf, seedIpAccount, send, startIpServer, type IpAccount, type IpServer } from './ip-harness.ts';

const office = '203.0.113.0/24';
const home = '198.51.100.7';

describeOnBothDatabases('changes of IP restrictions', (target) => {
  let server: IpServer;

  beforeAll(async () => {
    server = await startIpServer(target().config);
  });
  afterAll(async () => {
    await server.close();
  });

  async function ruleOf(ip: IpAccount, range: string, description = ''): Promise<string> {
    const created = await send(server, 'POST', '/v1/ip-rules', {
      credential: ip.adminSession,
      body: { range, description },
    });
    expect(created.status, created.text).toBe(201);
    return String(created.body['id']);
  }

  const switchTo = (credential: Credential, enabled: boolean, address: string) =>
    send(server, 'PATCH', '/v1/account/ip-restrictions', { credential, address, body: { enabled } });

  describe('lockout', () => {
    it('refuses to switch on when no rule trusts the caller, person or API key', async () => {
      const ip = await seedIpAccount(server, target().config);
      const refused = await switchTo(ip.adminSession, true, '203.0.113.9');
      expect(refused).toMatchObject({ status: 422, body: { code: 'IP_RESTRICTION_LOCKOUT' } });
      expect(String(refused.body['detail'])).toContain('203.0.113.9');

      await ruleOf(ip, office, 'Head office');
      const bearer = await bearerCredential(server.url, ip.key);
      expect(await switchTo(bearer, true, home)).toMatchObject({
        status: 422,
        body: { code: 'IP_RESTRICTION_LOCKOUT' },
      });
      const ipv6 = await switchTo(ip.adminSession, true, '2001:db8::7');
      expect(ipv6).toMatchObject({ status: 422, body: { code: 'IP_RESTRICTION_LOCKOUT' } });
      expect(String(ipv6.body['detail'])).toContain('not IPv4');
      expect(await auditOf(server, ip.account.id, 'ip_restrictions_enabled')).toEqual([]);

      const on = await switchTo(bearer, true, '203.0.113.9');
      expect(on).toMatchObject({
        status: 200,
        body: { enabled: true, ruleCount: 1, callerAddress: '203.0.113.9', callerTrusted: true },
      });
    });

    it('refuses, while on, to change or delete the rule that trusts the caller', async () => {
      const ip = await seedIpAccount(server, target().config);
      const officeRule = await ruleOf(ip, office);
      const vpnRule = await ruleOf(ip, '192.0.2.10-192.0.2.20', 'VPN');
      const bearer = await bearerCredential(server.url, ip.key);
      expect((await switchTo(ip.adminSession, true, '203.0.113.9')).status).toBe(200);

      for (const credential of [ip.adminSession, bearer]) {
        const narrowed = await send(server, 'PATCH', `/v1/ip-rules/${officeRule}`, {
          credential,
          address: '203.0.113.9',
          body: { range: '203.0.113.128/25' },
        });
        expect(narrowed, credential.kind).toMatchObject({ status: 422, body: { code: 'IP_RESTRICTION_LOCKOUT' } });
        const deleted = await send(server, 'DELETE', `/v1/ip-rules/${officeRule}`, {
          credential,
          address: '203.0.113.9',
        });
        expect(deleted, credential.kind).toMatchObject({ status: 422, body: { code: 'IP_RESTRICTION_LOCKOUT' } });
      }
      const kept = await send(server, 'GET', `/v1/ip-rules/${officeRule}`, {
        credential: ip.adminSession,
        address: '203.0.113.9',
      });
      expect(kept.body).toMatchObject({ range: office });

      // A change that keeps the caller trusted goes through, and so do changes from another trusted address.
      const kept9 = await send(server, 'PATCH', `/v1/ip-rules/${officeRule}`, {
        credential: ip.adminSession,
        address: '203.0.113.9',
        body: { range: '203.0.113.0/28' },
      });
      expect(kept9.status, kept9.text).toBe(200);
      const fromVpn = await send(server, 'DELETE', `/v1/ip-rules/${officeRule}`, {
        credential: ip.adminSession,
        address: '192.0.2.15',
      });
      expect(fromVpn.status, fromVpn.text).toBe(204);
      const lastOne = await send(server, 'DELETE', `/v1/ip-rules/${vpnRule}`, {
        credential: ip.adminSession,
        address: '192.0.2.15',
      });
      expect(lastOne.status).toBe(422);

      expect((await switchTo(ip.adminSession, false, '192.0.2.15')).status).toBe(200);
      server.advance(1000);
      const afterOff = await send(server, 'DELETE', `/v1/ip-rules/${vpnRule}`, {
        credential: ip.adminSession,
        address: home,
      });
      expect(afterOff.status).toBe(204);
      expect((await auditOf(server, ip.account.id, 'ip_rule_deleted')).map((entry) => entry.details['ruleId'])).toEqual(
        [officeRule, vpnRule],
      );
    });
  });

  describe('audit and email', () => {
    let ip: IpAccount;
    let invitedAdmin: string;

    beforeAll(async () => {
      ip = await seedIpAccount(server, target().config, 'Lovelace Analytics');
      invitedAdmin = (await seedUser(server.db, ip.account.id, { status: 'invited', now: server.now() })).email;
    });

    it('audits every change with who, from where and what, and emails every Administrator', async () => {
      server.mail.messages.length = 0;
      const bearer = await bearerCredential(server.url, ip.key);
      const createdAt = formatTime(server.now());
      const id = await ruleOf(ip, office, 'Head office');
      server.advance(1000);
      await send(server, 'PATCH', `/v1/ip-rules/${id}`, {
        credential: ip.adminSession,
        address: '203.0.113.9',
        body: { range: '203.0.112.0/23', description: 'Head office, both floors' },
      });
      server.advance(1000);
      expect((await switchTo(bearer, true, '203.0.113.9')).status).toBe(200);
      server.advance(1000);
      expect((await switchTo(ip.primarySession, false, '203.0.113.10')).status).toBe(200);
      server.advance(1000);
      expect(
        (await send(server, 'DELETE', `/v1/ip-rules/${id}`, { credential: ip.adminSession, address: home })).status,
      ).toBe(204);

      const entries = await auditOf(server, ip.account.id);
      expect(
        entries.map((entry) => [entry.activity, entry.status, entry.actor_kind, entry.actor_name, entry.source_ip]),
      ).toEqual([
        ['ip_rule_created', 'succeeded', 'user', ip.admin.email, '127.0.0.1'],
        ['ip_rule_updated', 'succeeded', 'user', ip.admin.email, '203.0.113.9'],
        ['ip_restrictions_enabled', 'succeeded', 'api_key', 'Nightly export', '203.0.113.9'],
        ['ip_restrictions_disabled', 'succeeded', 'user', ip.account.primary.email, '203.0.113.10'],
        ['ip_rule_deleted', 'succeeded', 'user', ip.admin.email, home],
      ]);
      expect(entries[0]?.details).toEqual({ ruleId: id, range: office, description: 'Head office' });
      expect(entries[1]?.details).toEqual({
        ruleId: id,
        fromRange: office,
        toRange: '203.0.112.0/23',
        fromDescription: 'Head office',
        toDescription: 'Head office, both floors',
      });
      expect(entries[2]?.details).toEqual({ ruleCount: 1 });
      expect(entries[4]?.details).toMatchObject({ range: '203.0.112.0/23' });

      for (const admin of [ip.account.primary.email, ip.admin.email]) {
        const messages = server.mail.to(admin);
        expect(messages.map((message) => message.subject)).toEqual([
          'Holdfast account Lovelace Analytics: a trusted address was added',
          'Holdfast account Lovelace Analytics: a trusted address was changed',
          'Holdfast account Lovelace Analytics: IP restrictions are on',
          'Holdfast account Lovelace Analytics: IP restrictions are off',
          'Holdfast account Lovelace Analytics: a trusted address was removed',
        ]);
        expect(messages[0]?.text).toContain('Added the trusted range 203.0.113.0/24 ("Head office")');
        expect(messages[0]?.text).toContain(`By: ${ip.admin.email}\nFrom the address: 127.0.0.1\nAt: ${createdAt}`);
        expect(messages[1]?.text).toContain('to 203.0.112.0/23 ("Head office, both floors")');
        expect(messages[2]?.text).toContain('By: the API key "Nightly export"\nFrom the address: 203.0.113.9');
        expect(messages[4]?.text).toContain(`From the address: ${home}`);
      }
      expect(server.mail.to(ip.custom.email)).toEqual([]);
      expect(server.mail.to(invitedAdmin)).toEqual([]);
    });

    it('writes neither an entry nor an email for a refused change, or for one that changes nothing', async () => {
      server.mail.messages.length = 0;
      const before = await auditOf(server, ip.account.id);
      expect((await switchTo(ip.adminSession, true, home)).status).toBe(422);
      expect((await switchTo(ip.adminSession, false, home)).status).toBe(200);
      expect(await auditOf(server, ip.account.id)).toEqual(before);
      expect(server.mail.messages).toEqual([]);
    });

    it('escapes what administrators wrote in the HTML email', async () => {
      server.mail.messages.length = 0;
      server.advance(1000);
      await ruleOf(ip, '192.0.2.99', '<script>alert(1)</script> & co');
      const html = server.mail.to(ip.admin.email)[0]?.html ?? '';
      expect(html).not.toContain('<script>');
      expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; co');
    });

    it('keeps the change when an email cannot be sent, and logs it', async () => {
      server.mail.messages.length = 0;
      server.advance(1000);
      server.mail.failNext();
      const created = await send(server, 'POST', '/v1/ip-rules', {
        credential: ip.adminSession,
        body: { range: '192.0.2.77', description: 'Printer' },
      });
      expect(created.status, created.text).toBe(201);
      const read = await send(server, 'GET', `/v1/ip-rules/${String(created.body['id'])}`, {
        credential: ip.adminSession,
      });
      expect(read.status).toBe(200);
      expect(server.mail.messages).toHaveLength(1);
      expect(server.running.logs.text()).toContain('an IP restriction change email was not sent');
      const entries = await auditOf(server, ip.account.id, 'ip_rule_created');
      expect(entries.at(-1)?.details).toMatchObject({ range: '192.0.2.77' });
    });
  });
});
