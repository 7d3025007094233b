/**
 * Tenant isolation (DESIGN.md "The server"; openapi/README.md "Ids"): account A's principals — a browser
 * session and an API key's bearer token — call every operation of the contract marked
 * `x-holdfast-tenant-scoped: true` with the ids of account B's resources. Every call answers `404`
 * problem+json exactly like an id that exists nowhere, its body holds nothing of B's (ids, addresses,
 * names), and B's resources are unchanged afterwards. A's lists never show B's rows. Malformed ids in any
 * path answer `400`, never `500`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordActivity } from '../../src/audit/activity-log.ts';
import { recordAudit } from '../../src/audit/audit-log.ts';
import { hashToken } from '../../src/auth/tokens.ts';
import { newId } from '../../src/db/ids.ts';
import { loadApi } from '../../src/http/openapi/api-document.ts';
import { call } from '../support/api-client.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { bearerCredential, sessionCredential, type Credential } from '../support/credentials.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import {
  seedAccount,
  seedApiKey,
  seedUser,
  type SeededAccount,
  type SeededApiKey,
  type SeededUser,
} from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';
import { send, validRequests } from '../support/valid-requests.ts';

const { operations } = await loadApi();
const tenantScoped = operations.filter((operation) => operation['x-holdfast-tenant-scoped'] === true);
const withPathParameters = operations.filter((operation) => operation.path.includes('{'));

/** Malformed values for each kind of path parameter (every one is still one path segment). */
const malformed: Readonly<Record<string, readonly string[]>> = {
  userId: [
    'x',
    'usr_',
    'USR_01JE28JT97KB6CQ643DZVMXXQK',
    'usr_01je28jt97kb6cq643dzvmxxq',
    `usr_${'0'.repeat(300)}`,
    "usr_' or '1'='1",
    'usr_01je28jt97kb6cq643dzvmxxqi',
    'key_01je28jt97kb6cq643dzvmxxqk',
    '%00',
    '%E2%82%AC',
    '..%2F..%2Fetc',
  ],
  apiKeyId: [
    'x',
    'key_',
    'key_01JSSZ5AWSH8VHTPRE95B9EE0Z',
    'usr_01je28jt97kb6cq643dzvmxxqk',
    'key_01jssz5awsh8vhtpre95b9ee0u',
    '%FF',
    "key_');drop table api_keys;--",
  ],
  token: ['short', 'A'.repeat(44), `${'A'.repeat(42)}=`, `${'A'.repeat(42)}%2F`, '%E2%82%AC'.repeat(15)],
  ipRuleId: [
    'x',
    'ipr_',
    'IPR_01JXA3T5QK8M2D6V9C4B7N1E0F',
    'ipr_01jxa3t5qk8m2d6v9c4b7n1e0',
    'usr_01je28jt97kb6cq643dzvmxxqk',
    '10.0.0.1',
    'ipr_%2E%2E',
    "ipr_' or 1=1 --",
  ],
};

describeOnBothDatabases('tenant isolation', (target) => {
  const now = new Date('2026-12-01T09:00:00.000Z');
  let running: RunningServer;
  let a: SeededAccount;
  let b: SeededAccount;
  let bUsers: SeededUser[];
  let bKey: SeededApiKey;
  let bIpRuleId: string;
  let bInvitationToken: string;
  let callers: Record<string, Credential>;
  let bSecrets: string[];
  const mail = new CapturedMail();
  const db = () => running.server.services.database.db;

  beforeAll(async () => {
    running = await startServer(target().config, { clock: () => now, mailer: mail });
    a = await seedAccount(db(), { now, name: 'Alpha Holdings' });
    b = await seedAccount(db(), { now, name: 'Bravo Secret Projects' });
    const bAdmin = await seedUser(db(), b.id, { now, name: 'Bravo Admin' });
    const bCustom = await seedUser(db(), b.id, {
      now,
      name: 'Bravo Custom',
      access: { role: 'custom', operations: ['view_backups'], services: ['box'] },
    });
    const bInvited = await seedUser(db(), b.id, {
      now,
      name: 'Bravo Invitee',
      status: 'invited',
      invitedBy: b.primary.id,
    });
    bInvitationToken = 'B'.repeat(43);
    await db()
      .insertInto('email_tokens')
      .values({
        id: newId('etk'),
        account_id: b.id,
        user_id: bInvited.id,
        purpose: 'invitation',
        token_hash: hashToken(bInvitationToken),
        new_email: null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + 86_400_000).toISOString(),
        used_at: null,
      })
      .execute();
    bUsers = [b.primary, bAdmin, bCustom, bInvited];
    bKey = await seedApiKey(db(), b.id, { now, createdBy: bAdmin.id, name: 'Bravo Pipeline Key' });
    bIpRuleId = newId('ipr');
    await db()
      .insertInto('ip_rules')
      .values({
        id: bIpRuleId,
        account_id: b.id,
        range_text: '198.51.100.0/24',
        first_address: '198.51.100.0',
        last_address: '198.51.100.255',
        description: 'Bravo hidden office',
        created_by: bAdmin.id,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      })
      .execute();
    await recordAudit(
      db(),
      {
        accountId: b.id,
        activity: 'user_invited',
        status: 'succeeded',
        actor: { kind: 'user', id: bAdmin.id, name: bAdmin.email },
        sourceIp: '198.51.100.77',
        description: 'Invited Bravo Invitee to Bravo Secret Projects.',
      },
      now,
    );
    await recordActivity(
      db(),
      {
        accountId: b.id,
        activity: 'backup',
        status: 'succeeded',
        service: 'box',
        taskId: newId('tsk'),
        taskName: 'Bravo Box task',
        jobId: newId('job'),
        item: bCustom.email,
        executionMs: 1000,
        sizeBytes: 2048,
        itemCount: 3,
        initiator: { kind: 'system', id: null, name: null },
        description: 'Daily backup of Bravo Custom.',
      },
      now,
    );
    bSecrets = [
      b.id,
      b.name,
      bKey.id,
      'Bravo Pipeline Key',
      bKey.secret,
      bIpRuleId,
      '198.51.100',
      'Bravo hidden office',
      'Bravo Box task',
      ...bUsers.flatMap((user) => [user.id, user.email, user.name ?? '']),
    ];

    const aAdmin = await seedUser(db(), a.id, { now });
    const aKey = await seedApiKey(db(), a.id, { now, createdBy: aAdmin.id });
    callers = {
      "A's primary user (session)": await sessionCredential(db(), a.primary, now),
      "A's Administrator (session)": await sessionCredential(db(), aAdmin, now),
      "A's Administrator API key (bearer)": await bearerCredential(running.url, aKey),
    };
  });
  afterAll(async () => {
    await running.close();
  });

  function leaks(text: string): string[] {
    return bSecrets.filter((secret) => secret !== '' && text.includes(secret));
  }

  it('covers the tenant-scoped operations of the contract', () => {
    expect(tenantScoped.map((operation) => operation.operationId).sort()).toEqual(
      [
        'deleteApiKey',
        'deleteUser',
        'getApiKey',
        'getUser',
        'resendInvitation',
        'updateUser',
        'deactivateUser',
        'reactivateUser',
        'resetUserTwoFactor',
        'getIpRule',
        'updateIpRule',
        'deleteIpRule',
      ].sort(),
    );
  });

  describe.each(tenantScoped.map((operation) => [operation.operationId, operation] as const))('%s', (id, operation) => {
    it.each(['userId', 'apiKeyId', 'ipRuleId'].filter((name) => operation.path.includes(`{${name}}`)))(
      "answers 404 and leaks nothing for each of B's ids in {%s}",
      async (parameter) => {
        const build = validRequests[id];
        if (build === undefined) throw new Error(`no valid request for ${id}`);
        const ids =
          parameter === 'userId' ? bUsers.map((user) => user.id) : parameter === 'apiKeyId' ? [bKey.id] : [bIpRuleId];
        const nowhere = parameter === 'userId' ? newId('usr') : parameter === 'apiKeyId' ? newId('key') : newId('ipr');
        for (const [who, credential] of Object.entries(callers)) {
          const spec = await build({
            db: db(),
            url: running.url,
            account: a,
            now,
            masterKey: running.server.services.masterKey,
            caller: a.primary,
          });
          const method = operation.method.toUpperCase();
          const reference = await send(
            running.url,
            method,
            operation.path,
            { ...spec, params: { [parameter]: nowhere } },
            credential.headers(),
          );
          expect(reference.status, `${id} as ${who} with an unknown id`).toBe(404);
          for (const foreign of ids) {
            const answer = await send(
              running.url,
              method,
              operation.path,
              { ...spec, params: { [parameter]: foreign } },
              credential.headers(),
            );
            const where = `${method} ${operation.path} with B's ${foreign} as ${who}`;
            expect(answer.status, where).toBe(404);
            expect(answer.type, where).toContain('application/problem+json');
            expect(answer.code, where).toBe('NOT_FOUND');
            expect(leaks(answer.text), where).toEqual([]);
            const { instance: _a, ...shape } = JSON.parse(answer.text) as Record<string, unknown>;
            const { instance: _b, ...referenceShape } = JSON.parse(reference.text) as Record<string, unknown>;
            expect(shape, where).toEqual(referenceShape);
          }
        }
      },
    );
  });

  it("leaves B's users, keys and invitation as they were", async () => {
    const users = await db()
      .selectFrom('users')
      .select(['id', 'role', 'status', 'operations'])
      .where('account_id', '=', b.id)
      .orderBy('id')
      .execute();
    expect(users.map((user) => user.id)).toEqual(bUsers.map((user) => user.id).sort());
    expect(users.find((user) => user.id === bUsers[2]?.id)).toMatchObject({
      role: 'custom',
      operations: '["view_backups"]',
    });
    const keys = await db().selectFrom('api_keys').select('id').where('account_id', '=', b.id).execute();
    expect(keys.map((key) => key.id)).toEqual([bKey.id]);
    const rules = await db()
      .selectFrom('ip_rules')
      .select(['id', 'range_text', 'description'])
      .where('account_id', '=', b.id)
      .execute();
    expect(rules).toEqual([{ id: bIpRuleId, range_text: '198.51.100.0/24', description: 'Bravo hidden office' }]);
    const bStatuses = await db()
      .selectFrom('users')
      .select(['id', 'status', 'totp_secret'])
      .where('account_id', '=', b.id)
      .execute();
    expect(bStatuses.every((user) => user.status !== 'deactivated')).toBe(true);
    const invitation = await call(running.url, 'GET', `/v1/invitations/${bInvitationToken}`);
    expect(invitation.status).toBe(200);
    expect(mail.to(bUsers[3]?.email ?? '')).toEqual([]);
    const { accessToken } = await (await import('../support/seed.ts')).clientCredentialsToken(running.url, bKey);
    expect((await call(running.url, 'GET', '/v1/api-keys', { bearer: accessToken })).status).toBe(200);
  });

  it.each([
    '/v1/users?limit=200',
    `/v1/users?limit=200&q=Bravo`,
    '/v1/api-keys?limit=200',
    `/v1/api-keys?createdBy=${newId('usr')}`,
    '/v1/ip-rules?limit=200',
    '/v1/audit-events?limit=200',
    '/v1/audit-events?limit=200&q=Bravo',
    '/v1/audit-events/export',
    '/v1/audit-events/export?q=198.51.100',
    '/v1/activity-events?limit=200',
    '/v1/activity-events/export?q=Bravo',
  ])("never lists B's rows: %s", async (path) => {
    for (const [who, credential] of Object.entries(callers)) {
      const answer = await fetch(`${running.url}${path}`, { headers: credential.headers() });
      const text = await answer.text();
      expect(answer.status, who).toBe(200);
      expect(leaks(text), `${path} as ${who}`).toEqual([]);
    }
    const filtered = await fetch(`${running.url}/v1/api-keys?createdBy=${bUsers[1]?.id ?? ''}`, {
      headers: callers["A's Administrator (session)"]?.headers() ?? {},
    });
    expect(await filtered.json()).toEqual({ items: [], nextCursor: null });
  });

  describe.each(withPathParameters.map((operation) => [operation.operationId, operation] as const))(
    '%s with malformed ids',
    (id, operation) => {
      it('answers 400 problem+json, never 500', async () => {
        const credential = callers["A's Administrator (session)"];
        if (credential === undefined) throw new Error('no caller');
        const build = validRequests[id];
        if (build === undefined) throw new Error(`no valid request for ${id}`);
        const spec = await build({
          db: db(),
          url: running.url,
          account: a,
          now,
          masterKey: running.server.services.masterKey,
          caller: a.primary,
        });
        const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
        for (const name of names) {
          const values = malformed[name];
          if (values === undefined) throw new Error(`no malformed values for the path parameter ${name}`);
          for (const value of values) {
            const path = operation.path.replace(`{${name}}`, value);
            const response = await fetch(
              `${running.url}${path.replace(/\{(\w+)\}/g, (_m, other: string) => spec.params?.[other] ?? '')}`,
              {
                method: operation.method.toUpperCase(),
                headers: {
                  ...credential.headers(),
                  ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
                },
                ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
              },
            );
            const where = `${operation.method.toUpperCase()} ${path}`;
            expect(response.status, where).toBe(400);
            expect(response.headers.get('content-type'), where).toContain('application/problem+json');
            expect(await response.json(), where).toMatchObject({ code: 'VALIDATION' });
          }
        }
      });
    },
  );
});
