/**
 * The mock's team and user routes, shaped from `team.stone` and `users.stone`: `team/members/list_v2` and
 * `team/members/list/continue_v2` (paged by `limit`, removed members only with `include_removed`, the
 * cursor an opaque offset), and `users/get_current_account` (the token's account, or the selected member's).
 */
import { badRequest, field, routeError, stringField } from './mock-http.ts';
import { fullAccountOf, memberInfoOf, type MockAccount } from './mock-accounts.ts';
import { accountOf, json, type MockCall, type MockRoute } from './mock-routes.ts';

interface MembersCursor {
  readonly o: number;
  readonly l: number;
  readonly r: boolean;
}

function members(call: MockCall, includeRemoved: boolean): MockAccount[] {
  return [...call.state.accounts.values()].filter(
    (account) => account.teamMemberId !== undefined && (includeRemoved || account.status !== 'removed'),
  );
}

function membersPage(call: MockCall, cursor: MembersCursor): unknown {
  const all = members(call, cursor.r);
  const page = all.slice(cursor.o, cursor.o + cursor.l);
  const next = cursor.o + page.length;
  return {
    members: page.map(memberInfoOf),
    cursor: Buffer.from(JSON.stringify({ ...cursor, o: next })).toString('base64url'),
    has_more: next < all.length,
  };
}

const membersList: MockRoute = {
  stone: { namespace: 'team', name: 'members/list', version: 2 },
  host: 'api',
  style: 'rpc',
  auth: 'team',
  handle(call) {
    const limit = field(call.arg, 'limit') ?? 1000;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw badRequest(call.route, 'Invalid "limit" parameter: must be from 1 to 1000');
    }
    return json(membersPage(call, { o: 0, l: limit, r: field(call.arg, 'include_removed') === true }));
  },
};

const membersContinue: MockRoute = {
  stone: { namespace: 'team', name: 'members/list/continue', version: 2 },
  host: 'api',
  style: 'rpc',
  auth: 'team',
  handle(call) {
    let cursor: MembersCursor;
    try {
      cursor = JSON.parse(
        Buffer.from(stringField(call.route, call.arg, 'cursor'), 'base64url').toString('utf8'),
      ) as MembersCursor;
    } catch {
      throw routeError(['invalid_cursor']);
    }
    if (typeof cursor.o !== 'number') throw routeError(['invalid_cursor']);
    return json(membersPage(call, cursor));
  },
};

const currentAccount: MockRoute = {
  stone: { namespace: 'users', name: 'get_current_account', version: 1 },
  host: 'api',
  style: 'rpc',
  auth: 'user',
  handle(call) {
    return json(fullAccountOf(accountOf(call)));
  },
};

/** The team and user routes, by HTTP route. */
export const teamRoutes: Record<string, MockRoute> = {
  'team/members/list_v2': membersList,
  'team/members/list/continue_v2': membersContinue,
  'users/get_current_account': currentAccount,
};
