/**
 * The engine on the MOCK Box, restore side: a snapshot restored into the same user in each mode —
 * non-destructive (everything into a `Holdfast Restore <time>` folder, the live files untouched), replace
 * (changed files get a NEW VERSION, identical ones are skipped by their SHA-1, missing ones are created,
 * files the snapshot does not have are left alone), bypass (only what is missing) — and into another
 * user; then an export to a Box folder that `unzip -t` accepts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile as writeLocal } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '@holdfast/engine/testing';
import type { Repository, Snapshot } from '@holdfast/engine';
import { BoxExportDestination, BoxRestoreTarget, BoxSource } from '../../src/box/index.ts';
import type { MockUser } from './box-mock/box-mock-store.ts';
import { newRepository, plainTree } from './box-engine-support.ts';
import {
  fileAtLocation,
  itemAt,
  keyOfItem,
  mockConnection,
  seedTree,
  useBoxMock,
  writeFile,
} from './box-test-support.ts';

const run = promisify(execFile);
const mock = useBoxMock();
const connection = mockConnection(mock);
let repository: Repository;
let work: string;
beforeAll(async () => {
  repository = await newRepository();
  work = await mkdtemp(join(tmpdir(), 'holdfast-box-restore-'));
});
afterAll(async () => {
  await repository.close();
  await rm(work, { recursive: true, force: true });
});

/** A user with four files backed up; returns the snapshot and the tree it holds. */
async function backedUp(name: string): Promise<{ user: MockUser; snapshot: Snapshot; tree: Record<string, string> }> {
  const user = mock.addUser(name);
  seedTree(mock, user, [
    { path: 'same.txt', type: 'file', content: utf8('same') },
    { path: 'changed.txt', type: 'file', content: utf8('snapshot version') },
    { path: 'missing.txt', type: 'file', content: utf8('deleted after the backup') },
    { path: 'docs', type: 'folder' },
    { path: 'docs/a.txt', type: 'file', content: utf8('docs a') },
  ]);
  const snapshot = await repository.backup(new BoxSource({ connection }), user.id);
  return { user, snapshot, tree: plainTree(mock, user) };
}

/** The user's live changes after the backup. */
function liveChanges(user: MockUser): void {
  writeFile(mock, user, 'changed.txt', utf8('live version'));
  mock.store.trash(user.id, keyOfItem(itemAt(mock, user, 'missing.txt')));
  writeFile(mock, user, 'extra.txt', utf8('made after the backup'));
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('the engine on Box: restores and exports', () => {
  it('non-destructive: restores into a Holdfast Restore folder and touches nothing live', async () => {
    const { user, snapshot, tree } = await backedUp('Nondestructive');
    liveChanges(user);
    const live = plainTree(mock, user);
    const target = new BoxRestoreTarget({ connection, userId: user.id });
    const plan = await repository.planRestore(snapshot, target, { mode: 'non-destructive' });
    expect(plan.restoreFolder).toMatch(/^Holdfast Restore \d{4}-\d{2}-\d{2} \d{2}-\d{2}-\d{2} UTC$/);
    const report = await repository.executeRestore(plan, target);
    expect(report.totals.failed).toBe(0);
    const after = plainTree(mock, user);
    for (const [path, value] of Object.entries(live)) expect(after[path], path).toBe(value);
    expect(plainTree(mock, user, plan.restoreFolder)).toEqual(tree);
  });

  it('replace: a new version for what changed, identical files skipped, missing ones created, others left alone', async () => {
    const { user, snapshot } = await backedUp('Replace');
    liveChanges(user);
    const changed = itemAt(mock, user, 'changed.txt');
    const same = itemAt(mock, user, 'same.txt');
    const target = new BoxRestoreTarget({ connection, userId: user.id });
    const plan = await repository.planRestore(snapshot, target, { mode: 'replace' });
    const actions = Object.fromEntries(plan.items.map((item) => [item.path, `${item.action} ${item.reason}`]));
    expect(actions).toMatchObject({
      'same.txt': 'skip identical',
      'changed.txt': 'overwrite different',
      'missing.txt': 'create missing',
      'docs/a.txt': 'skip identical',
    });
    mock.resetCounters();
    expect((await repository.executeRestore(plan, target)).totals).toMatchObject({ failed: 0, succeeded: 2 });
    expect(mock.count('POST upload /files/{id}/content')).toBe(1);
    expect(mock.count('POST upload /files/content')).toBe(1);
    expect(mock.count('DELETE /files/{id}', 'DELETE /folders/{id}')).toBe(0);
    expect(itemAt(mock, user, 'changed.txt').id).toBe(changed.id);
    expect(itemAt(mock, user, 'changed.txt').versions).toHaveLength(3);
    expect(itemAt(mock, user, 'same.txt').versions).toEqual(same.versions);
    expect(plainTree(mock, user)).toMatchObject({
      'changed.txt': b64('snapshot version'),
      'missing.txt': b64('deleted after the backup'),
      'extra.txt': b64('made after the backup'),
    });
  });

  it('bypass: creates only what is missing', async () => {
    const { user, snapshot } = await backedUp('Bypass');
    liveChanges(user);
    const target = new BoxRestoreTarget({ connection, userId: user.id });
    const plan = await repository.planRestore(snapshot, target, { mode: 'bypass' });
    expect((await repository.executeRestore(plan, target)).totals.failed).toBe(0);
    expect(plainTree(mock, user)).toMatchObject({
      'changed.txt': b64('live version'),
      'missing.txt': b64('deleted after the backup'),
      'extra.txt': b64('made after the backup'),
    });
  });

  it.each(['non-destructive', 'replace', 'bypass'] as const)(
    '%s: restores into another user, under a folder of theirs, exactly the snapshot',
    async (mode) => {
      const { snapshot, tree } = await backedUp(`Source user (${mode})`);
      const other = mock.addUser(`Other user (${mode})`);
      const target = new BoxRestoreTarget({ connection, userId: other.id, rootPath: 'From Source user' });
      const plan = await repository.planRestore(snapshot, target, { mode });
      expect(plan.restoreFolder).toBeUndefined();
      expect((await repository.executeRestore(plan, target)).totals.failed).toBe(0);
      expect(plainTree(mock, other, 'From Source user')).toEqual(tree);
    },
  );

  it('exports a snapshot as a zip into a Box folder', async () => {
    const { user, snapshot } = await backedUp('Exported');
    const destination = new BoxExportDestination({ connection, userId: user.id, folderPath: 'Holdfast exports' });
    const exported = await repository.export(snapshot, destination, { name: 'exported.zip' });
    expect(exported.location.location).toBe(`box://file/${itemAt(mock, user, 'Holdfast exports/exported.zip').id}`);
    const zip = join(work, 'exported.zip');
    await writeLocal(zip, fileAtLocation(mock, exported.location.location));
    const { stdout } = await run('unzip', ['-t', zip]);
    expect(stdout).toMatch(/No errors detected/);
    const { stdout: listing } = await run('unzip', ['-Z1', zip]);
    for (const path of ['same.txt', 'changed.txt', 'missing.txt', 'docs/a.txt']) expect(listing).toContain(path);
  });
});
