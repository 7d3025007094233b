/**
 * `listActivityEvents` over HTTP on both databases: each filter alone and combined, the time range's
 * edges, free text over the description, the item and the task's name, both orders, paging, cursors of
 * other filters refused, malformed values answering `400`; and the `bigint` columns answered as JSON
 * numbers on PostgreSQL as on SQLite (5 GB does not fit 32 bits).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { call } from '../support/api-client.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { seedAccount, seedUser, sessionPrincipalOf, testResolver } from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';
import { at, minute, ordered, seedActivityLog, taskA, taskB, type StoredActivity } from './log-fixtures.ts';

interface Page {
  readonly items: { readonly id: string; readonly [field: string]: unknown }[];
  readonly nextCursor: string | null;
}

const iso = (minutes: number): string => at(minutes).toISOString();

describeOnBothDatabases('listActivityEvents', (target) => {
  let running: RunningServer;
  const registered = new Map<string, Principal>();
  let entries: StoredActivity[];

  beforeAll(async () => {
    running = await startServer(target().config, {
      mailer: new CapturedMail(),
      resolvePrincipal: testResolver(registered, () => undefined),
    });
    const { db } = running.server.services.database;
    const account = await seedAccount(db);
    const viewer = await seedUser(db, account.id, {
      access: { role: 'custom', operations: ['view_activity_log'], services: ['box', 'dropbox', 'local_folder'] },
    });
    registered.set('viewer', sessionPrincipalOf(viewer));
    entries = await seedActivityLog(db, account.id);
    await seedActivityLog(db, (await seedAccount(db)).id);
  });
  afterAll(async () => {
    await running.close();
  });

  async function list(query: string): Promise<Page> {
    const answer = await call<Page>(running.url, 'GET', `/v1/activity-events?${query}`, { as: 'viewer' });
    expect(answer.status, answer.text).toBe(200);
    return answer.body;
  }

  const minuteOf = (entry: StoredActivity) => (Date.parse(entry.occurredAt) - at(0).getTime()) / minute;

  it.each([
    ['nothing', '', () => true],
    ['a kind', 'activity=backup', (e: StoredActivity) => e.activity === 'backup'],
    ['two kinds', 'activity=restore&activity=erase', (e: StoredActivity) => ['restore', 'erase'].includes(e.activity)],
    ['an outcome', 'status=partially_succeeded', (e: StoredActivity) => e.status === 'partially_succeeded'],
    ['two outcomes', 'status=failed&status=canceled', (e: StoredActivity) => ['failed', 'canceled'].includes(e.status)],
    ['a service', 'service=local_folder', (e: StoredActivity) => e.service === 'local_folder'],
    ['a task', `taskId=${taskA}`, (e: StoredActivity) => e.taskId === taskA],
    ['two tasks', `taskId=${taskA}&taskId=${taskB}`, (e: StoredActivity) => e.taskId !== null],
    [
      'a range',
      `occurredAtFrom=${iso(1)}&occurredAtTo=${iso(4)}`,
      (e: StoredActivity) => minuteOf(e) >= 1 && minuteOf(e) < 4,
    ],
    ['text in the item', 'q=FINANCE', (e: StoredActivity) => e.item === '/Finance/2026'],
    ['text in the task name', 'q=dropbox%20team', (e: StoredActivity) => e.taskName === 'Dropbox team'],
    ['text in the description', 'q=zip', (e: StoredActivity) => e.description.includes('zip')],
    ['non-ASCII text', `q=${encodeURIComponent('Zoë’s')}`, (e: StoredActivity) => e.description.includes('Zoë’s')],
    [
      'kind, service and text',
      'activity=backup&service=box&q=dora',
      (e: StoredActivity) => e.item === 'dora@example.org',
    ],
  ] as const)('filters by %s, in both orders and across pages', async (_what, query, selects) => {
    const expected = ordered(entries.filter(selects)).map((entry) => entry.id);
    for (const order of ['-occurredAt', 'occurredAt']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page = await list(`${query}&order=${order}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(seen, `${query} ${order}`).toEqual(order === 'occurredAt' ? [...expected].reverse() : expected);
    }
  });

  it('answers an entry as the contract has it, counts as numbers', async () => {
    const page = await list('activity=backup&status=succeeded&service=box');
    const [first] = entries;
    expect(page.items).toEqual([
      {
        id: first?.id,
        occurredAt: '2026-11-01T08:00:00Z',
        activity: 'backup',
        status: 'succeeded',
        service: 'box',
        taskId: taskA,
        taskName: 'Box (company)',
        jobId: first?.jobId,
        item: 'charles@example.org',
        executionMs: 81_234,
        sizeBytes: 5_000_000_000,
        itemCount: 2210,
        initiator: { kind: 'system', id: null, name: null },
        description: 'Daily backup.',
      },
    ]);
    const failed = await list('status=failed');
    expect(failed.items[0]).toMatchObject({ executionMs: null, sizeBytes: null, itemCount: null });
  });

  it('refuses a cursor made for other filters', async () => {
    const page = await list('activity=backup&limit=1');
    const answer = await call(
      running.url,
      'GET',
      `/v1/activity-events?activity=restore&cursor=${page.nextCursor ?? ''}`,
      {
        as: 'viewer',
      },
    );
    expect(answer).toMatchObject({ status: 400, body: { code: 'INVALID_CURSOR' } });
  });

  it.each([
    'activity=sign_in',
    'status=succeded',
    'service=box&service=box',
    'taskId=task-1',
    'occurredAtFrom=2026-11-01',
    'occurredAtTo=2026-11-01T23:59:60Z',
    'limit=0',
    'order=-createdAt',
  ])('answers 400 for %s, never 500', async (query) => {
    const answer = await call(running.url, 'GET', `/v1/activity-events?${query}`, { as: 'viewer' });
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body).toMatchObject({ code: 'VALIDATION' });
  });
});
