/**
 * DropboxRestoreTarget through the engine's RestoreTarget conformance suite against the Dropbox mock
 * (a member's root; a root folder with small upload parts so that every larger write goes through an
 * upload session with appends), then what is special to Dropbox: how each write is sent, the strict `add`
 * mode, `client_modified`, and nothing left behind by a failed session.
 */
import { describe, expect, it } from 'vitest';
import {
  chunkedStream,
  describeRestoreTarget,
  expectHoldfastError,
  failingStream,
  testBytes,
  utf8,
} from '@holdfast/engine/testing';
import { DropboxRestoreTarget } from '../../src/dropbox/index.ts';
import type { MockAccount } from './dropbox-mock/index.ts';
import { newMember, teamOptions, useDropboxMock, userOptions } from './dropbox-test-support.ts';

const dropbox = useDropboxMock();
const MIB = 1024 * 1024;

/** The bytes of the file at `root/path` in `account`'s Dropbox, read from the mock. */
function reader(account: MockAccount, root = ''): (path: string) => Promise<Uint8Array> {
  return async (path) => {
    const item = account.namespace.resolve(`${root}/${path}`);
    if (item?.kind !== 'file') throw new Error(`no file at ${root}/${path}`);
    return Promise.resolve(item.content);
  };
}

describeRestoreTarget({
  name: 'DropboxRestoreTarget, a member root',
  create: async () => {
    const member = newMember(dropbox, 'target');
    const target = new DropboxRestoreTarget({ ...teamOptions(dropbox), member: member.teamMemberId });
    return { target, read: reader(member) };
  },
});

describeRestoreTarget({
  name: 'DropboxRestoreTarget, under a root folder, 4 MiB session parts',
  create: async () => {
    const member = newMember(dropbox, 'rooted');
    member.namespace.writeFile('/outside.txt', utf8('outside'), { mode: 'add' });
    const target = new DropboxRestoreTarget({
      ...teamOptions(dropbox),
      member: member.teamMemberId,
      root: '/Restored/Here',
      uploadThreshold: 1024,
      partSize: 4 * MIB,
    });
    return { target, read: reader(member, '/Restored/Here') };
  },
});

describeRestoreTarget({
  name: 'DropboxRestoreTarget, one account (user connection)',
  create: async () => {
    const user = dropbox.mock.addUser({ email: 'restore-user@example.com' });
    const target = new DropboxRestoreTarget(userOptions(dropbox, user));
    return { target, read: reader(user) };
  },
});

describe('DropboxRestoreTarget', () => {
  it('sends small files in one upload and large ones through a session, each request with its content_hash', async () => {
    const member = newMember(dropbox, 'sizes');
    const target = new DropboxRestoreTarget({
      ...teamOptions(dropbox),
      member: member.teamMemberId,
      partSize: 4 * MIB,
    });
    dropbox.mock.resetCounters();
    await target.writeFile('small.bin', chunkedStream(testBytes(1000)), { size: 1000, overwrite: false });
    expect(dropbox.mock.count('files/upload')).toBe(1);
    const large = testBytes(13 * MIB + 3, 2);
    await target.writeFile('large.bin', chunkedStream(large), { size: large.length, overwrite: false });
    expect(dropbox.mock.count('files/upload_session/start')).toBe(1);
    expect(dropbox.mock.count('files/upload_session/append_v2')).toBe(2);
    expect(dropbox.mock.count('files/upload_session/finish')).toBe(1);
    expect(Buffer.compare(await reader(member)('large.bin'), large)).toBe(0);
    expect(dropbox.mock.bytesUploaded).toBe(1000 + large.length);
  });

  it('refuses an existing file even with the same content unless overwriting, and sets client_modified', async () => {
    const member = newMember(dropbox, 'strict');
    const target = new DropboxRestoreTarget({ ...teamOptions(dropbox), member: member.teamMemberId });
    await target.writeFile('same.txt', chunkedStream(utf8('same')), { size: 4, overwrite: false });
    await expectHoldfastError(
      target.writeFile('SAME.txt', chunkedStream(utf8('same')), { size: 4, overwrite: false }),
      'CONFLICT',
    );
    await target.writeFile('same.txt', chunkedStream(utf8('new!')), {
      size: 4,
      overwrite: true,
      modifiedAt: '2019-12-31T23:59:59.999Z',
    });
    const file = member.namespace.resolve('/same.txt');
    expect(file?.kind === 'file' && file.clientModified).toBe('2019-12-31T23:59:59Z');
    expect((await target.stat('same.txt'))?.modifiedAt).toBe('2019-12-31T23:59:59.000Z');
    expect((await target.stat('same.txt'))?.contentHash?.algorithm).toBe('dropbox-content-hash');
  });

  it('leaves nothing when a session fails after appends, and the session is never finished', async () => {
    const member = newMember(dropbox, 'failed');
    const target = new DropboxRestoreTarget({
      ...teamOptions(dropbox),
      member: member.teamMemberId,
      partSize: 4 * MIB,
    });
    dropbox.mock.resetCounters();
    const bytes = testBytes(14 * MIB, 4);
    await expect(
      target.writeFile('broken.bin', failingStream(bytes, 13 * MIB), { size: bytes.length, overwrite: false }),
    ).rejects.toThrow(/injected/);
    // Parts are read one ahead: the stream fails while the fourth part is read, after one append.
    expect(dropbox.mock.count('files/upload_session/start')).toBe(1);
    expect(dropbox.mock.count('files/upload_session/append_v2')).toBe(1);
    expect(dropbox.mock.count('files/upload_session/finish')).toBe(0);
    expect(await target.stat('broken.bin')).toBeUndefined();
  });

  it('checks its options', () => {
    const options = teamOptions(dropbox);
    expect(() => new DropboxRestoreTarget({ ...options, partSize: 5 * MIB })).toThrow(/multiple of 4 MiB/);
    expect(() => new DropboxRestoreTarget({ ...options, root: '../up' })).toThrow(/\.\./);
    expect(new DropboxRestoreTarget({ ...options, member: 'dbmid:x', root: 'A/B/' }).name).toBe('dropbox:dbmid:x:/A/B');
  });
});
