/**
 * DropboxSource through the engine's Source conformance suite, against the Dropbox mock: a team member
 * (team mode, `Dropbox-API-Select-User`), an account of its own (user mode), and a folder of a member's
 * Dropbox named in another case than it has (the `folder` option). Symlinks are Dropbox files with
 * `symlink_info` (synced from desktop clients), so the suite runs whole: no test is skipped.
 */
import { describeSource, type SourceContext, type SourceFixtureItem } from '@holdfast/engine/testing';
import { DropboxSource } from '../../src/dropbox/index.ts';
import type { MockAccount } from './dropbox-mock/index.ts';
import { newMember, teamOptions, useDropboxMock, userOptions } from './dropbox-test-support.ts';

const dropbox = useDropboxMock();

/** Writes `fixture` under `root` of `account`'s Dropbox, and returns mutations of the same tree. */
function populate(account: MockAccount, fixture: readonly SourceFixtureItem[], root = ''): SourceContext['mutate'] {
  const ns = account.namespace;
  for (const item of fixture) {
    const path = `${root}/${item.path}`;
    if (item.type === 'folder') ns.createFolder(path);
    else if (item.type === 'symlink') {
      const target = item.linkTarget ?? '';
      ns.writeFile(path, new TextEncoder().encode(target), { mode: 'add', symlinkTarget: target });
    } else ns.writeFile(path, item.content ?? new Uint8Array(0), { mode: 'add' });
  }
  return {
    write: async (path, content) => {
      ns.writeFile(`${root}/${path}`, content, { mode: 'overwrite' });
      return Promise.resolve();
    },
    remove: async (path) => {
      ns.remove(`${root}/${path}`);
      return Promise.resolve();
    },
  };
}

describeSource({
  name: 'DropboxSource, a team member',
  create: async (fixture) => {
    const member = newMember(dropbox, 'source');
    const mutate = populate(member, fixture);
    const source = new DropboxSource(teamOptions(dropbox));
    return { source, entityId: member.teamMemberId ?? '', mutate };
  },
});

describeSource({
  name: 'DropboxSource, one account (user mode)',
  create: async (fixture) => {
    const user = dropbox.mock.addUser({ email: 'solo@example.com', givenName: 'Solo' });
    const mutate = populate(user, fixture);
    const source = new DropboxSource({ ...userOptions(dropbox, user), mode: 'user' });
    return { source, entityId: user.accountId, mutate };
  },
});

describeSource({
  name: 'DropboxSource, a folder of a member named in other case',
  create: async (fixture) => {
    const member = newMember(dropbox, 'folder');
    member.namespace.writeFile('/outside.txt', new TextEncoder().encode('not walked'), { mode: 'add' });
    member.namespace.createFolder('/Backup Root');
    const mutate = populate(member, fixture, '/Backup Root');
    const source = new DropboxSource({ ...teamOptions(dropbox), folder: '/backup root' });
    return { source, entityId: member.teamMemberId ?? '', mutate };
  },
});
