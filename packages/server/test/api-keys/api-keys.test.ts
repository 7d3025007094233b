/**
 * API keys (S8): creation shows the secret once and stores only its hash; nobody creates a key with more
 * access than they hold; lists page by cursor with their filters and order; a deleted key's tokens stop
 * working at once; `lastUsedAt` follows token use. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Principal, PrincipalResolver } from '../../src/auth/principal.ts';
import { hashToken } from '../../src/auth/tokens.ts';
import { serverPrincipalResolver } from '../../src/auth/resolve-principal.ts';
import { newId } from '../../src/db/ids.ts';
import { call } from '../support/api-client.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import {
  clientCredentialsToken,
  seedAccount,
  seedApiKey,
  seedUser,
  sessionPrincipalOf,
  testResolver,
  type SeededAccount,
} from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

interface ApiKeyBody {
  id: string;
  name: string;
  access: unknown;
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  expiresAt: string | null;
}
interface Page {
  items: ApiKeyBody[];
  nextCursor: string | null;
}

describeOnBothDatabases('API keys', (target) => {
  let running: RunningServer;
  let real: PrincipalResolver | undefined;
  let now = new Date('2026-12-01T09:00:00.000Z');
  const registered = new Map<string, Principal>();
  let account: SeededAccount;

  beforeAll(async () => {
    running = await startServer(target().config, {
      clock: () => now,
      resolvePrincipal: testResolver(registered, () => real),
    });
    real = serverPrincipalResolver(running.server.services);
    const { db } = running.server.services.database;
    account = await seedAccount(db, { now });
    registered.set('primary', sessionPrincipalOf(account.primary));
    const admin = await seedUser(running.server.services.database.db, account.id, { now });
    registered.set('admin', sessionPrincipalOf(admin));
    const custom = await seedUser(db, account.id, {
      now,
      access: { role: 'custom', operations: ['view_backups'], services: ['box'] },
    });
    registered.set('custom', sessionPrincipalOf(custom));
    // A principal that may manage keys but holds little else (no role grants this today; the rule is generic).
    registered.set('narrow', {
      ...sessionPrincipalOf(custom),
      permissions: new Set(['manage_api_keys', 'view_backups']),
    });
  });
  afterAll(async () => {
    await running.close();
  });

  const create = (as: string, body: unknown) => call(running.url, 'POST', '/v1/api-keys', { as, body });

  it('creates a key and shows its secret once, storing only a hash', async () => {
    const answer = await create('primary', {
      name: 'Off-boarding exports',
      access: { role: 'custom', operations: ['restore_tasks', 'view_backups'], services: ['dropbox', 'box'] },
      expiresAt: '2027-12-01T00:00:00Z',
    });
    expect(answer.status).toBe(201);
    const body = answer.body as { apiKey: ApiKeyBody; clientId: string; clientSecret: string };
    expect(body.clientSecret).toMatch(/^hfs_[A-Za-z0-9_-]{43}$/);
    expect(body.clientId).toBe(body.apiKey.id);
    expect(answer.headers.get('location')).toBe(`/v1/api-keys/${body.clientId}`);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(body.apiKey).toEqual({
      id: expect.stringMatching(/^key_/),
      name: 'Off-boarding exports',
      access: { role: 'custom', operations: ['view_backups', 'restore_tasks'], services: ['box', 'dropbox'] },
      createdAt: '2026-12-01T09:00:00Z',
      createdBy: account.primary.id,
      lastUsedAt: null,
      expiresAt: '2027-12-01T00:00:00Z',
    });

    const row = await running.server.services.database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', body.clientId)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(hashToken(body.clientSecret));
    expect(JSON.stringify(row)).not.toContain(body.clientSecret.slice(4));

    const got = await call(running.url, 'GET', `/v1/api-keys/${body.clientId}`, { as: 'admin' });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(body.apiKey);
    expect(got.text).not.toContain(body.clientSecret);
    const listed = await call<Page>(running.url, 'GET', '/v1/api-keys', { as: 'admin' });
    expect(listed.text).not.toContain(body.clientSecret);
    expect(running.logs.text()).not.toContain(body.clientSecret);
  });

  it('refuses a key with more access than its creator holds', async () => {
    const wide = await create('narrow', {
      name: 'Too wide',
      access: { role: 'custom', operations: ['view_backups', 'delete_tasks'], services: ['box'] },
    });
    expect(wide.status).toBe(403);
    expect(wide.body).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(String(wide.body['detail'])).toContain('delete_tasks');
    const otherService = await create('narrow', {
      name: 'Other service',
      access: { role: 'custom', operations: ['view_backups'], services: ['dropbox'] },
    });
    expect(otherService.status).toBe(403);
    const admin = await create('narrow', { name: 'Admin', access: { role: 'administrator' } });
    expect(admin.status).toBe(403);
    const within = await create('narrow', {
      name: 'Within',
      access: { role: 'custom', operations: ['view_backups'], services: ['box'] },
    });
    expect(within.status).toBe(201);
  });

  it('needs manage_api_keys', async () => {
    expect((await create('custom', { name: 'x', access: { role: 'administrator' } })).status).toBe(403);
    expect((await call(running.url, 'GET', '/v1/api-keys', { as: 'custom' })).status).toBe(403);
  });

  it('refuses an expiry in the past and malformed bodies with 400', async () => {
    const past = await create('admin', {
      name: 'Old',
      access: { role: 'administrator' },
      expiresAt: '2026-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    expect(past.body).toMatchObject({ code: 'VALIDATION', errors: [{ path: '/body/expiresAt' }] });
    const bad = await create('admin', {
      name: 'x',
      access: { role: 'custom', operations: ['primary_user'], services: [] },
    });
    expect(bad.status).toBe(400);
    const extra = await create('admin', { name: 'x', access: { role: 'administrator' }, secret: 'mine' });
    expect(extra.status).toBe(400);
  });

  it('pages through keys by cursor, in either order, filtered by creator', async () => {
    const { db } = running.server.services.database;
    const other = await seedAccount(db, { now });
    const creator = await seedUser(db, other.id, { now });
    registered.set('other-admin', sessionPrincipalOf(creator));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      now = new Date(now.getTime() + 1000);
      const answer = await create('other-admin', { name: `Key ${i}`, access: { role: 'administrator' } });
      ids.push((answer.body as { clientId: string }).clientId);
    }
    // Same creation time: the id breaks the tie.
    const sameTime = await seedApiKey(db, other.id, { now, createdBy: null });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page: { body: Page } = await call<Page>(
        running.url,
        'GET',
        `/v1/api-keys?limit=2&order=createdAt${query}`,
        {
          as: 'other-admin',
        },
      );
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual([...ids, sameTime.id].sort((a, b) => (a < b ? -1 : 1)));
    expect(pages).toBe(3);

    const newest = await call<Page>(running.url, 'GET', '/v1/api-keys', { as: 'other-admin' });
    expect(newest.body.items.map((item) => item.id)).toEqual([...seen].reverse());
    expect(newest.body.nextCursor).toBeNull();

    const byCreator = await call<Page>(running.url, 'GET', `/v1/api-keys?createdBy=${creator.id}&limit=3`, {
      as: 'other-admin',
    });
    expect(byCreator.body.items.map((item) => item.id)).toEqual(ids.slice(2).reverse());
    const next = String(byCreator.body.nextCursor);
    const changed = await call(running.url, 'GET', `/v1/api-keys?limit=3&cursor=${next}`, { as: 'other-admin' });
    expect(changed.status).toBe(400);
    expect(changed.body).toMatchObject({ code: 'INVALID_CURSOR' });
    const malformed = await call(running.url, 'GET', '/v1/api-keys?cursor=bm90LWpzb24', { as: 'other-admin' });
    expect(malformed.body).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
    const rest = await call<Page>(running.url, 'GET', `/v1/api-keys?createdBy=${creator.id}&limit=3&cursor=${next}`, {
      as: 'other-admin',
    });
    expect(rest.body.items.map((item) => item.id)).toEqual(ids.slice(0, 2).reverse());
    expect(rest.body.nextCursor).toBeNull();

    const mine = await call<Page>(running.url, 'GET', '/v1/api-keys?limit=200', { as: 'admin' });
    expect(mine.body.items.some((item) => seen.includes(item.id))).toBe(false);
  });

  it('deletes a key and its tokens at once; another account cannot see or delete it', async () => {
    const { db } = running.server.services.database;
    const key = await seedApiKey(db, account.id, { createdBy: account.primary.id, now });
    const { accessToken } = await clientCredentialsToken(running.url, key);
    expect((await call(running.url, 'GET', '/v1/api-keys', { bearer: accessToken })).status).toBe(200);

    const foreign = await call(running.url, 'DELETE', `/v1/api-keys/${key.id}`, { as: 'other-admin' });
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain(key.id);

    expect((await call(running.url, 'DELETE', `/v1/api-keys/${key.id}`, { as: 'admin' })).status).toBe(204);
    expect((await call(running.url, 'GET', '/v1/api-keys', { bearer: accessToken })).status).toBe(401);
    expect((await call(running.url, 'GET', `/v1/api-keys/${key.id}`, { as: 'admin' })).status).toBe(404);
    expect((await call(running.url, 'DELETE', `/v1/api-keys/${key.id}`, { as: 'admin' })).status).toBe(404);
    const left = await db.selectFrom('oauth_tokens').select('id').where('api_key_id', '=', key.id).execute();
    expect(left).toEqual([]);
    expect((await call(running.url, 'GET', `/v1/api-keys/${newId('key')}`, { as: 'admin' })).status).toBe(404);
  });

  it('lets a key delete itself, and records a key created by a key as its creator’s', async () => {
    const { db } = running.server.services.database;
    const key = await seedApiKey(db, account.id, { createdBy: account.primary.id, now });
    const { accessToken } = await clientCredentialsToken(running.url, key);
    const created = await call(running.url, 'POST', '/v1/api-keys', {
      bearer: accessToken,
      body: { name: 'Made by a key', access: { role: 'administrator' } },
    });
    expect(created.status).toBe(201);
    expect((created.body as { apiKey: ApiKeyBody }).apiKey.createdBy).toBe(account.primary.id);
    expect((await call(running.url, 'DELETE', `/v1/api-keys/${key.id}`, { bearer: accessToken })).status).toBe(204);
    expect((await call(running.url, 'GET', '/v1/api-keys', { bearer: accessToken })).status).toBe(401);
  });

  it('records when a key was last used, at most once a minute', async () => {
    const { db } = running.server.services.database;
    const key = await seedApiKey(db, account.id, { now });
    const lastUsed = async () =>
      ((await call(running.url, 'GET', `/v1/api-keys/${key.id}`, { as: 'admin' })).body as unknown as ApiKeyBody)
        .lastUsedAt;
    expect(await lastUsed()).toBeNull();
    const issuedAt = now;
    const { accessToken } = await clientCredentialsToken(running.url, key);
    expect(await lastUsed()).toBe(`${issuedAt.toISOString().slice(0, 19)}Z`);
    now = new Date(now.getTime() + 30_000);
    await call(running.url, 'GET', '/v1/api-keys', { bearer: accessToken });
    expect(await lastUsed()).toBe(`${issuedAt.toISOString().slice(0, 19)}Z`);
    now = new Date(now.getTime() + 60_000);
    await call(running.url, 'GET', '/v1/api-keys', { bearer: accessToken });
    expect(await lastUsed()).toBe(`${now.toISOString().slice(0, 19)}Z`);
  });
});
