/**
 * Exports larger than one database batch (`exportBatchSize` rows), on both databases: the batches are
 * of the batch size, and the CSV holds every entry once, in order both ways, with a filter applied across
 * batches, ties of one millisecond broken by the id, and big numbers intact. Rows are written in bulk
 * straight into the tables (the recording API is tested elsewhere).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditEventBatches, auditFilters } from '../../src/audit/audit-queries.ts';
import { exportBatchSize } from '../../src/audit/event-filters.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { newId } from '../../src/db/ids.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { seedAccount, seedUser, sessionPrincipalOf, testResolver } from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';
import { parseCsv, type ParsedCsv } from './strict-csv.ts';

describeOnBothDatabases('CSV exports larger than one database batch', (target) => {
  let running: RunningServer;
  const registered = new Map<string, Principal>();
  const db = () => running.server.services.database.db;

  beforeAll(async () => {
    running = await startServer(target().config, {
      mailer: new CapturedMail(),
      resolvePrincipal: testResolver(registered, () => undefined),
    });
  });
  afterAll(async () => {
    await running.close();
  });

  const auditCount = exportBatchSize * 2 + 234;
  const activityCount = exportBatchSize + 1;
  let big: string;

  beforeAll(async () => {
    const { db } = running.server.services.database;
    big = (await seedAccount(db)).id;
    const start = Date.parse('2026-10-01T00:00:00.000Z');
    const audit = Array.from({ length: auditCount }, (_, index) => {
      // Rows come in pairs of one time (2 of every 3 share it): the id orders them.
      const time = start + Math.floor((index * 2) / 3) * 1000;
      return {
        id: newId('aud', time),
        account_id: big,
        occurred_at: new Date(time).toISOString(),
        activity: index % 2 === 0 ? 'sign_in' : 'password_changed',
        status: 'succeeded',
        service: null,
        task_id: null,
        actor_kind: 'system' as const,
        actor_id: null,
        actor_name: null,
        source_ip: null,
        description: `=entry ${String(index)}, "n"`,
        details: JSON.stringify({ n: index }),
      };
    });
    for (let from = 0; from < audit.length; from += 200) {
      await db
        .insertInto('audit_events')
        .values(audit.slice(from, from + 200))
        .execute();
    }
    const activity = Array.from({ length: activityCount }, (_, index) => ({
      id: newId('act', start + index),
      account_id: big,
      occurred_at: new Date(start + index).toISOString(),
      activity: 'backup',
      status: 'succeeded',
      service: 'box',
      task_id: null,
      task_name: 'Box',
      job_id: null,
      item: `user-${String(index)}@example.org`,
      execution_ms: index,
      size_bytes: index * 1_000_000_000,
      item_count: index,
      actor_kind: 'system' as const,
      actor_id: null,
      actor_name: null,
      description: 'Backup.',
    }));
    for (let from = 0; from < activity.length; from += 200) {
      await db
        .insertInto('activity_events')
        .values(activity.slice(from, from + 200))
        .execute();
    }
    registered.set('big', sessionPrincipalOf(await seedUser(db, big, {})));
  });

  async function downloadAs(path: string): Promise<ParsedCsv> {
    const response = await fetch(`${running.url}${path}`, { headers: { 'X-Test-Principal': 'big' } });
    expect(response.status).toBe(200);
    return parseCsv(await response.text());
  }

  it('reads the database in batches of the export batch size', async () => {
    const { db } = running.server.services.database;
    const sizes: number[] = [];
    for await (const batch of auditEventBatches(db, big, auditFilters({}, 'all'), exportBatchSize))
      sizes.push(batch.length);
    expect(sizes).toEqual([exportBatchSize, exportBatchSize, 234]);
  });

  it('exports every audit entry once, in order, both ways', async () => {
    const rows = await db()
      .selectFrom('audit_events')
      .select(['id', 'occurred_at', 'details'])
      .where('account_id', '=', big)
      .execute();
    const sorted = rows.sort((a, b) =>
      a.occurred_at === b.occurred_at ? (a.id < b.id ? -1 : 1) : a.occurred_at < b.occurred_at ? -1 : 1,
    );
    const expected = sorted.map((row) => row.id);
    const ascending = await downloadAs('/v1/audit-events/export?order=occurredAt');
    expect(ascending.rows).toHaveLength(auditCount);
    expect(ascending.rows.map((row) => row['id'])).toEqual(expected);
    expect(ascending.rows.map((row) => row['details'])).toEqual(sorted.map((row) => row.details));
    expect(new Set(ascending.rows.map((row) => row['details'])).size).toBe(auditCount);
    expect(ascending.rows.every((row) => row['description']?.startsWith("'=entry "))).toBe(true);
    const descending = await downloadAs('/v1/audit-events/export');
    expect(descending.rows.map((row) => row['id'])).toEqual([...expected].reverse());
    const filtered = await downloadAs('/v1/audit-events/export?activity=password_changed&order=occurredAt');
    const changes = sorted.filter((row) => (JSON.parse(row.details) as { n: number }).n % 2 === 1);
    expect(filtered.rows.map((row) => row['id'])).toEqual(changes.map((row) => row.id));
  });

  it('exports every activity entry once, in order, with big numbers intact', async () => {
    const csv = await downloadAs('/v1/activity-events/export?order=occurredAt');
    expect(csv.rows).toHaveLength(activityCount);
    expect(csv.rows.map((row) => row['itemCount'])).toEqual(
      Array.from({ length: activityCount }, (_, index) => String(index)),
    );
    expect(csv.rows.at(-1)?.['sizeBytes']).toBe(String((activityCount - 1) * 1_000_000_000));
  });
});
