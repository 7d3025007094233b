/**
 * What the Box tests share: one MOCK Box per test file (listening through msw, its spec violations
 * asserted empty after every test), connections to it with each auth type, fixture trees written into a
 * user's files the way the Box web app would, and a user's tree read back for comparisons.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { SourceFixtureItem } from '@holdfast/engine/testing';
import { BoxConnection, type BoxConnectionOptions } from '../../src/box/index.ts';
import { BoxMock, MOCK_API, MOCK_UPLOAD } from './box-mock/box-mock.ts';
import { keyOf, type MockItem, type MockUser } from './box-mock/box-mock-store.ts';

/** The mock Box's hosts, as the adapter's `baseUrls`. */
export const mockBaseUrls = {
  baseUrl: MOCK_API,
  uploadUrl: MOCK_UPLOAD,
  oauth2Url: 'https://account.box.test/api/oauth2',
};

/** Starts a mock for the test file; after each test, asserts it saw no answer off the spec. */
export function useBoxMock(): BoxMock {
  const mock = new BoxMock();
  beforeAll(() => {
    mock.listen();
  });
  afterAll(() => {
    mock.close();
  });
  afterEach(() => {
    const violations = mock.violations.splice(0);
    expect(violations, "answers of the mock that Box's OpenAPI description does not allow").toEqual([]);
    mock.throttle = undefined;
    mock.faults.length = 0;
    mock.latencyMs = 0;
    mock.refusedAsUser.clear();
    mock.settings.eventQuirks = {};
    mock.settings.downloadsNotReady = 0;
    mock.settings.commitsNotReady = 0;
  });
  return mock;
}

/** A connection to the mock with the app's Client Credentials (enterprise), retries without long waits. */
export function mockConnection(mock: BoxMock, options: Partial<BoxConnectionOptions> = {}): BoxConnection {
  return new BoxConnection({
    auth: {
      type: 'client-credentials',
      clientId: mock.auth.app.clientId,
      clientSecret: mock.auth.app.clientSecret,
      enterpriseId: mock.store.enterpriseId,
    },
    baseUrls: mockBaseUrls,
    retry: { baseDelayMs: 1, maxDelayMs: 1000 },
    ...options,
  });
}

/** Writes a fixture tree (folders before contents) into a user's root, or under `under`. */
export function seedTree(mock: BoxMock, user: MockUser, fixture: readonly SourceFixtureItem[], under = ''): void {
  for (const item of fixture) {
    const path = under === '' ? item.path : `${under}/${item.path}`;
    const slash = path.lastIndexOf('/');
    const parent = mock.store.at(user.id, slash === -1 ? '' : path.slice(0, slash));
    if (parent?.type !== 'folder') throw new Error(`seed: no folder for ${path}`);
    const name = path.slice(slash + 1);
    const parentKey = keyOf('folder', parent.id);
    if (item.type === 'folder') mock.store.createFolder(user.id, parentKey, name);
    else if (item.type === 'file') mock.store.createFile(user.id, parentKey, name, item.content ?? new Uint8Array(0));
    else throw new Error(`seed: Box has no ${item.type}s`);
  }
}

/** Creates or replaces the file at `path` (its folder exists), as a user editing it would. */
export function writeFile(mock: BoxMock, user: MockUser, path: string, bytes: Uint8Array): MockItem {
  const existing = mock.store.at(user.id, path);
  if (existing?.type === 'file') return mock.store.newVersion(user.id, keyOf('file', existing.id), bytes);
  const slash = path.lastIndexOf('/');
  const parent = mock.store.at(user.id, slash === -1 ? '' : path.slice(0, slash));
  if (parent?.type !== 'folder') throw new Error(`writeFile: no folder for ${path}`);
  return mock.store.createFile(user.id, keyOf('folder', parent.id), path.slice(slash + 1), bytes);
}

/** The item at a path; fails when there is none. */
export function itemAt(mock: BoxMock, user: MockUser, path: string): MockItem {
  const item = mock.store.at(user.id, path);
  if (item === undefined) throw new Error(`no item at ${path}`);
  return item;
}

/** `keyOf` for a mock item. */
export function keyOfItem(item: MockItem): string {
  return keyOf(item.type, item.id);
}

/** A user's live tree: path → `folder`, or the file's bytes. */
export function treeOf(mock: BoxMock, user: MockUser, under = ''): Map<string, 'folder' | Uint8Array> {
  const tree = new Map<string, 'folder' | Uint8Array>();
  const root = mock.store.at(user.id, under);
  if (root === undefined) return tree;
  const visit = (folder: MockItem, path: string): void => {
    for (const child of mock.store.children(keyOf('folder', folder.id))) {
      const childPath = path === '' ? child.name : `${path}/${child.name}`;
      if (child.type === 'folder') {
        tree.set(childPath, 'folder');
        visit(child, childPath);
      } else if (child.type === 'file') {
        tree.set(childPath, child.versions.at(-1)?.bytes ?? new Uint8Array(0));
      }
    }
  };
  visit(root, '');
  return tree;
}

/** The bytes of the file a `box://file/<id>` location names. */
export function fileAtLocation(mock: BoxMock, location: string): Uint8Array {
  const id = /^box:\/\/file\/(\d+)$/.exec(location)?.[1];
  const file = id === undefined ? undefined : mock.store.item(keyOf('file', id));
  if (file === undefined || !mock.store.isLive(file)) throw new Error(`no file at ${location}`);
  return file.versions.at(-1)?.bytes ?? new Uint8Array(0);
}
