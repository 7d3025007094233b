import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createHoldfastClient,
  isHoldfastApiError,
  pages,
  paginate,
  type components,
  type PagedPath,
} from '../../src/index.ts';
import { FakeServer, json, problem } from '../support/fake-server.ts';

type User = components['schemas']['User'];

function user(n: number): User {
  return {
    id: `usr_${String(n).padStart(26, '0')}`,
    email: `user${String(n)}@example.org`,
    name: `User ${String(n)}`,
    authType: 'email',
    status: 'active',
    primary: n === 0,
    access: { role: 'administrator' },
    createdAt: '2026-12-01T09:00:00Z',
    lastSignInAt: null,
    invitation: null,
  };
}

/** A server listing `count` users, `limit` a page, with cursors `c<offset>`. */
function listingServer(count: number): FakeServer {
  const server = new FakeServer();
  server.validAccessTokens.add('hfat_given');
  server.route('GET', '/v1/users', (request) => {
    const query = new URLSearchParams(request.search);
    const limit = Number(query.get('limit') ?? '50');
    const offset = Number(query.get('cursor')?.slice(1) ?? '0');
    const items = Array.from({ length: Math.max(0, Math.min(limit, count - offset)) }, (_, i) => user(offset + i));
    const next = offset + limit < count ? `c${String(offset + limit)}` : null;
    return json({ items, nextCursor: next });
  });
  return server;
}

function clientOf(server: FakeServer) {
  return createHoldfastClient({ baseUrl: 'http://holdfast.test', accessToken: 'hfat_given', fetch: server.fetch });
}

describe('paginate', () => {
  it('yields every item across pages, following nextCursor with the same query', async () => {
    const server = listingServer(7);
    const holdfast = clientOf(server);

    const emails: string[] = [];
    for await (const item of paginate(holdfast, '/v1/users', {
      query: { limit: 3, status: ['active', 'invited'], order: 'email' },
    })) {
      expectTypeOf(item).toEqualTypeOf<User>();
      emails.push(item.email);
    }

    expect(emails).toEqual(Array.from({ length: 7 }, (_, i) => `user${String(i)}@example.org`));
    expect(server.requestsTo('/v1/users').map((request) => request.search)).toEqual([
      '?limit=3&status=active&status=invited&order=email',
      '?limit=3&status=active&status=invited&order=email&cursor=c3',
      '?limit=3&status=active&status=invited&order=email&cursor=c6',
    ]);
  });

  it('asks for the next page only when iterated that far', async () => {
    const server = listingServer(10);
    const holdfast = clientOf(server);
    for await (const item of holdfast.paginate('/v1/users', { query: { limit: 4 } })) {
      if (item.email === 'user1@example.org') break;
    }
    expect(server.requestsTo('/v1/users')).toHaveLength(1);
  });

  it('handles an empty list', async () => {
    const holdfast = clientOf(listingServer(0));
    const all = [];
    for await (const item of holdfast.users.list()) all.push(item);
    expect(all).toEqual([]);
  });

  it('yields pages with pages()', async () => {
    const holdfast = clientOf(listingServer(5));
    const sizes: number[] = [];
    for await (const page of pages(holdfast, '/v1/users', { query: { limit: 2 } })) sizes.push(page.items.length);
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('throws the page’s error (INVALID_CURSOR)', async () => {
    const server = new FakeServer();
    server.validAccessTokens.add('hfat_given');
    server.route('GET', '/v1/api-keys', (request) =>
      request.search.includes('cursor') ? problem(400, 'INVALID_CURSOR') : json({ items: [], nextCursor: 'c1' }),
    );
    const error: unknown = await (async () => {
      for await (const _ of clientOf(server).apiKeys.list()) {
        // nothing
      }
    })().catch((caught: unknown) => caught);
    expect(isHoldfastApiError(error, 'INVALID_CURSOR')).toBe(true);
  });

  it('refuses a server that answers the same cursor again (no endless loop)', async () => {
    const server = new FakeServer();
    server.validAccessTokens.add('hfat_given');
    server.route('GET', '/v1/api-keys', () => json({ items: [], nextCursor: 'same' }));
    const run = async () => {
      for await (const _ of paginate(clientOf(server), '/v1/api-keys')) {
        // nothing
      }
    };
    await expect(run()).rejects.toThrow(/same cursor twice/);
    expect(server.requestsTo('/v1/api-keys')).toHaveLength(2);
  });

  it('accepts only paths that list pages', () => {
    expectTypeOf<PagedPath>().toEqualTypeOf<
      '/v1/regions' | '/v1/users' | '/v1/api-keys' | '/v1/ip-rules' | '/v1/audit-events' | '/v1/activity-events'
    >();
  });
});
