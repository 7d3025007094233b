/**
 * `listAuditEvents` over HTTP on both databases: every filter of the contract alone and combined, the
 * time range's edges (`occurredAtFrom` inclusive, `occurredAtTo` exclusive), free text over the
 * description, the performer's name and the source address, both orders with the id breaking ties,
 * paging across several pages, cursors that refuse other filters or orders, and malformed values that
 * answer `400`, never `500`. Expectations come from the fixture data (`log-fixtures.ts`), not the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { call } from '../support/api-client.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { seedAccount, seedApiKey, seedUser, sessionPrincipalOf, testResolver } from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';
import { at, minute, ordered, seedAuditLog, taskA, taskB, type StoredAudit } from './log-fixtures.ts';

interface Page {
  readonly items: { readonly id: string; readonly [field: string]: unknown }[];
  readonly nextCursor: string | null;
}

const iso = (minutes: number, extraMs = 0): string => new Date(at(minutes).getTime() + extraMs).toISOString();

describeOnBothDatabases('listAuditEvents', (target) => {
  let running: RunningServer;
  const registered = new Map<string, Principal>();
  let entries: StoredAudit[];
  let ids: { ada: string; bob: string; key: string };

  beforeAll(async () => {
    running = await startServer(target().config, {
      mailer: new CapturedMail(),
      resolvePrincipal: testResolver(registered, () => undefined),
    });
    const { db } = running.server.services.database;
    const account = await seedAccount(db);
    registered.set('admin', sessionPrincipalOf(account.primary));
    const viewer = await seedUser(db, account.id, {
      access: { role: 'custom', operations: ['view_audit_log'], services: ['box', 'dropbox', 'local_folder'] },
    });
    registered.set('viewer', sessionPrincipalOf(viewer));
    const bob = await seedUser(db, account.id, { email: 'bob@example.org' });
    const key = await seedApiKey(db, account.id, { name: 'Nightly export' });
    ids = { ada: account.primary.id, bob: bob.id, key: key.id };
    entries = await seedAuditLog(db, account.id, {
      ada: { kind: 'user', id: account.primary.id, name: 'ada@example.org' },
      bob: { kind: 'user', id: bob.id, name: 'bob@example.org' },
      key: { kind: 'api_key', id: key.id, name: 'Nightly export' },
    });
    // Another account's entries, at the same times, must never show.
    const other = await seedAccount(db);
    await seedAuditLog(db, other.id, {
      ada: { kind: 'user', id: other.primary.id, name: 'ada@example.org' },
      bob: { kind: 'user', id: other.primary.id, name: 'bob@example.org' },
      key: { kind: 'api_key', id: other.primary.id.replace('usr_', 'key_'), name: 'Nightly export' },
    });
  });
  afterAll(async () => {
    await running.close();
  });

  async function list(query: string, as = 'admin'): Promise<Page> {
    const answer = await call<Page>(running.url, 'GET', `/v1/audit-events?${query}`, { as });
    expect(answer.status, answer.text).toBe(200);
    return answer.body;
  }

  /** Every page of a query, following the cursors. */
  async function everyPage(query: string): Promise<Page[]> {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`${query}${cursor === null ? '' : `&cursor=${cursor}`}`);
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 50);
    return pages;
  }

  const minuteOf = (entry: StoredAudit) => (Date.parse(entry.occurredAt) - at(0).getTime()) / minute;

  const filters: readonly (readonly [string, string, (entry: StoredAudit) => boolean])[] = [
    ['nothing', '', () => true],
    ['one activity', 'activity=sign_in', (e) => e.activity === 'sign_in'],
    [
      'several activities',
      'activity=lockout&activity=api_key_created',
      (e) => ['lockout', 'api_key_created'].includes(e.activity),
    ],
    ['an outcome', 'status=failed', (e) => e.status === 'failed'],
    ['both outcomes', 'status=failed&status=succeeded', () => true],
    ['a service', 'service=box', (e) => e.service === 'box'],
    ['two services', 'service=box&service=dropbox', (e) => e.service === 'box' || e.service === 'dropbox'],
    ['a service nothing has', 'service=local_folder', () => false],
    ['a task', `taskId=${taskB}`, (e) => e.taskId === taskB],
    ['two tasks', `taskId=${taskA}&taskId=${taskB}`, (e) => e.taskId === taskA || e.taskId === taskB],
    ['a performer', 'performedBy=ADA', (e) => e.actor.name === 'ada@example.org'],
    [
      'a user and a key',
      'performedBy=BOB&performedBy=KEY',
      (e) => ['bob@example.org', 'Nightly export'].includes(e.actor.name ?? ''),
    ],
    ['from (inclusive)', `occurredAtFrom=${iso(8)}`, (e) => minuteOf(e) >= 8],
    ['to (exclusive)', `occurredAtTo=${iso(2)}`, (e) => minuteOf(e) < 2],
    ['a range', `occurredAtFrom=${iso(2)}&occurredAtTo=${iso(5)}`, (e) => minuteOf(e) >= 2 && minuteOf(e) < 5],
    ['one millisecond holding the tie', `occurredAtFrom=${iso(8)}&occurredAtTo=${iso(8, 1)}`, (e) => minuteOf(e) === 8],
    [
      'a range ending one millisecond early',
      `occurredAtFrom=${iso(7)}&occurredAtTo=${iso(8, 0)}`,
      (e) => minuteOf(e) === 7,
    ],
    ['an empty range', `occurredAtFrom=${iso(8)}&occurredAtTo=${iso(8)}`, () => false],
    ['a range ending before it starts', `occurredAtFrom=${iso(9)}&occurredAtTo=${iso(3)}`, () => false],
    [
      'a time with an offset',
      `occurredAtFrom=${encodeURIComponent('2026-11-01T10:09:00+02:00')}`,
      (e) => minuteOf(e) >= 9,
    ],
    ['a time in whole seconds', 'occurredAtTo=2026-11-01T08:01:00Z', (e) => minuteOf(e) < 1],
    ['text in the description, any case', 'q=WRONG%20password', (e) => e.description.includes('wrong password')],
    ['text in the performer name', 'q=bob%40example', (e) => e.actor.name === 'bob@example.org'],
    ['an anonymous performer name', 'q=mallory', (e) => e.actor.name === 'mallory@example.net'],
    ['text in the source address', 'q=203.0.113.99', (e) => e.sourceIp === '203.0.113.99'],
    ['part of an IPv6 address', 'q=db8%3A%3A', (e) => e.sourceIp === '2001:db8::1'],
    ['a literal percent sign', 'q=%25', (e) => e.description.includes('%')],
    ['a literal underscore', 'q=_', (e) => e.description.includes('_')],
    ['non-ASCII text', `q=${encodeURIComponent('Zoë Müller')}`, (e) => e.description.includes('Zoë Müller')],
    ['text nothing has', 'q=nothing-like-this', () => false],
    [
      'activity and outcome',
      'activity=sign_in&status=succeeded',
      (e) => e.activity === 'sign_in' && e.status === 'succeeded',
    ],
    [
      'outcome, performer and range',
      `status=failed&performedBy=ADA&occurredAtTo=${iso(5)}`,
      (e) => e.status === 'failed' && e.actor.name === 'ada@example.org' && minuteOf(e) < 5,
    ],
    ['service and text', 'service=box&service=dropbox&q=dropbox', (e) => e.service === 'dropbox'],
    ['filters with nothing in common', 'activity=lockout&status=succeeded', () => false],
  ];

  const resolved = (query: string) => query.replace('ADA', ids.ada).replace('BOB', ids.bob).replace('KEY', ids.key);

  it.each(filters)('filters by %s', async (_what, query, selects) => {
    const expected = ordered(entries.filter(selects)).map((entry) => entry.id);
    for (const order of ['-occurredAt', 'occurredAt']) {
      const pages = await everyPage(`${resolved(query)}&order=${order}&limit=4`);
      const seen = pages.flatMap((page) => page.items.map((item) => item.id));
      expect(seen, `${query} ${order}`).toEqual(order === 'occurredAt' ? [...expected].reverse() : expected);
    }
  });

  it('shows an entry as the contract has it', async () => {
    const page = await list('activity=sign_in&status=failed&performedBy=' + ids.ada);
    const [first] = entries;
    expect(page).toEqual({
      items: [
        {
          id: first?.id,
          occurredAt: '2026-11-01T08:00:00Z',
          activity: 'sign_in',
          status: 'failed',
          service: null,
          taskId: null,
          performedBy: { kind: 'user', id: ids.ada, name: 'ada@example.org' },
          sourceAddress: '203.0.113.7',
          description: 'Sign-in failed (wrong password).',
          details: { reason: 'wrong_password' },
        },
      ],
      nextCursor: null,
    });
    const system = await list('activity=account_removal_cancelled');
    expect(system.items[0]).toMatchObject({
      performedBy: { kind: 'system', id: null, name: null },
      sourceAddress: null,
    });
  });

  it('orders newest first by default, the id breaking a tie of the same millisecond', async () => {
    const page = await list('limit=200');
    expect(page.items.map((item) => item.id)).toEqual(ordered(entries).map((entry) => entry.id));
    const tied = entries
      .filter((entry) => minuteOf(entry) === 8)
      .map((entry) => entry.id)
      .sort();
    const shown = page.items.map((item) => item.id).filter((id) => tied.includes(id));
    expect(shown).toEqual([...tied].reverse());
  });

  it('pages without gaps or repeats: 12 entries in pages of 5, 5 and 2', async () => {
    const pages = await everyPage('limit=5');
    expect(pages.map((page) => page.items.length)).toEqual([5, 5, 2]);
    expect(pages.at(-1)?.nextCursor).toBeNull();
    const seen = pages.flatMap((page) => page.items.map((item) => item.id));
    expect(new Set(seen).size).toBe(12);
    expect(seen).toEqual(ordered(entries).map((entry) => entry.id));
  });

  it('is readable with view_audit_log alone', async () => {
    expect((await list('limit=1', 'viewer')).items).toHaveLength(1);
  });

  describe('cursors', () => {
    async function firstCursor(query: string): Promise<string> {
      const page = await list(`${query}&limit=2`);
      if (page.nextCursor === null) throw new Error(`no second page for ${query}`);
      return page.nextCursor;
    }

    it('continue the same filters written in another order', async () => {
      const cursor = await firstCursor('status=failed&status=succeeded&activity=sign_in&activity=lockout');
      const page = await list(
        `activity=lockout&activity=sign_in&status=succeeded&status=failed&limit=2&cursor=${cursor}`,
      );
      expect(page.items).toHaveLength(2);
    });

    it.each([
      ['another filter value', 'status=failed', 'status=succeeded'],
      ['one more filter', 'status=failed', 'status=failed&activity=sign_in'],
      ['one filter less', 'status=failed&activity=sign_in&activity=lockout', 'status=failed'],
      ['another order', 'order=-occurredAt', 'order=occurredAt'],
      ['another text', 'q=sign', 'q=Sign-in'],
      ['another range', `occurredAtFrom=${iso(0)}`, `occurredAtFrom=${iso(1)}`],
    ])('refuse %s with 400 INVALID_CURSOR', async (_what, first, second) => {
      const cursor = await firstCursor(first);
      const answer = await call(running.url, 'GET', `/v1/audit-events?${second}&cursor=${cursor}`, { as: 'admin' });
      expect(answer.status, answer.text).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ path: '/query/cursor' }] });
    });

    it('continue with another page size, but not on another list', async () => {
      const cursor = await firstCursor('status=failed');
      const page = await list(`status=failed&limit=1&cursor=${cursor}`);
      expect(page.items.map((item) => item.id)).toEqual([
        ordered(entries.filter((entry) => entry.status === 'failed'))[2]?.id,
      ]);
      const users = await call(running.url, 'GET', `/v1/users?cursor=${cursor}`, { as: 'admin' });
      expect(users).toMatchObject({ status: 400, body: { code: 'INVALID_CURSOR' } });
      const activity = await call(running.url, 'GET', `/v1/activity-events?cursor=${cursor}`, { as: 'admin' });
      expect(activity).toMatchObject({ status: 400, body: { code: 'INVALID_CURSOR' } });
    });

    it('refuse a cursor that is not one', async () => {
      const forged = Buffer.from('{"f":1}').toString('base64url');
      for (const cursor of [forged, 'bm90IGpzb24', Buffer.from('[]').toString('base64url')]) {
        const answer = await call(running.url, 'GET', `/v1/audit-events?cursor=${cursor}`, { as: 'admin' });
        expect(answer, cursor).toMatchObject({ status: 400, body: { code: 'INVALID_CURSOR' } });
      }
    });
  });

  it.each([
    ['an unknown activity', 'activity=sign_out', '/query/activity'],
    ['an unknown outcome', 'status=maybe', '/query/status'],
    ['an unknown service', 'service=gdrive', '/query/service'],
    ['a malformed task id', 'taskId=tsk_nope', '/query/taskId'],
    ['a performer that is no user or key', 'performedBy=acc_01je28jt97kb6cq643dzvmxxqk', '/query/performedBy'],
    ['a repeated filter value', 'status=failed&status=failed', '/query/status'],
    ['a time that is no time', 'occurredAtFrom=yesterday', '/query/occurredAtFrom'],
    ['a month 13', 'occurredAtTo=2026-13-01T00:00:00Z', '/query/occurredAtTo'],
    ['a time without a zone', 'occurredAtFrom=2026-11-01T08:00:00', '/query/occurredAtFrom'],
    ['a date without a time', 'occurredAtFrom=2026-11-01', '/query/occurredAtFrom'],
    ['a leap second no clock shows', 'occurredAtFrom=2016-12-31T23:59:60Z', '/query/occurredAtFrom'],
    ['an unknown order', 'order=time', '/query/order'],
    ['two orders', 'order=occurredAt&order=-occurredAt', '/query/order'],
    ['an empty text', 'q=', '/query/q'],
    ['a text too long', `q=${'x'.repeat(201)}`, '/query/q'],
    ['a page of none', 'limit=0', '/query/limit'],
    ['a page too long', 'limit=201', '/query/limit'],
    ['a page size that is no number', 'limit=ten', '/query/limit'],
    ['a cursor with characters no cursor has', 'cursor=a%2Bb', '/query/cursor'],
  ])('answers 400 for %s, never 500', async (_what, query, path) => {
    const answer = await call(running.url, 'GET', `/v1/audit-events?${query}`, { as: 'admin' });
    expect(answer.status, answer.text).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ code: 'VALIDATION' });
    expect(JSON.stringify(answer.body['errors'])).toContain(path);
  });
});
