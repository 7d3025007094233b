/**
 * A Custom role acts on its services only (S2), and that holds for the logs too: a viewer limited to Box
 * sees the Box entries and those of no service (sign-ins, settings: the account's), never Dropbox's or
 * the local folder's, in the lists and in the CSV exports alike; an Administrator sees everything.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { call } from '../support/api-client.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { seedAccount, seedUser, sessionPrincipalOf, testResolver } from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';
import { seedActivityLog, seedAuditLog, type StoredActivity, type StoredAudit } from './log-fixtures.ts';

describeOnBothDatabases('the logs and the services of a Custom role', (target) => {
  let running: RunningServer;
  const registered = new Map<string, Principal>();
  let audit: StoredAudit[];
  let activity: StoredActivity[];

  beforeAll(async () => {
    running = await startServer(target().config, {
      mailer: new CapturedMail(),
      resolvePrincipal: testResolver(registered, () => undefined),
    });
    const { db } = running.server.services.database;
    const account = await seedAccount(db);
    const operations = ['view_audit_log', 'view_activity_log'] as const;
    const boxOnly = await seedUser(db, account.id, {
      access: { role: 'custom', operations: [...operations], services: ['box'] },
    });
    const noService = await seedUser(db, account.id, {
      access: { role: 'custom', operations: [...operations], services: [] },
    });
    const admin = await seedUser(db, account.id, { access: { role: 'administrator' } });
    registered.set('box', sessionPrincipalOf(boxOnly));
    registered.set('none', sessionPrincipalOf(noService));
    registered.set('admin', sessionPrincipalOf(admin));
    const actor = { kind: 'user', id: admin.id, name: admin.email } as const;
    audit = await seedAuditLog(db, account.id, { ada: actor, bob: actor, key: actor });
    activity = await seedActivityLog(db, account.id);
  });
  afterAll(async () => {
    await running.close();
  });

  async function ids(as: string, path: string): Promise<string[]> {
    const answer = await call<{ items: { id: string }[] }>(
      running.url,
      'GET',
      `${path}${path.includes('?') ? '&' : '?'}limit=200`,
      { as },
    );
    expect(answer.status, answer.text).toBe(200);
    return answer.body.items.map((item) => item.id).sort();
  }

  async function exportedIds(as: string, path: string): Promise<string[]> {
    const answer = await fetch(`${running.url}${path}/export`, { headers: { 'X-Test-Principal': as } });
    expect(answer.status).toBe(200);
    return (await answer.text())
      .split('\r\n')
      .slice(1)
      .filter((line) => line !== '')
      .map((line) => line.split(',')[0] ?? '')
      .sort();
  }

  const idsWhere = (
    rows: readonly { readonly id: string; readonly service?: string | null }[],
    keep: (s: string | null) => boolean,
  ) =>
    rows
      .filter((row) => keep(row.service ?? null))
      .map((row) => row.id)
      .sort();

  it.each([
    ['box', (service: string | null) => service === null || service === 'box'],
    ['none', (service: string | null) => service === null],
    ['admin', () => true],
  ] as const)('shows %s what its services allow, in the lists and the exports', async (as, keep) => {
    const auditSeen = idsWhere(audit, keep);
    const activitySeen = idsWhere(activity, keep);
    expect(await ids(as, '/v1/audit-events')).toEqual(auditSeen);
    expect(await exportedIds(as, '/v1/audit-events')).toEqual(auditSeen);
    expect(await ids(as, '/v1/activity-events')).toEqual(activitySeen);
    expect(await exportedIds(as, '/v1/activity-events')).toEqual(activitySeen);
    if (as === 'box') {
      expect(auditSeen.length).toBeLessThan(audit.length);
      expect(activitySeen.length).toBeLessThan(activity.length);
    }
  });

  it('answers nothing of another service even when asked for it by name', async () => {
    expect(await ids('box', '/v1/activity-events?service=dropbox')).toEqual([]);
    expect(await ids('box', '/v1/audit-events?service=dropbox')).toEqual([]);
  });
});
