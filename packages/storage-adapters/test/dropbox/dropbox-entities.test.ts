/**
 * The entities of DropboxSource: a team's members over several `members/list_v2` pages (active and
 * suspended ones; invited and removed ones not), each reachable by its `team_member_id`; and user mode,
 * whose one entity is the token's account.
 */
import { describe, expect, it } from 'vitest';
import { collect, expectHoldfastError } from '@holdfast/engine/testing';
import { DropboxSource } from '../../src/dropbox/index.ts';
import { teamOptions, useDropboxMock, userOptions } from './dropbox-test-support.ts';

const dropbox = useDropboxMock();

describe('DropboxSource entities', () => {
  it('lists the members of a team over several pages: active and suspended, not invited or removed', async () => {
    const { mock } = dropbox;
    for (let i = 0; i < 1003; i += 1) mock.addMember({ email: `m${String(i)}@example.com` });
    const suspended = mock.addMember({
      email: 'suspended@example.com',
      givenName: 'Sus',
      surname: 'Pended',
      status: 'suspended',
    });
    const invited = mock.addMember({ email: 'invited@example.com', status: 'invited' });
    const removed = mock.addMember({ email: 'removed@example.com', status: 'removed' });
    mock.resetCounters();

    const source = new DropboxSource(teamOptions(dropbox));
    const entities = await collect(source.listEntities());
    expect(entities).toHaveLength(1004);
    expect(mock.count('team/members/list_v2')).toBe(1);
    expect(mock.count('team/members/list/continue_v2')).toBe(1);
    const ids = new Set(entities.map((entity) => entity.id));
    expect(ids.has(suspended.teamMemberId ?? '')).toBe(true);
    expect(ids.has(invited.teamMemberId ?? '')).toBe(false);
    expect(ids.has(removed.teamMemberId ?? '')).toBe(false);
    expect(entities.find((entity) => entity.id === suspended.teamMemberId)).toEqual({
      id: suspended.teamMemberId,
      name: 'Sus Pended',
      email: 'suspended@example.com',
    });

    const activeOnly = await collect(
      new DropboxSource({ ...teamOptions(dropbox), includeSuspended: false }).listEntities(),
    );
    expect(activeOnly).toHaveLength(1003);

    // A suspended member's files can still be walked; an invited or removed one is not found.
    suspended.namespace.writeFile('/kept.txt', new TextEncoder().encode('kept'), { mode: 'add' });
    const walk = await source.walk(suspended.teamMemberId ?? '');
    expect((await collect(walk.entries)).length).toBe(1);
    await expectHoldfastError(source.walk(invited.teamMemberId ?? ''), 'NOT_FOUND');
    await expectHoldfastError(source.walk(removed.teamMemberId ?? ''), 'NOT_FOUND');
  });

  it('in user mode, the one entity is the token account', async () => {
    const user = dropbox.mock.addUser({ email: 'ana@example.com', givenName: 'Ana', surname: 'Lima' });
    const source = new DropboxSource({ ...userOptions(dropbox, user), mode: 'user' });
    expect(source.name).toBe('dropbox:user');
    expect(await collect(source.listEntities())).toEqual([
      { id: user.accountId, name: 'Ana Lima', email: 'ana@example.com' },
    ]);
    await expectHoldfastError(source.walk('dbid:someone-else'), 'NOT_FOUND');
    expect(dropbox.mock.count('users/get_current_account', user.accountId)).toBe(1); // asked once, then kept
  });

  it('names itself without secrets', () => {
    const options = teamOptions(dropbox);
    const source = new DropboxSource({ ...options, folder: 'Projects/2026/' });
    expect(source.name).toBe('dropbox:team:/Projects/2026');
    expect(source.folder).toBe('/Projects/2026');
    expect(() => new DropboxSource({ ...options, folder: '../x' })).toThrow(/\.\./);
    expect(() => new DropboxSource({ ...options, pageSize: 5000 })).toThrow(/pageSize/);
  });
});
