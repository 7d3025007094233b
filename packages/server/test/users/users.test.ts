/**
 * Portal users (S2): lists with filters, free text, orders and cursors; reading, changing and deleting
 * users; the primary user's protection; nobody gives access they do not hold. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { hashToken } from '../../src/auth/tokens.ts';
import { newId } from '../../src/db/ids.ts';
import { toTimestamp } from '../../src/db/time.ts';
import { call } from '../support/api-client.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import {
  seedAccount,
  seedApiKey,
  seedUser,
  sessionPrincipalOf,
  testResolver,
  type SeededAccount,
} from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

interface UserBody {
  id: string;
  email: string;
  name: string | null;
  status: string;
  primary: boolean;
  access: unknown;
  invitation: unknown;
}
interface Page {
  items: UserBody[];
  nextCursor: string | null;
}

describeOnBothDatabases('portal users', (target) => {
  let running: RunningServer;
  let now = new Date('2026-12-01T09:00:00.000Z');
  const registered = new Map<string, Principal>();
  let account: SeededAccount;
  const db = () => running.server.services.database.db;
  const as = (name: string, method: string, path: string, body?: unknown) =>
    call(running.url, method, path, { as: name, ...(body === undefined ? {} : { body }) });

  beforeAll(async () => {
    running = await startServer(target().config, {
      clock: () => now,
      mailer: new CapturedMail(),
      resolvePrincipal: testResolver(registered, () => undefined),
    });
    account = await seedAccount(db(), { now });
    registered.set('primary', sessionPrincipalOf(account.primary));
    registered.set('admin', sessionPrincipalOf(await seedUser(db(), account.id, { now })));
    const viewer = await seedUser(db(), account.id, {
      now,
      access: { role: 'custom', operations: ['view_backups'], services: ['box'] },
    });
    registered.set('viewer', sessionPrincipalOf(viewer));
    registered.set('narrow', { ...sessionPrincipalOf(viewer), permissions: new Set(['manage_users', 'view_backups']) });
  });
  afterAll(async () => {
    await running.close();
  });

  describe('lists', () => {
    let listed: SeededAccount;
    const names = ['delta', 'Alpha', 'charlie', null, 'bravo_x', 'echo%'];

    beforeAll(async () => {
      listed = await seedAccount(db(), { now, name: 'Listed' });
      registered.set('lister', sessionPrincipalOf(listed.primary));
      for (const [index, name] of names.entries()) {
        now = new Date(now.getTime() + 1000);
        await seedUser(db(), listed.id, {
          now,
          name,
          email: `${['zed', 'yan', 'xia', 'wes', 'vic', 'uma'][index]}-${listed.id.slice(-6)}@Example.org`,
          status: index % 2 === 0 ? 'invited' : 'active',
          access:
            index < 2 ? { role: 'administrator' } : { role: 'custom', operations: ['view_backups'], services: ['box'] },
        });
      }
    });

    async function all(query: string, limit = 2): Promise<UserBody[]> {
      const items: UserBody[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const page: { status: number; body: Page } = await call<Page>(
          running.url,
          'GET',
          `/v1/users?limit=${limit}${query}${cursor === null ? '' : `&cursor=${cursor}`}`,
          { as: 'lister' },
        );
        expect(page.status).toBe(200);
        items.push(...page.body.items);
        cursor = page.body.nextCursor;
        if (cursor === null) return items;
      }
      throw new Error('too many pages');
    }

    it('orders by creation (newest first by default), name or email, paging without gaps', async () => {
      const newest = await all('');
      expect(newest.map((user) => user.name)).toEqual([...[...names].reverse(), listed.primary.name]);
      expect((await all('&order=createdAt', 3)).map((user) => user.name)).toEqual([listed.primary.name, ...names]);
      const byName = (await all('&order=name')).map((user) => user.name);
      expect(byName.slice(0, 6)).toEqual([null, 'Alpha', 'bravo_x', 'charlie', 'delta', 'echo%']);
      expect((await all('&order=-name', 4)).map((user) => user.name).slice(1)).toEqual(
        [...byName.slice(0, 6)].reverse(),
      );
      const byEmail = (await all('&order=email', 1)).map((user) => user.email.slice(0, 3));
      expect(byEmail).toEqual(['pri', 'uma', 'vic', 'wes', 'xia', 'yan', 'zed']);
    });

    it('filters by status, role and auth type (repeatable), and by free text', async () => {
      const invited = await all('&status=invited');
      expect(invited.map((user) => user.name).sort()).toEqual(['bravo_x', 'charlie', 'delta']);
      expect(invited.every((user) => user.status === 'invited')).toBe(true);
      expect(await all('&status=invited&status=active', 10)).toHaveLength(7);
      expect((await all('&role=administrator', 10)).map((user) => user.name).sort()).toEqual(
        ['Alpha', 'delta', listed.primary.name].sort(),
      );
      expect((await all('&role=custom&status=active')).map((user) => user.name).sort()).toEqual(['echo%', null]);
      expect(await all('&authType=google')).toEqual([]);
      expect((await all('&q=ALPH')).map((user) => user.name)).toEqual(['Alpha']);
      expect((await all('&q=xia-')).map((user) => user.name)).toEqual(['charlie']);
      expect((await all('&q=%25')).map((user) => user.name)).toEqual(['echo%']);
      expect((await all('&q=_')).map((user) => user.name)).toEqual(['bravo_x']);
      expect(await all('&q=nobody-at-all')).toEqual([]);
    });

    it('refuses a cursor of other filters, malformed ones and unknown parameters with 400', async () => {
      const first = await call<Page>(running.url, 'GET', '/v1/users?limit=1&order=name', { as: 'lister' });
      const cursor = String(first.body.nextCursor);
      const other = await as('lister', 'GET', `/v1/users?limit=1&order=email&cursor=${cursor}`);
      expect(other.body).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
      const malformed = await as('lister', 'GET', '/v1/users?cursor=AAAA');
      expect(malformed.body).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
      for (const query of ['limit=0', 'limit=201', 'order=age', 'status=gone', 'color=red', 'q=']) {
        const answer = await as('lister', 'GET', `/v1/users?${query}`);
        expect(answer.status, query).toBe(400);
        expect(answer.body, query).toMatchObject({ code: 'VALIDATION' });
      }
    });

    it('shows only the caller’s account', async () => {
      const mine = await call<Page>(running.url, 'GET', '/v1/users?limit=200', { as: 'admin' });
      const ids = new Set(mine.body.items.map((user) => user.id));
      expect(ids.has(listed.primary.id)).toBe(false);
      expect(ids.has(account.primary.id)).toBe(true);
    });
  });

  it('gets a user; another account’s user is 404', async () => {
    const got = await as('admin', 'GET', `/v1/users/${account.primary.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: account.primary.id, primary: true, status: 'active', invitation: null });
    const other = await seedAccount(db(), { now });
    const foreign = await as('admin', 'GET', `/v1/users/${other.primary.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain(other.primary.email);
    expect((await as('admin', 'GET', `/v1/users/${newId('usr')}`)).status).toBe(404);
    expect((await as('admin', 'GET', '/v1/users/usr_nope')).status).toBe(400);
    expect((await as('viewer', 'GET', `/v1/users/${account.primary.id}`)).status).toBe(403);
  });

  describe('changes', () => {
    it('replace a user’s access', async () => {
      const user = await seedUser(db(), account.id, { now });
      const custom = { role: 'custom', operations: ['restore_tasks', 'view_backups'], services: ['dropbox'] };
      const changed = await as('admin', 'PATCH', `/v1/users/${user.id}`, { access: custom });
      expect(changed.status).toBe(200);
      expect(changed.body['access']).toEqual({
        role: 'custom',
        operations: ['view_backups', 'restore_tasks'],
        services: ['dropbox'],
      });
      expect((await as('admin', 'GET', `/v1/users/${user.id}`)).body['access']).toEqual(changed.body['access']);
      const back = await as('admin', 'PATCH', `/v1/users/${user.id}`, { access: { role: 'administrator' } });
      expect(back.body['access']).toEqual({ role: 'administrator' });
    });

    it('keep the primary user an Administrator', async () => {
      const demote = await as('admin', 'PATCH', `/v1/users/${account.primary.id}`, {
        access: { role: 'custom', operations: [], services: [] },
      });
      expect(demote.status).toBe(409);
      expect(demote.body).toMatchObject({ code: 'PRIMARY_USER_PROTECTED' });
      const same = await as('primary', 'PATCH', `/v1/users/${account.primary.id}`, {
        access: { role: 'administrator' },
      });
      expect(same.status).toBe(200);
    });

    it('let an Administrator demote themself (the primary user stays an Administrator)', async () => {
      const self = await seedUser(db(), account.id, { now });
      registered.set('self', sessionPrincipalOf(self));
      const answer = await as('self', 'PATCH', `/v1/users/${self.id}`, {
        access: { role: 'custom', operations: ['view_backups'], services: ['box'] },
      });
      expect(answer.status).toBe(200);
    });

    it('never give more than the caller holds', async () => {
      const user = await seedUser(db(), account.id, { now, access: { role: 'custom', operations: [], services: [] } });
      const wide = await as('narrow', 'PATCH', `/v1/users/${user.id}`, { access: { role: 'administrator' } });
      expect(wide.status).toBe(403);
      const ok = await as('narrow', 'PATCH', `/v1/users/${user.id}`, {
        access: { role: 'custom', operations: ['view_backups'], services: ['box'] },
      });
      expect(ok.status).toBe(200);
    });

    it('answer 404 for another account’s user and 400 for malformed bodies', async () => {
      const other = await seedAccount(db(), { now });
      const victim = await seedUser(db(), other.id, { now, access: { role: 'custom', operations: [], services: [] } });
      const foreign = await as('admin', 'PATCH', `/v1/users/${victim.id}`, { access: { role: 'administrator' } });
      expect(foreign.status).toBe(404);
      const stored = await db()
        .selectFrom('users')
        .select('role')
        .where('id', '=', victim.id)
        .executeTakeFirstOrThrow();
      expect(stored.role).toBe('custom');
      for (const body of [
        {},
        { access: { role: 'owner' } },
        { access: { role: 'custom' } },
        { access: { role: 'administrator' }, name: 'x' },
      ]) {
        expect((await as('admin', 'PATCH', `/v1/users/${account.primary.id}`, body)).status).toBe(400);
      }
    });
  });

  describe('deletion', () => {
    it('removes the user, ends their sessions and links, and keeps their API keys', async () => {
      const user = await seedUser(db(), account.id, { now });
      await db()
        .insertInto('sessions')
        .values({
          id: newId('ses'),
          account_id: account.id,
          user_id: user.id,
          token_hash: hashToken('session-of-the-deleted-user'),
          created_at: toTimestamp(now),
          expires_at: toTimestamp(now.getTime() + 3_600_000),
          last_seen_at: toTimestamp(now),
        })
        .execute();
      const key = await seedApiKey(db(), account.id, { createdBy: user.id, now });
      expect((await as('admin', 'DELETE', `/v1/users/${user.id}`)).status).toBe(204);
      expect((await as('admin', 'GET', `/v1/users/${user.id}`)).status).toBe(404);
      expect(await db().selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
      const kept = await as('admin', 'GET', `/v1/api-keys/${key.id}`);
      expect(kept.status).toBe(200);
      expect(kept.body['createdBy']).toBeNull();
      expect((await as('admin', 'DELETE', `/v1/users/${user.id}`)).status).toBe(404);
    });

    it('refuses the primary user, and another account’s users', async () => {
      const primary = await as('admin', 'DELETE', `/v1/users/${account.primary.id}`);
      expect(primary.status).toBe(409);
      expect(primary.body).toMatchObject({ code: 'PRIMARY_USER_PROTECTED' });
      const other = await seedAccount(db(), { now });
      const victim = await seedUser(db(), other.id, { now });
      expect((await as('admin', 'DELETE', `/v1/users/${victim.id}`)).status).toBe(404);
      expect(await db().selectFrom('users').select('id').where('id', '=', victim.id).execute()).toHaveLength(1);
    });
  });
});
