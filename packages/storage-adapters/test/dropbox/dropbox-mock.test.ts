/**
 * The Dropbox mock itself, spoken to with raw `fetch` as Dropbox is: what it enforces (tokens,
 * `Dropbox-API-Select-User`, upload offsets and content hashes), how its change log coalesces, and what it
 * counts. Every response is checked against the Stone specs like in every other Dropbox test.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '@holdfast/engine/testing';
import { dropboxContentHash, headerSafeJson } from '../../src/dropbox/index.ts';
import { newMember, useDropboxMock } from './dropbox-test-support.ts';

const dropbox = useDropboxMock();

async function rpc(
  route: string,
  arg: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${dropbox.mock.apiUrl}/2/${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(arg),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text
  }
  return { status: response.status, body };
}

async function upload(route: string, arg: unknown, bytes: Uint8Array, headers: Record<string, string>) {
  const response = await fetch(`${dropbox.mock.contentUrl}/2/${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', 'Dropbox-API-Arg': headerSafeJson(arg), ...headers },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const summary = (body: unknown): unknown => (body as { error_summary?: unknown }).error_summary;

describe('the Dropbox mock', () => {
  it('enforces tokens and Dropbox-API-Select-User as Dropbox does', async () => {
    const member = newMember(dropbox, 'enforce');
    const user = dropbox.mock.addUser({ email: 'enforce-user@example.com' });
    const team = { Authorization: `Bearer ${dropbox.mock.issueTokens().accessToken}` };
    const own = { Authorization: `Bearer ${dropbox.mock.issueTokens(user.accountId).accessToken}` };
    const as = { 'Dropbox-API-Select-User': member.teamMemberId ?? '' };
    expect((await rpc('files/list_folder', { path: '' }, { ...team, ...as })).status).toBe(200);
    expect((await rpc('files/list_folder', { path: '' }, team)).status).toBe(400);
    expect((await rpc('files/list_folder', { path: '' }, { ...own, ...as })).status).toBe(400);
    expect((await rpc('files/list_folder', { path: '' }, own)).status).toBe(200);
    expect((await rpc('team/members/list_v2', {}, own)).status).toBe(400);
    expect((await rpc('team/members/list_v2', {}, { ...team, ...as })).status).toBe(400);
    const unknown = await rpc(
      'files/list_folder',
      { path: '' },
      { ...team, 'Dropbox-API-Select-User': 'dbmid:nobody' },
    );
    expect([unknown.status, summary(unknown.body)]).toEqual([401, 'invalid_select_user/..']);
    const bad = await rpc('files/list_folder', { path: '' }, { Authorization: 'Bearer sl.forged' });
    expect([bad.status, summary(bad.body)]).toEqual([401, 'invalid_access_token/..']);
    dropbox.mock.expireAccessTokens(user.accountId);
    const expired = await rpc('files/list_folder', { path: '' }, own);
    expect([expired.status, summary(expired.body)]).toEqual([401, 'expired_access_token/..']);
  });

  it('coalesces its change log: the last state of each path, deletions in place', async () => {
    const member = newMember(dropbox, 'coalesce');
    const ns = member.namespace;
    ns.writeFile('/keep.txt', utf8('1'), { mode: 'add' });
    const from = ns.seq;
    ns.writeFile('/keep.txt', utf8('2'), { mode: 'overwrite' });
    ns.writeFile('/keep.txt', utf8('3'), { mode: 'overwrite' });
    ns.writeFile('/temp.txt', utf8('t'), { mode: 'add' });
    ns.remove('/temp.txt');
    ns.move('/keep.txt', '/KEEP.txt'); // case only: not logged
    const changes = ns
      .changesSince(from, '', true)
      .map((record) => `${String(record.meta['.tag'])} ${record.pathLower}`);
    expect(changes).toEqual(['file /keep.txt', 'deleted /temp.txt']);
  });

  it('checks upload offsets and content hashes, and commits a session only at finish', async () => {
    const member = newMember(dropbox, 'sessions');
    const headers = {
      Authorization: `Bearer ${dropbox.mock.issueTokens().accessToken}`,
      'Dropbox-API-Select-User': member.teamMemberId ?? '',
    };
    const start = await upload('files/upload_session/start', {}, utf8('abc'), headers);
    const session = String(start.body['session_id']);
    const wrong = await upload(
      'files/upload_session/append_v2',
      { cursor: { session_id: session, offset: 1 } },
      utf8('d'),
      headers,
    );
    expect([wrong.status, wrong.body['error']]).toEqual([409, { '.tag': 'incorrect_offset', correct_offset: 3 }]);
    const damaged = await upload(
      'files/upload_session/append_v2',
      { cursor: { session_id: session, offset: 3 }, content_hash: dropboxContentHash(utf8('x')) },
      utf8('d'),
      headers,
    );
    expect(summary(damaged.body)).toBe('content_hash_mismatch/..');
    expect(member.namespace.resolve('/s.txt')).toBeUndefined();
    const finish = await upload(
      'files/upload_session/finish',
      { cursor: { session_id: session, offset: 3 }, commit: { path: '/s.txt', mode: 'add' } },
      utf8('def'),
      headers,
    );
    expect(finish.status).toBe(200);
    const file = member.namespace.resolve('/s.txt');
    expect(file?.kind === 'file' && Buffer.from(file.content).toString()).toBe('abcdef');
    expect(dropbox.mock.count('files/upload_session/append_v2', member.accountId)).toBe(2);
  });
});
