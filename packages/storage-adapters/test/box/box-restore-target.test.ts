/**
 * What is special about BoxRestoreTarget beyond the conformance suite, against the MOCK Box: overwriting
 * uploads a new version (same file id, no delete), `modifiedAt` becomes `content_modified_at`, large
 * files go through a chunked upload session (parts of `part_size` with their digests, a commit answered
 * 202 first), a failed chunked upload aborts its session and leaves nothing, a name taken meanwhile is a
 * conflict (or, with overwrite, a new version of that file), names compare without case, spool files are
 * removed, and Box's own name rules become ValidationError.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkedStream, collect, expectHoldfastError, failingStream, testBytes, utf8 } from '@holdfast/engine/testing';
import { BoxRestoreTarget } from '../../src/box/index.ts';
import { keyOf, type MockUser } from './box-mock/box-mock-store.ts';
import { itemAt, mockConnection, useBoxMock } from './box-test-support.ts';

const mock = useBoxMock();
const connection = mockConnection(mock);
let spoolDirectory: string;
beforeAll(async () => {
  spoolDirectory = await mkdtemp(join(tmpdir(), 'holdfast-box-spool-'));
});
afterAll(async () => {
  await rm(spoolDirectory, { recursive: true, force: true });
});

function targetFor(user: MockUser, options: { chunkedUploadThreshold?: number } = {}): BoxRestoreTarget {
  return new BoxRestoreTarget({ connection, userId: user.id, spoolDirectory, memorySpoolLimit: 64 * 1024, ...options });
}

async function write(
  target: BoxRestoreTarget,
  path: string,
  bytes: Uint8Array,
  overwrite = false,
  modifiedAt?: string,
): Promise<void> {
  await target.writeFile(path, chunkedStream(bytes), {
    size: bytes.length,
    overwrite,
    ...(modifiedAt === undefined ? {} : { modifiedAt }),
  });
}

const TWENTY_ONE_MB = 21_000_000;

describe('BoxRestoreTarget', () => {
  it('overwrites by uploading a new version of the same file, never delete and create', async () => {
    const user = mock.addUser('Versions');
    const target = targetFor(user);
    await write(target, 'report.txt', utf8('first'));
    const id = itemAt(mock, user, 'report.txt').id;
    mock.resetCounters();
    await write(target, 'report.txt', utf8('second, longer'), true, '2021-03-04T05:06:07.000Z');
    const file = itemAt(mock, user, 'report.txt');
    expect(file.id).toBe(id);
    expect(file.versions.map((version) => Buffer.from(version.bytes).toString())).toEqual(['first', 'second, longer']);
    expect(mock.count('POST upload /files/{id}/content')).toBe(1);
    expect(mock.count('DELETE /files/{id}', 'POST upload /files/content')).toBe(0);
    expect(file.contentModifiedAt).toBe(Date.parse('2021-03-04T05:06:07Z'));
    expect((await target.stat('REPORT.TXT'))?.modifiedAt).toBe('2021-03-04T05:06:07.000Z');
  });

  it('sends large files through a chunked upload session, whose commit Box may answer 202 first', async () => {
    const user = mock.addUser('Large');
    const target = targetFor(user, { chunkedUploadThreshold: 20_000_000 });
    const bytes = testBytes(TWENTY_ONE_MB, 3);
    mock.settings.commitsNotReady = 1;
    mock.resetCounters();
    await write(target, 'big.bin', bytes, false, '2022-01-02T03:04:05.000Z');
    const file = itemAt(mock, user, 'big.bin');
    expect(Buffer.compare(Buffer.from(file.versions.at(-1)?.bytes ?? []), Buffer.from(bytes))).toBe(0);
    expect(file.contentModifiedAt).toBe(Date.parse('2022-01-02T03:04:05Z'));
    expect(mock.count('POST upload /files/upload_sessions')).toBe(1);
    expect(mock.count('PUT upload /files/upload_sessions/{id}')).toBe(
      Math.ceil(TWENTY_ONE_MB / mock.settings.partSize),
    );
    expect(mock.count('POST upload /files/upload_sessions/{id}/commit')).toBe(2);
    expect(mock.count('POST upload /files/content')).toBe(0);
    // And as a new version of the same file.
    const again = testBytes(TWENTY_ONE_MB + 5, 4);
    await write(target, 'big.bin', again, true);
    expect(itemAt(mock, user, 'big.bin').id).toBe(file.id);
    expect(mock.count('POST upload /files/{id}/upload_sessions')).toBe(1);
    expect(itemAt(mock, user, 'big.bin').versions).toHaveLength(2);
  });

  it('aborts a chunked session that fails, and leaves no file; a failing stream starts no session at all', async () => {
    const user = mock.addUser('Failing');
    const target = targetFor(user, { chunkedUploadThreshold: 20_000_000 });
    const aborted = mock.settings.abortedSessions;
    mock.faults.push({
      match: ({ key }) => key === 'PUT upload /files/upload_sessions/{id}',
      answer: { status: 400, json: { type: 'error', status: 400, code: 'bad_request', message: 'part refused' } },
    });
    await expectHoldfastError(write(target, 'big.bin', testBytes(TWENTY_ONE_MB, 5)), 'PERMANENT');
    expect(mock.settings.abortedSessions).toBe(aborted + 1);
    expect(mock.settings.sessions.size).toBe(0);
    expect(mock.store.at(user.id, 'big.bin')).toBeUndefined();
    mock.resetCounters();
    const bytes = testBytes(TWENTY_ONE_MB, 6);
    await expect(
      target.writeFile('big.bin', failingStream(bytes, 5_000_000), { size: bytes.length, overwrite: false }),
    ).rejects.toThrow(/failed/);
    expect(mock.count('POST upload /files/upload_sessions', 'POST upload /files/content')).toBe(0);
    expect(await readdir(spoolDirectory)).toEqual([]);
  });

  it('turns a name taken meanwhile into a conflict, or with overwrite into a new version of that file', async () => {
    const user = mock.addUser('Racer');
    const target = targetFor(user);
    await target.createFolder('dir');
    const dir = itemAt(mock, user, 'dir');
    const sneak = (name: string): void => {
      mock.faults.push({
        match: ({ key }) => key === 'POST upload /files/content',
        before: () => mock.store.createFile(user.id, keyOf('folder', dir.id), name, utf8('theirs')),
      });
    };
    await target.stat('dir/race.txt');
    sneak('race.txt');
    await expectHoldfastError(write(target, 'dir/race.txt', utf8('mine')), 'CONFLICT');
    expect(Buffer.from(itemAt(mock, user, 'dir/race.txt').versions.at(-1)?.bytes ?? []).toString()).toBe('theirs');
    await target.stat('dir/other.txt');
    sneak('other.txt');
    await write(target, 'dir/other.txt', utf8('mine'), true);
    expect(
      itemAt(mock, user, 'dir/other.txt').versions.map((version) => Buffer.from(version.bytes).toString()),
    ).toEqual(['theirs', 'mine']);
  });

  it('finds folders and files whatever the case of their names, as Box does', async () => {
    const user = mock.addUser('Cases');
    mock.store.createFolder(user.id, mock.store.rootKey(user.id), 'Docs');
    const target = targetFor(user);
    await target.createFolder('docs/Sub');
    expect(mock.store.children(mock.store.rootKey(user.id)).map((item) => item.name)).toEqual(['Docs']);
    await write(target, 'DOCS/sub/a.txt', utf8('a'));
    expect((await collect(target.list('docs/SUB'))).map((entry) => entry.path)).toEqual(['docs/SUB/a.txt']);
  });

  it('reports a web link as `other`, refuses to write over it, and removes items to the trash', async () => {
    const user = mock.addUser('Links');
    const link = mock.store.createWebLink(user.id, mock.store.rootKey(user.id), 'Bookmark', 'https://example.com/');
    const target = targetFor(user);
    expect(await target.stat('Bookmark')).toMatchObject({ type: 'other' });
    await expectHoldfastError(write(target, 'Bookmark', utf8('x'), true), 'CONFLICT');
    await target.createFolder('gone/deep');
    await target.remove('gone');
    expect(await target.stat('gone')).toBeUndefined();
    expect(mock.store.item(keyOf('web_link', link.id))?.status).toBe('active');
    const trashed = [...mock.store.items.values()].find((item) => item.name === 'gone');
    expect(trashed?.status).toBe('trashed');
  });

  it('refuses content of another size than announced, and names Box refuses', async () => {
    const user = mock.addUser('Strict');
    const target = targetFor(user);
    await expectHoldfastError(
      target.writeFile('short.txt', chunkedStream(utf8('abc')), { size: 10, overwrite: false }),
      'INTEGRITY',
    );
    expect(await target.stat('short.txt')).toBeUndefined();
    await expectHoldfastError(write(target, 'trailing space ', utf8('x')), 'VALIDATION');
    await expectHoldfastError(target.createFolder('x'.repeat(256)), 'VALIDATION');
  });
});
