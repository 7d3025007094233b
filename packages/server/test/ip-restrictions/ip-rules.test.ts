/**
 * The trusted addresses and ranges over HTTP, on SQLite and PostgreSQL: create, read, change, delete;
 * keyset pages in both orders; malformed ranges answering `400 VALIDATION` on `/body/range` with the
 * reason, and writing nothing; duplicates (however written) answering `409`; the 500-rule limit; the
 * switch and what it says of the caller's own address.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/db/ids.ts';
import { toTimestamp } from '../../src/db/time.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { seedIpAccount, send, startIpServer, type IpAccount, type IpServer } from './ip-harness.ts';

interface RuleBody {
  id: string;
  range: string;
  firstAddress: string;
  lastAddress: string;
  description: string;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
}

describeOnBothDatabases('IP rules', (target) => {
  let server: IpServer;
  let ip: IpAccount;

  beforeAll(async () => {
    server = await startIpServer(target().config);
    ip = await seedIpAccount(server, target().config);
  });
  afterAll(async () => {
    await server.close();
  });

  const create = (body: unknown, account: IpAccount = ip) =>
    send(server, 'POST', '/v1/ip-rules', { credential: account.adminSession, body });

  it('creates, reads, changes and deletes a rule', async () => {
    const created = await create({ range: '203.0.113.10 - 203.0.113.20', description: 'VPN exit' });
    expect(created.status, created.text).toBe(201);
    const rule = created.body as unknown as RuleBody;
    expect(rule).toEqual({
      id: expect.stringMatching(/^ipr_[0-9a-hjkmnp-tv-z]{26}$/),
      range: '203.0.113.10-203.0.113.20',
      firstAddress: '203.0.113.10',
      lastAddress: '203.0.113.20',
      description: 'VPN exit',
      createdAt: '2026-12-01T09:00:00Z',
      createdBy: ip.admin.id,
      updatedAt: '2026-12-01T09:00:00Z',
    });
    expect(created.headers.get('location')).toBe(`/v1/ip-rules/${rule.id}`);

    const read = await send(server, 'GET', `/v1/ip-rules/${rule.id}`, { credential: ip.customSession });
    expect(read).toMatchObject({ status: 200, body: rule });

    server.advance(60_000);
    const changed = await send(server, 'PATCH', `/v1/ip-rules/${rule.id}`, {
      credential: ip.adminSession,
      body: { range: '203.0.113.0/24' },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toEqual({
      ...rule,
      range: '203.0.113.0/24',
      firstAddress: '203.0.113.0',
      lastAddress: '203.0.113.255',
      updatedAt: '2026-12-01T09:01:00Z',
    });
    const renamed = await send(server, 'PATCH', `/v1/ip-rules/${rule.id}`, {
      credential: ip.adminSession,
      body: { description: '' },
    });
    expect(renamed.body).toMatchObject({ range: '203.0.113.0/24', description: '' });

    const deleted = await send(server, 'DELETE', `/v1/ip-rules/${rule.id}`, { credential: ip.adminSession });
    expect(deleted.status, deleted.text).toBe(204);
    const gone = await send(server, 'GET', `/v1/ip-rules/${rule.id}`, { credential: ip.adminSession });
    expect(gone).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const again = await send(server, 'DELETE', `/v1/ip-rules/${rule.id}`, { credential: ip.adminSession });
    expect(again.status).toBe(404);
  });

  it('gives a rule created without a description an empty one', async () => {
    const created = await create({ range: '192.0.2.1' });
    expect(created).toMatchObject({ status: 201, body: { range: '192.0.2.1', description: '' } });
  });

  it('pages by cursor in both orders, without skipping or repeating', async () => {
    const other = await seedIpAccount(server, target().config);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      server.advance(1000);
      const created = await create({ range: `198.51.100.${String(i)}` }, other);
      ids.push(String(created.body['id']));
    }
    for (const [order, expected] of [
      ['createdAt', ids],
      ['-createdAt', [...ids].reverse()],
    ] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query = `?limit=2&order=${order}${cursor === null ? '' : `&cursor=${cursor}`}`;
        const page = await send(server, 'GET', `/v1/ip-rules${query}`, { credential: other.adminSession });
        expect(page.status, page.text).toBe(200);
        const body = page.body as unknown as { items: RuleBody[]; nextCursor: string | null };
        expect(body.items.length).toBeLessThanOrEqual(2);
        seen.push(...body.items.map((item) => item.id));
        cursor = body.nextCursor;
      } while (cursor !== null);
      expect(seen).toEqual(expected);
    }
    const first = await send(server, 'GET', '/v1/ip-rules?limit=2&order=createdAt', { credential: other.adminSession });
    const otherOrder = await send(
      server,
      'GET',
      `/v1/ip-rules?limit=2&order=-createdAt&cursor=${String(first.body['nextCursor'])}`,
      { credential: other.adminSession },
    );
    expect(otherOrder).toMatchObject({ status: 400, body: { code: 'INVALID_CURSOR' } });
  });

  it.each([
    ['a leading zero', '10.0.0.01', '"01" in 10.0.0.01 has a leading zero: write 1'],
    ['an octet above 255', '10.0.0.256', '256 in 10.0.0.256 is above 255'],
    ['a prefix above 32', '10.0.0.0/33', 'the prefix /33 is above 32'],
    ['host bits', '10.0.0.1/8', '10.0.0.1/8 has host bits set: the block is 10.0.0.0/8'],
    ['IPv6', '::1', 'IPv6 is not supported yet'],
    ['a reversed range', '10.0.0.9-10.0.0.1', 'the range 10.0.0.9-10.0.0.1 is reversed'],
    ['garbage', 'office', '"office" is not an IPv4 address, a range (first-last) or a CIDR block'],
  ])('refuses %s with 400 VALIDATION on /body/range, writing nothing', async (_name, range, reason) => {
    const before = await server.db
      .selectFrom('ip_rules')
      .select('id')
      .where('account_id', '=', ip.account.id)
      .execute();
    const created = await create({ range });
    expect(created.status, created.text).toBe(400);
    expect(created.headers.get('content-type')).toContain('application/problem+json');
    expect(created.body).toMatchObject({ code: 'VALIDATION', errors: [{ path: '/body/range' }] });
    const errors = created.body['errors'] as { message: string }[];
    expect(errors[0]?.message).toContain(reason);
    expect(String(created.body['detail'])).toContain(reason);

    const victim = await create({ range: `192.0.2.${String(100 + before.length)}` });
    const changed = await send(server, 'PATCH', `/v1/ip-rules/${String(victim.body['id'])}`, {
      credential: ip.adminSession,
      body: { range },
    });
    expect(changed).toMatchObject({ status: 400, body: { code: 'VALIDATION', errors: [{ path: '/body/range' }] } });
    const after = await server.db.selectFrom('ip_rules').select('id').where('account_id', '=', ip.account.id).execute();
    expect(after).toHaveLength(before.length + 1);
  });

  it('refuses a range another rule already has, however it is written (409)', async () => {
    const fresh = await seedIpAccount(server, target().config);
    const first = await create({ range: '203.0.113.7' }, fresh);
    expect(first.status).toBe(201);
    for (const range of ['203.0.113.7', '203.0.113.7/32', '203.0.113.7 - 203.0.113.7']) {
      const duplicate = await create({ range }, fresh);
      expect(duplicate, range).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
      expect(String(duplicate.body['detail'])).toContain(String(first.body['id']));
    }
    const second = await create({ range: '203.0.113.0/24' }, fresh);
    const clash = await send(server, 'PATCH', `/v1/ip-rules/${String(second.body['id'])}`, {
      credential: fresh.adminSession,
      body: { range: '203.0.113.7/32' },
    });
    expect(clash).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    // Rewriting a rule's own range in another form is no clash.
    const rewritten = await send(server, 'PATCH', `/v1/ip-rules/${String(first.body['id'])}`, {
      credential: fresh.adminSession,
      body: { range: '203.0.113.7/32' },
    });
    expect(rewritten).toMatchObject({ status: 200, body: { range: '203.0.113.7/32' } });
    // The same range in another account is that account's business.
    expect((await create({ range: '203.0.113.7' })).status).toBe(201);
  });

  it('holds at most 500 rules (422 LIMIT_REACHED)', async () => {
    const full = await seedIpAccount(server, target().config);
    const at = toTimestamp(server.now());
    await server.db
      .insertInto('ip_rules')
      .values(
        Array.from({ length: 499 }, (_, i) => {
          const address = `10.1.${String(Math.floor(i / 256))}.${String(i % 256)}`;
          return {
            id: newId('ipr'),
            account_id: full.account.id,
            range_text: address,
            first_address: address,
            last_address: address,
            description: '',
            created_by: null,
            created_at: at,
            updated_at: at,
          };
        }),
      )
      .execute();
    expect((await create({ range: '10.2.0.0/16' }, full)).status).toBe(201);
    const over = await create({ range: '10.3.0.0/16' }, full);
    expect(over).toMatchObject({ status: 422, body: { code: 'LIMIT_REACHED' } });
    expect(String(over.body['detail'])).toContain('at most 500');
    const count = await server.db
      .selectFrom('ip_rules')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('account_id', '=', full.account.id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(500);
  });

  it('says whether restrictions are on and whether they trust the caller', async () => {
    const fresh = await seedIpAccount(server, target().config);
    await create({ range: '203.0.113.0/24' }, fresh);
    const inside = await send(server, 'GET', '/v1/account/ip-restrictions', {
      credential: fresh.customSession,
      address: '203.0.113.9',
    });
    expect(inside).toMatchObject({
      status: 200,
      body: { enabled: false, ruleCount: 1, callerAddress: '203.0.113.9', callerTrusted: true },
    });
    const outside = await send(server, 'GET', '/v1/account/ip-restrictions', {
      credential: fresh.customSession,
      address: '198.51.100.9',
    });
    expect(outside.body).toEqual({ enabled: false, ruleCount: 1, callerAddress: '198.51.100.9', callerTrusted: false });
  });
});
