/**
 * What an incremental Dropbox backup costs, in calls (never in time): in a member's Dropbox of 2,000
 * items, after k changed files (k = 1, 10, 600), an incremental backup through the engine makes at most k
 * downloads and at most ceil(k/500) + 2 listing calls. The mock pages as Dropbox does (2,000 entries at
 * most, `limit` honoured) and the source asks for the maximum.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '@holdfast/engine';
import { DropboxSource } from '../../src/dropbox/index.ts';
import type { MockAccount } from './dropbox-mock/index.ts';
import { smallRepository } from './dropbox-engine-support.ts';
import { newMember, teamOptions, useDropboxMock } from './dropbox-test-support.ts';

const dropbox = useDropboxMock();
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const FOLDERS = 40;
const FILES_PER_FOLDER = 49; // 40 folders + 1,960 files = 2,000 items

let repository: Repository;
let member: MockAccount;
let source: DropboxSource;

beforeAll(async () => {
  repository = await smallRepository();
  member = newMember(dropbox, 'big');
  for (let f = 0; f < FOLDERS; f += 1) {
    for (let i = 0; i < FILES_PER_FOLDER; i += 1) {
      member.namespace.writeFile(
        `/Folder ${String(f)}/file ${String(i)}.txt`,
        text(`folder ${String(f)} file ${String(i)}`),
        { mode: 'add' },
      );
    }
  }
  source = new DropboxSource(teamOptions(dropbox));
  dropbox.mock.resetCounters();
  const first = await repository.backup(source, member.teamMemberId ?? '');
  expect(first.stats).toMatchObject({ walk: 'full', items: 2000, newFiles: 1960, failedItems: 0 });
  expect(dropbox.mock.count('files/list_folder', member.accountId)).toBe(1);
  expect(dropbox.mock.count('files/list_folder/continue', member.accountId)).toBe(0);
  expect(dropbox.mock.count('files/download', member.accountId)).toBe(1960);
}, 120_000);
afterAll(async () => {
  await repository.close();
});

const listingCalls = (): number =>
  dropbox.mock.count('files/list_folder', member.accountId) +
  dropbox.mock.count('files/list_folder/continue', member.accountId);

describe('an incremental Dropbox backup of 2,000 items', () => {
  it.each([1, 10, 600])(
    'after %i changed files: at most that many downloads, ceil(k/500)+2 listing calls',
    async (k) => {
      for (let n = 0; n < k; n += 1) {
        const f = n % FOLDERS;
        const i = Math.floor(n / FOLDERS);
        member.namespace.writeFile(
          `/Folder ${String(f)}/file ${String(i)}.txt`,
          text(`changed ${String(k)} ${String(n)}`),
          {
            mode: 'overwrite',
          },
        );
      }
      dropbox.mock.resetCounters();
      const snapshot = await repository.backup(source, member.teamMemberId ?? '');
      expect(snapshot.stats).toMatchObject({ walk: 'incremental', items: 2000, changedFiles: k, failedItems: 0 });
      const downloads = dropbox.mock.count('files/download', member.accountId);
      expect(downloads).toBeLessThanOrEqual(k);
      expect(downloads).toBe(k);
      expect(listingCalls()).toBeLessThanOrEqual(Math.ceil(k / 500) + 2);
      expect(listingCalls()).toBe(1);
      expect(dropbox.mock.bytesDownloaded).toBe(snapshot.stats.bytesRead);
    },
  );
});
