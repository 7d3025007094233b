/**
 * What every Dropbox test file shares: one Dropbox mock per file (msw, started before the tests and
 * closed after), every response checked against the Stone specs with the violations asserted empty after
 * each test, and client options pointing at the mock (retries that count their waits instead of taking
 * them, so no test depends on time).
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { DropboxClientOptions } from '../../src/dropbox/index.ts';
import { DropboxMock, type DropboxMockOptions, type MockAccount } from './dropbox-mock/index.ts';
import { ShapeWatch } from './stone/stone-shapes.ts';

/** The mock of this test file, its shape watch, and the waits the adapter asked for. */
export interface DropboxMockHandle {
  readonly mock: DropboxMock;
  readonly shapes: ShapeWatch;
  /** Every wait (ms) the adapter's retries asked for, in order. */
  readonly waits: number[];
}

/**
 * Starts a Dropbox mock for the calling test file and checks every response it sends against the Stone
 * specs (a test with a violation fails in `afterEach`).
 */
export function useDropboxMock(options: DropboxMockOptions = {}): DropboxMockHandle {
  const handle = {} as { mock: DropboxMock; shapes: ShapeWatch; waits: number[] };
  handle.waits = [];
  beforeAll(() => {
    handle.mock = new DropboxMock(options).listen();
    handle.shapes = new ShapeWatch(handle.mock);
  });
  afterEach(() => {
    const violations = handle.shapes.take();
    expect(violations, 'mock responses that do not match the Dropbox Stone specs').toEqual([]);
  });
  afterAll(() => {
    handle.mock.close();
  });
  return handle;
}

/** Client options for the team connection of `handle`'s mock (a team app with a refresh token). */
export function teamOptions(
  handle: DropboxMockHandle,
  extra: Partial<DropboxClientOptions> = {},
): DropboxClientOptions {
  const { refreshToken, accessToken } = handle.mock.issueTokens();
  return {
    credentials: {
      appKey: handle.mock.app.appKey,
      appSecret: handle.mock.app.appSecret,
      refreshToken,
      accessToken,
    },
    ...mockConnection(handle),
    ...extra,
  };
}

/** Client options for one account outside a team (a user app). */
export function userOptions(
  handle: DropboxMockHandle,
  account: MockAccount,
  extra: Partial<DropboxClientOptions> = {},
): DropboxClientOptions {
  const { refreshToken, accessToken } = handle.mock.issueTokens(account.accountId);
  return {
    credentials: { appKey: handle.mock.app.appKey, appSecret: handle.mock.app.appSecret, refreshToken, accessToken },
    ...mockConnection(handle),
    ...extra,
  };
}

/** Base URLs of the mock, and retries that record their waits instead of sleeping. */
export function mockConnection(handle: DropboxMockHandle): Pick<DropboxClientOptions, 'baseUrls' | 'retry'> {
  return {
    baseUrls: { api: handle.mock.apiUrl, content: handle.mock.contentUrl },
    retry: {
      sleep: (ms) => {
        handle.waits.push(ms);
        return Promise.resolve();
      },
    },
  };
}

let members = 0;

/** A fresh team member with an empty Dropbox (tests never share members). */
export function newMember(handle: DropboxMockHandle, name = 'member'): MockAccount {
  members += 1;
  return handle.mock.addMember({ email: `${name}-${String(members)}@example.com`, givenName: name, surname: 'Tester' });
}
