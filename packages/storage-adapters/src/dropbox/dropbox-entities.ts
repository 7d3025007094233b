/**
 * The entities of a Dropbox source. A team connection lists the team's members (`team/members/list_v2`,
 * then `team/members/list/continue_v2`, 1000 a page): a member is an entity `{ id: team_member_id, name,
 * email }`, reached afterwards with `Dropbox-API-Select-User`. Active members are listed; suspended ones
 * too unless `includeSuspended` is false (their files stay with the team, and backing them up is what
 * off-boarding needs); invited members are skipped (they have no Dropbox yet) and removed members are not
 * asked for. A user connection has one entity: the token's own account (`users/get_current_account`).
 */
import type { CallOptions, SourceEntity } from '@holdfast/engine';
import type { team, users } from 'dropbox';
import type { DropboxClient } from './dropbox-client.ts';

/** The members of the team, as entities (see the module note). */
export async function* teamMemberEntities(
  client: DropboxClient,
  includeSuspended: boolean,
  options: CallOptions = {},
): AsyncGenerator<SourceEntity, void, undefined> {
  const call = { signal: options.signal, idempotent: true };
  let page = await client.rpc<team.MembersListV2Result>(
    'team/members/list_v2',
    { limit: 1000, include_removed: false },
    call,
  );
  for (;;) {
    for (const { profile } of page.members) {
      const status = profile.status['.tag'];
      if (status === 'active' || (status === 'suspended' && includeSuspended)) {
        yield { id: profile.team_member_id, name: profile.name.display_name, email: profile.email };
      }
    }
    if (!page.has_more) return;
    page = await client.rpc<team.MembersListV2Result>('team/members/list/continue_v2', { cursor: page.cursor }, call);
  }
}

/** The account a user token (or a selected member) acts as. */
export async function currentAccount(
  client: DropboxClient,
  member: string | undefined,
  options: CallOptions = {},
): Promise<users.FullAccount> {
  return client.rpc<users.FullAccount>('users/get_current_account', undefined, {
    member,
    signal: options.signal,
    idempotent: true,
  });
}

/** The one entity of a user connection. */
export function accountEntity(account: users.FullAccount): SourceEntity {
  return { id: account.account_id, name: account.name.display_name, email: account.email };
}
