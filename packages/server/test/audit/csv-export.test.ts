/**
 * The CSV exports over HTTP on both databases, read back with the strict RFC 4180 reader of these tests
 * (`strict-csv.ts`): the answer's headers (`text/csv; charset=utf-8`, an attachment with a UTC-stamped
 * name), the contract's columns, CRLF records, quoting, formula neutralisation of text cells (and not of
 * number cells), non-ASCII text, the same filters and order as the lists, and an export of more rows than
 * the lists. Exports larger than one database batch: `csv-export-large.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordActivity } from '../../src/audit/activity-log.ts';
import { recordAudit, type AuditActor } from '../../src/audit/audit-log.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { newId } from '../../src/db/ids.ts';
import { call } from '../support/api-client.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { seedAccount, seedApiKey, seedUser, sessionPrincipalOf, testResolver } from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';
import { at, seedActivityLog, seedAuditLog, taskB } from './log-fixtures.ts';
import { parseCsv, type ParsedCsv } from './strict-csv.ts';

const auditColumns = [
  'id',
  'occurredAt',
  'activity',
  'status',
  'service',
  'taskId',
  'performedByKind',
  'performedById',
  'performedBy',
  'sourceAddress',
  'description',
  'details',
];
const activityColumns = [
  'id',
  'occurredAt',
  'activity',
  'status',
  'service',
  'taskId',
  'taskName',
  'jobId',
  'item',
  'executionMs',
  'sizeBytes',
  'itemCount',
  'initiatorKind',
  'initiatorId',
  'initiator',
  'description',
];

/** Text a spreadsheet would run, or mangle, if written as it is. */
const payloads = [
  '=HYPERLINK("http://x")',
  "+cmd|' /C calc'!A0",
  '@SUM(1)',
  '-2+3',
  '\t=1+1',
  '\r=1+1',
  'said "hello", then left',
  'two\r\nlines\nand a third',
  'Zoë Müller, 東京 — ✓',
] as const;

describeOnBothDatabases('CSV exports', (target) => {
  const now = new Date('2026-12-01T09:00:00.000Z');
  let running: RunningServer;
  const registered = new Map<string, Principal>();
  let accountId: string;

  beforeAll(async () => {
    running = await startServer(target().config, {
      clock: () => now,
      mailer: new CapturedMail(),
      resolvePrincipal: testResolver(registered, () => undefined),
    });
    const { db } = running.server.services.database;
    const account = await seedAccount(db);
    accountId = account.id;
    registered.set('admin', sessionPrincipalOf(account.primary));
    const bob = await seedUser(db, account.id, { email: 'bob@example.org' });
    const key = await seedApiKey(db, account.id, { name: 'Nightly export' });
    await seedAuditLog(db, account.id, {
      ada: { kind: 'user', id: account.primary.id, name: 'ada@example.org' },
      bob: { kind: 'user', id: bob.id, name: 'bob@example.org' },
      key: { kind: 'api_key', id: key.id, name: 'Nightly export' },
    });
    for (const [index, payload] of payloads.entries()) {
      const actor: AuditActor = { kind: 'anonymous', id: null, name: payload };
      await recordAudit(
        db,
        {
          accountId,
          activity: 'sign_in',
          status: 'failed',
          actor,
          sourceIp: '203.0.113.50',
          description: payload,
          details: { typed: payload, attempt: index },
        },
        at(100 + index),
      );
    }
    await seedActivityLog(db, account.id);
    await recordActivity(
      db,
      {
        accountId,
        activity: 'restore',
        status: 'failed',
        service: 'box',
        taskId: newId('tsk'),
        taskName: '=HYPERLINK("http://x")',
        jobId: null,
        item: '-2+3',
        executionMs: 0,
        sizeBytes: 0,
        itemCount: 0,
        initiator: { kind: 'system', id: null, name: null },
        description: '@SUM(1), "quoted"',
      },
      at(200),
    );
  });
  afterAll(async () => {
    await running.close();
  });

  async function download(path: string): Promise<{ response: Response; text: string; csv: ParsedCsv }> {
    const response = await fetch(`${running.url}${path}`, { headers: { 'X-Test-Principal': 'admin' } });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    return { response, text, csv: parseCsv(text) };
  }

  async function listIds(path: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await call(
        running.url,
        'GET',
        `${path}${separator}limit=7${cursor === null ? '' : `&cursor=${cursor}`}`,
        { as: 'admin' },
      );
      ids.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    return ids;
  }

  it('answers an attachment of text/csv in UTF-8, streamed, with the contract columns', async () => {
    const { response, text, csv } = await download('/v1/audit-events/export');
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="audit-events-20261201T090000Z.csv"',
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(response.headers.get('content-length')).toBeNull();
    expect(csv.header).toEqual(auditColumns);
    expect(csv.rows).toHaveLength(12 + payloads.length);
    expect(text.startsWith('id,occurredAt,')).toBe(true);
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(text.endsWith('\r\n')).toBe(true);

    const activity = await download('/v1/activity-events/export');
    expect(activity.response.headers.get('content-disposition')).toBe(
      'attachment; filename="activity-events-20261201T090000Z.csv"',
    );
    expect(activity.csv.header).toEqual(activityColumns);
  });

  it('writes each entry as the list shows it, details as JSON', async () => {
    const { csv } = await download('/v1/audit-events/export?activity=sign_in&status=failed&q=wrong');
    const list = await call<{ items: Record<string, unknown>[] }>(
      running.url,
      'GET',
      '/v1/audit-events?activity=sign_in&status=failed&q=wrong',
      { as: 'admin' },
    );
    const [item] = list.body.items;
    const performer = item?.['performedBy'] as { kind: string; id: string; name: string };
    expect(csv.rows).toEqual([
      {
        id: item?.['id'],
        occurredAt: '2026-11-01T08:00:00Z',
        activity: 'sign_in',
        status: 'failed',
        service: '',
        taskId: '',
        performedByKind: 'user',
        performedById: performer.id,
        performedBy: 'ada@example.org',
        sourceAddress: '203.0.113.7',
        description: 'Sign-in failed (wrong password).',
        details: '{"reason":"wrong_password"}',
      },
    ]);
  });

  it.each(payloads.map((payload, index) => [JSON.stringify(payload), payload, index] as const))(
    'neutralises or quotes %s so that it reads back as safe text',
    async (_shown, payload, index) => {
      const { csv } = await download(
        `/v1/audit-events/export?occurredAtFrom=${at(100 + index).toISOString()}&occurredAtTo=${at(101 + index).toISOString()}`,
      );
      expect(csv.rows).toHaveLength(1);
      const [row] = csv.rows;
      const formula = /^[=+\-@\t\r]/.test(payload);
      const expected = formula ? `'${payload}` : payload;
      expect(row?.['description']).toBe(expected);
      expect(row?.['performedBy']).toBe(expected);
      // The JSON cell starts with `{`: nothing to neutralise, and the JSON keeps the exact text.
      expect(JSON.parse(row?.['details'] ?? '')).toEqual({ typed: payload, attempt: index });
      for (const cell of Object.values(row ?? {})) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    },
  );

  it('keeps number cells numbers and neutralises the text cells of the activity log', async () => {
    const { csv } = await download('/v1/activity-events/export?activity=restore&status=failed');
    expect(csv.rows).toHaveLength(1);
    expect(csv.rows[0]).toMatchObject({
      taskName: `'=HYPERLINK("http://x")`,
      item: "'-2+3",
      description: '\'@SUM(1), "quoted"',
      executionMs: '0',
      sizeBytes: '0',
      itemCount: '0',
      jobId: '',
      initiatorKind: 'system',
      initiatorId: '',
      initiator: '',
    });
    const big = await download('/v1/activity-events/export?service=box&status=succeeded');
    expect(big.csv.rows.map((row) => [row['sizeBytes'], row['executionMs'], row['itemCount']])).toEqual([
      ['5000000000', '81234', '2210'],
    ]);
  });

  describe('honours the same filters and order as the lists', () => {
    it.each([
      '',
      'order=occurredAt',
      'activity=sign_in&status=failed',
      'service=dropbox',
      `taskId=${taskB}`,
      `occurredAtFrom=${at(2).toISOString()}&occurredAtTo=${at(8).toISOString()}`,
      'q=example.org',
      'q=%25_',
      'status=succeeded&order=occurredAt&q=two-factor',
    ])('audit events: %s', async (query) => {
      const { csv } = await download(`/v1/audit-events/export?${query}`);
      expect(csv.rows.map((row) => row['id'])).toEqual(await listIds(`/v1/audit-events?${query}`));
    });

    it.each([
      '',
      'order=occurredAt',
      'activity=backup',
      'status=failed&service=box',
      'q=dropbox',
      `occurredAtTo=${at(3).toISOString()}`,
    ])('activity events: %s', async (query) => {
      const { csv } = await download(`/v1/activity-events/export?${query}`);
      expect(csv.rows.map((row) => row['id'])).toEqual(await listIds(`/v1/activity-events?${query}`));
    });
  });

  it('answers the header alone when nothing matches', async () => {
    const { text, csv } = await download('/v1/audit-events/export?activity=ip_rule_deleted');
    expect(text).toBe(`${auditColumns.join(',')}\r\n`);
    expect(csv.rows).toEqual([]);
  });

  it.each(['activity=nope', 'occurredAtFrom=2016-12-31T23:59:60Z', 'service=box&service=box', 'q='])(
    'answers 400 problem+json, not CSV, for %s',
    async (query) => {
      const response = await fetch(`${running.url}/v1/audit-events/export?${query}`, {
        headers: { 'X-Test-Principal': 'admin' },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(((await response.json()) as { code?: string }).code).toBe('VALIDATION');
    },
  );
});
