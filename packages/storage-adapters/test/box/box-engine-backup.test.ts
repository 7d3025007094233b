/**
 * The engine on the MOCK Box, backup side: a first (full) backup of a user; edits, renames, moves,
 * copies, deletions and a restore from the trash; an incremental backup that reads only what changed and
 * gives exactly the snapshot a full walk of the same state gives (the same root tree), and restores into
 * another user identical to the user's current tree; a new user; a token that expires mid-run (renewed,
 * nothing lost), a user Box stops letting the app act as (that backup fails with AuthError, the next
 * user's succeeds), an OAuth connection whose refresh is refused (AuthError, no snapshot); and a storm of
 * 429s and 503s that slows the runs down and fails nothing.
 */
import { describe, expect, it } from 'vitest';
import { collect, expectHoldfastError } from '@holdfast/engine/testing';
import { BoxConnection, BoxOAuthFlow, BoxRestoreTarget, BoxSource, type BoxTokens } from '../../src/box/index.ts';
import { changeRichUser, newRepository, plainTree, richUser } from './box-engine-support.ts';
import { mockBaseUrls, mockConnection, useBoxMock } from './box-test-support.ts';

const mock = useBoxMock();
const connection = mockConnection(mock);
const downloads = (): number => mock.count('GET /files/{id}/content');

describe('the engine on Box: backups', () => {
  it('backs up a user in full, then incrementally (only the changes read), identical to a full walk, and restores it into another user', async () => {
    const ana = richUser(mock, 'Ana Backup');
    const source = new BoxSource({ connection });
    const repository = await newRepository();
    try {
      mock.resetCounters();
      const first = await repository.backup(source, ana.id, { entityName: 'Ana' });
      expect(first).toMatchObject({ status: 'complete', stats: { walk: 'full', failedItems: 0, newFiles: 10 } });
      expect(downloads()).toBe(10);
      const fullCalls = { ...mock.calls };

      const { filesToRead } = changeRichUser(mock, ana);
      mock.resetCounters();
      const second = await repository.backup(source, ana.id);
      expect(second).toMatchObject({ status: 'complete', stats: { walk: 'incremental', failedItems: 0 } });
      expect(downloads()).toBe(filesToRead);
      expect(second.stats.changedFiles + second.stats.newFiles).toBe(filesToRead);
      // Listings only for the copied and the restored folder's subtrees, not the account.
      expect(mock.count('GET /folders/{id}/items')).toBe(2);
      expect(mock.count('GET /events')).toBe(2);
      expect(mock.count('GET /folders/{id}/items')).toBeLessThan(fullCalls['GET /folders/{id}/items'] ?? 0);

      const full = await repository.backup(source, ana.id, { parent: null });
      expect(full.stats.walk).toBe('full');
      expect(second.tree).toBe(full.tree);
      expect(second.stats.items).toBe(full.stats.items);

      const carl = mock.addUser('Carl Restore');
      const result = await repository.restore(second, new BoxRestoreTarget({ connection, userId: carl.id }));
      expect(result.errors).toEqual([]);
      expect(result.skipped).toBe(2); // the two web links
      expect(plainTree(mock, carl)).toEqual(plainTree(mock, ana));

      // A third, quiet run: nothing read, one events call.
      mock.resetCounters();
      const third = await repository.backup(source, ana.id);
      expect(third).toMatchObject({ stats: { walk: 'incremental', changedFiles: 0, newFiles: 0, bytesRead: 0 } });
      expect(third.tree).toBe(second.tree);
      expect(downloads()).toBe(0);
    } finally {
      await repository.close();
    }
  });

  it('finds a new user and backs it up in full', async () => {
    const source = new BoxSource({ connection });
    const before = new Set((await collect(source.listEntities())).map((entity) => entity.id));
    const dana = richUser(mock, 'Dana New');
    const after = await collect(source.listEntities());
    expect(after.filter((entity) => !before.has(entity.id)).map((entity) => entity.id)).toEqual([dana.id]);
    const repository = await newRepository();
    try {
      const snapshot = await repository.backup(source, dana.id, { entityName: 'Dana' });
      expect(snapshot).toMatchObject({ status: 'complete', stats: { walk: 'full', newFiles: 10 } });
    } finally {
      await repository.close();
    }
  });

  it('renews a token that expires mid-run and completes', async () => {
    const user = richUser(mock, 'Expiring');
    const own = mockConnection(mock);
    const source = new BoxSource({ connection: own });
    const repository = await newRepository();
    try {
      let listings = 0;
      mock.faults.push({
        match: ({ key }) => key === 'GET /folders/{id}/items' && ++listings === 3,
        before: () => {
          mock.auth.expireAccessTokens();
        },
      });
      const snapshot = await repository.backup(source, user.id);
      expect(snapshot).toMatchObject({ status: 'complete', stats: { failedItems: 0 } });
      expect(own.auth.tokenCalls).toBe(2);
    } finally {
      await repository.close();
    }
  });

  it('fails the backup of a user Box stops letting the app act as, with AuthError, and nothing else', async () => {
    const erin = richUser(mock, 'Erin Refused');
    const fred = richUser(mock, 'Fred Fine');
    const source = new BoxSource({ connection });
    const repository = await newRepository();
    try {
      let listings = 0;
      mock.faults.push({
        match: ({ key, actor }) => key === 'GET /folders/{id}/items' && actor?.id === erin.id && ++listings === 2,
        before: () => {
          mock.refusedAsUser.add(erin.id);
        },
      });
      await expectHoldfastError(repository.backup(source, erin.id), 'AUTH');
      expect(await repository.snapshots()).toEqual([]);
      const fine = await repository.backup(source, fred.id);
      expect(fine).toMatchObject({ status: 'complete', stats: { failedItems: 0 } });
      expect((await repository.snapshots()).map((snapshot) => snapshot.entity.id)).toEqual([fred.id]);
      expect((await repository.check()).problems).toEqual([]);
    } finally {
      await repository.close();
    }
  });

  it('fails a backup whose OAuth refresh Box refuses mid-run with AuthError saying to re-authorise', async () => {
    const user = richUser(mock, 'Gina OAuth');
    let tokens: BoxTokens | undefined;
    const tokenStore = {
      get: async () => Promise.resolve(tokens),
      set: async (next: BoxTokens) => void (tokens = next),
    };
    const credentials = { clientId: mock.auth.app.clientId, clientSecret: mock.auth.app.clientSecret, tokenStore };
    await new BoxOAuthFlow({ ...credentials, baseUrls: mockBaseUrls }).exchangeCode(mock.auth.issueCode(user.id));
    const source = new BoxSource({
      connection: new BoxConnection({ auth: { type: 'oauth', ...credentials }, baseUrls: mockBaseUrls }),
    });
    const repository = await newRepository();
    try {
      let listings = 0;
      mock.faults.push({
        match: ({ key }) => key === 'GET /folders/{id}/items' && ++listings === 2,
        before: () => {
          mock.auth.revokeRefreshTokens();
          mock.auth.expireAccessTokens();
        },
      });
      const error = await expectHoldfastError(repository.backup(source, user.id), 'AUTH');
      expect(error.message).toMatch(/re-authorised/);
      expect(await repository.snapshots()).toEqual([]);
    } finally {
      await repository.close();
    }
  });

  it('rides out a storm of 429s and 503s with nothing failed: full and incremental backups, and a restore', async () => {
    const user = richUser(mock, 'Stormy');
    const storm = mockConnection(mock, { retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    const source = new BoxSource({ connection: storm });
    const repository = await newRepository();
    try {
      mock.resetCounters();
      mock.throttle = { every: 3, retryAfter: '0' };
      const first = await repository.backup(source, user.id);
      changeRichUser(mock, user);
      mock.throttle = { every: 2, status: 503, retryAfter: '0' };
      const second = await repository.backup(source, user.id);
      const into = mock.addUser('Storm Restore');
      mock.throttle = { every: 3, retryAfter: '0' };
      const restored = await repository.restore(second, new BoxRestoreTarget({ connection: storm, userId: into.id }));
      mock.throttle = undefined;
      for (const snapshot of [first, second])
        expect(snapshot).toMatchObject({ status: 'complete', stats: { failedItems: 0 } });
      expect(second.stats.walk).toBe('incremental');
      expect(restored.errors).toEqual([]);
      expect(plainTree(mock, into)).toEqual(plainTree(mock, user));
      expect(mock.throttled).toBeGreaterThan(25);
      expect(mock.requests.filter((record) => record.status === 429 || record.status === 503).length).toBe(
        mock.throttled,
      );
    } finally {
      await repository.close();
    }
  });
});
