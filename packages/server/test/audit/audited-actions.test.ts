/**
 * What each audited action of the accounts, users and API keys modules leaves in the audit log, over
 * HTTP with real sessions and bearer tokens, on both databases. Table-driven: each case sets up a fresh
 * account, does one action, and names exactly the entries that action must add — activity, outcome,
 * actor (kind, id, name), source address (the client's, through the trusted proxy), description and
 * details — nothing more, anywhere. Requests that change nothing must add nothing. Last, no audit row
 * holds any secret the cases made or sent.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import { uniqueEmail } from '../support/seed.ts';
import { clientAddress, startAuditHarness, type AuditHarness } from './audit-harness.ts';
import { accountCases } from './cases/account-cases.ts';
import { setStatus, type Cases } from './cases/audit-case.ts';
import { credentialCases } from './cases/credential-cases.ts';
import { publicFlowCases } from './cases/public-flow-cases.ts';
import { userCases } from './cases/user-cases.ts';

const cases: Cases = { ...credentialCases, ...publicFlowCases, ...accountCases, ...userCases };

describeOnBothDatabases(
  'what the audited actions record',
  (target) => {
    let h: AuditHarness;

    beforeAll(async () => {
      h = await startAuditHarness(target().config);
    });
    afterAll(async () => {
      await h.close();
    });

    const allIds = async () =>
      new Set((await h.db.selectFrom('audit_events').select('id').execute()).map((row) => row.id));

    it.each(Object.entries(cases))('%s', async (_name, testCase) => {
      const { act, expected } = await testCase.run(h);
      const before = await allIds();
      await act();
      const added = (await h.db.selectFrom('audit_events').selectAll().execute()).filter((row) => !before.has(row.id));
      const shown = added
        .map((row) => ({
          activity: row.activity,
          status: row.status,
          actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
          sourceIp: row.source_ip,
          occurredAt: row.occurred_at,
          description: row.description,
          details: JSON.parse(row.details) as unknown,
        }))
        .sort((x, y) => (x.activity < y.activity ? -1 : 1));
      const wanted = (await expected())
        .map((entry) => ({ ...entry, sourceIp: clientAddress, occurredAt: h.now.toISOString() }))
        .sort((x, y) => (x.activity < y.activity ? -1 : 1));
      expect(shown).toEqual(wanted);
      // Each entry is in the account the action concerned: the actor's, or the signed-up one.
      for (const row of added) {
        const owner = await h.db
          .selectFrom('users')
          .select('account_id')
          .where('id', '=', row.actor_id ?? '')
          .executeTakeFirst();
        const key = await h.db
          .selectFrom('api_keys')
          .select('account_id')
          .where('id', '=', row.actor_id ?? '')
          .executeTakeFirst();
        const detailsUser = (JSON.parse(row.details) as { userId?: string }).userId;
        const subject = await h.db
          .selectFrom('users')
          .select('account_id')
          .where('id', '=', detailsUser ?? '')
          .executeTakeFirst();
        const accounts = [owner?.account_id, key?.account_id, subject?.account_id].filter((id) => id !== undefined);
        if (accounts.length > 0) expect(accounts).toContain(row.account_id);
      }
    });

    it('answers a password reset request alike for a user, a deactivated user and nobody', async () => {
      const a = await h.account();
      const deactivated = await h.user(a.id);
      await setStatus(h, deactivated, 'deactivated');
      const shape = async (email: string) => {
        const answer = await h.send('POST', '/v1/auth/password-reset', { body: { email } });
        const names = [...answer.headers.keys()].filter(
          (name) => !['date', 'x-request-id', 'content-length'].includes(name),
        );
        return { status: answer.status, body: { ...answer.body, email: answer.body?.['email'] === email }, names };
      };
      const forUser = await shape(a.primary.email);
      expect(forUser).toMatchObject({ status: 202, body: { email: true } });
      expect(await shape(deactivated.email)).toEqual(forUser);
      expect(await shape(uniqueEmail('nobody'))).toEqual(forUser);
      h.secret(h.mail.lastToken(a.primary.email));
    });

    it('keeps every secret the actions made or sent out of every audit row', async () => {
      const rows = await h.db.selectFrom('audit_events').selectAll().execute();
      expect(rows.length).toBeGreaterThan(25);
      const text = JSON.stringify(rows).toLowerCase();
      const leaked = [...h.secrets].filter((secret) => secret.length >= 6 && text.includes(secret.toLowerCase()));
      expect(leaked).toEqual([]);
      expect(h.secrets.size).toBeGreaterThan(40);
    });
  },
  { trustedProxies: ['127.0.0.1'] },
);
