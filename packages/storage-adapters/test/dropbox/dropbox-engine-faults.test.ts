/**
 * Faults during Dropbox backups and restores through the engine, on the Dropbox mock: a refused or
 * expired token fails that entity's backup with an AuthError and nothing else; an expired token with a
 * refresh token is renewed once and the run goes on; and throttling storms (429 with `retry_after`, 503
 * with `Retry-After`, `too_many_write_operations` on writes) slow runs down without failing an item.
 * Waits are counted, never taken.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectHoldfastError } from '@holdfast/engine/testing';
import type { Repository } from '@holdfast/engine';
import { DropboxClient, DropboxRestoreTarget, DropboxSource } from '../../src/dropbox/index.ts';
import { mockTree, restoredTree, seed, smallRepository } from './dropbox-engine-support.ts';
import { mockConnection, newMember, teamOptions, useDropboxMock } from './dropbox-test-support.ts';

const dropbox = useDropboxMock();

let repository: Repository;
beforeEach(async () => {
  repository = await smallRepository();
});
afterEach(async () => {
  dropbox.mock.throttle(undefined);
  await repository.close();
});

describe('auth failures through the engine', () => {
  it('an expired token without a refresh token fails that account backup only (user connections)', async () => {
    const ana = dropbox.mock.addUser({ email: 'ana@example.com' });
    const ben = dropbox.mock.addUser({ email: 'ben@example.com' });
    seed(ana);
    seed(ben);
    const sourceOf = (accountId: string): DropboxSource =>
      new DropboxSource({
        mode: 'user',
        credentials: { accessToken: dropbox.mock.issueTokens(accountId).accessToken },
        ...mockConnection(dropbox),
      });
    const anaSource = sourceOf(ana.accountId);
    const benSource = sourceOf(ben.accountId);
    await repository.backup(anaSource, ana.accountId);
    await repository.backup(benSource, ben.accountId);
    dropbox.mock.expireAccessTokens(ben.accountId);
    ana.namespace.writeFile('/top.txt', new TextEncoder().encode('edited'), { mode: 'overwrite' });

    const error = await expectHoldfastError(repository.backup(benSource, ben.accountId), 'AUTH');
    expect(error.message).toMatch(/re-authorised/);
    const anaSnapshot = await repository.backup(anaSource, ana.accountId);
    expect(anaSnapshot).toMatchObject({ status: 'complete', stats: { walk: 'incremental', failedItems: 0 } });
    expect(await restoredTree(repository, anaSnapshot)).toEqual(mockTree(ana));
    const snapshots = await repository.snapshots();
    expect(snapshots.filter((s) => s.entity.id === ben.accountId)).toHaveLength(1); // no snapshot of the failed run
    expect((await repository.check()).problems).toEqual([]);
  });

  it('a member Dropbox refuses (401 user_suspended) fails that member only; the team token works on', async () => {
    const ana = newMember(dropbox, 'ana');
    const ben = newMember(dropbox, 'ben');
    seed(ana);
    seed(ben);
    const source = new DropboxSource(teamOptions(dropbox));
    ben.refused = 'user_suspended';
    try {
      await expectHoldfastError(repository.backup(source, ben.teamMemberId ?? ''), 'AUTH');
      const snapshot = await repository.backup(source, ana.teamMemberId ?? '');
      expect(snapshot.status).toBe('complete');
    } finally {
      ben.refused = undefined;
    }
  });

  it('an expired token with a refresh token is renewed once, and the backup completes', async () => {
    const ana = newMember(dropbox, 'ana');
    seed(ana);
    const client = new DropboxClient(teamOptions(dropbox));
    const source = new DropboxSource({ client });
    dropbox.mock.expireAccessTokens();
    const before = dropbox.mock.count('oauth2/token');
    const snapshot = await repository.backup(source, ana.teamMemberId ?? '', { concurrency: 8 });
    expect(snapshot).toMatchObject({ status: 'complete', stats: { failedItems: 0 } });
    expect(dropbox.mock.count('oauth2/token') - before).toBe(1);
  });
});

describe('throttling storms through the engine', () => {
  it('a backup and its restore complete under 429 storms with zero failed items', async () => {
    const ana = newMember(dropbox, 'storm');
    seed(ana);
    for (let i = 0; i < 40; i += 1)
      ana.namespace.writeFile(`/Many/file-${String(i)}.txt`, new TextEncoder().encode(`file ${String(i)}`), {
        mode: 'add',
      });
    const client = new DropboxClient(teamOptions(dropbox));
    const source = new DropboxSource({ client, pageSize: 10 });
    dropbox.waits.length = 0;
    // Every third call of the member is refused with 429 and retry_after 1 (body and header).
    dropbox.mock.throttle({ allow: 2, refuse: 1, retryAfter: 1, via: 'both', account: ana.accountId });
    const throttledBefore = dropbox.mock.throttled;
    const snapshot = await repository.backup(source, ana.teamMemberId ?? '');
    expect(snapshot).toMatchObject({ status: 'complete', stats: { failedItems: 0 } });
    expect(dropbox.mock.throttled - throttledBefore).toBeGreaterThan(10);
    expect(dropbox.waits.filter((ms) => ms === 1000).length).toBe(dropbox.mock.throttled - throttledBefore);

    // The restore into another member, under 503s with Retry-After and too_many_write_operations.
    const ben = newMember(dropbox, 'storm-target');
    const target = new DropboxRestoreTarget({ client, member: ben.teamMemberId });
    dropbox.mock.throttle({ allow: 3, refuse: 1, retryAfter: 0, via: 'header', status: 503, account: ben.accountId });
    const result = await repository.restore(snapshot, target);
    expect(result.errors).toEqual([]);
    dropbox.mock.throttle({
      allow: 1,
      refuse: 1,
      reason: 'too_many_write_operations',
      via: 'body',
      account: ben.accountId,
    });
    const again = await repository.restore(
      snapshot,
      new DropboxRestoreTarget({ client, member: ben.teamMemberId, root: '/Again' }),
    );
    expect(again.errors).toEqual([]);
    dropbox.mock.throttle(undefined);
    expect(mockTree(ben, '/Again')).toEqual(mockTree(ana));
    expect(Object.fromEntries(Object.entries(mockTree(ben)).filter(([path]) => !path.startsWith('Again')))).toEqual(
      mockTree(ana),
    );
    expect(client.stats.throttled).toBeGreaterThan(30);
  });
});
