/**
 * Restores and exports of Dropbox snapshots through the engine, on the Dropbox mock: each restore mode
 * (non-destructive, replace, bypass) into the member the snapshot came from, after that member's
 * Dropbox changed; a restore into another member; and an export of the snapshot as a zip into a
 * member's Dropbox folder, which `unzip -t` must accept.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Repository, RestoreMode, Snapshot } from '@holdfast/engine';
import { DropboxExportDestination, DropboxRestoreTarget, DropboxSource } from '../../src/dropbox/index.ts';
import type { MockAccount } from './dropbox-mock/index.ts';
import { mockTree, seed, smallRepository, type TreeState } from './dropbox-engine-support.ts';
import { newMember, teamOptions, useDropboxMock } from './dropbox-test-support.ts';

const dropbox = useDropboxMock();
const run = promisify(execFile);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

let repository: Repository;
let ana: MockAccount;
let snapshot: Snapshot;
let backedUp: TreeState;

beforeEach(async () => {
  repository = await smallRepository();
  ana = newMember(dropbox, 'ana');
  seed(ana);
  snapshot = await repository.backup(new DropboxSource(teamOptions(dropbox)), ana.teamMemberId ?? '');
  backedUp = mockTree(ana);
  // Ana's Dropbox moves on: an edit, a deletion, a new file.
  ana.namespace.writeFile('/Docs/notes.txt', text('edited since the backup'), { mode: 'overwrite' });
  ana.namespace.remove('/Photos/Trip 2024/day 1.jpg');
  ana.namespace.writeFile('/Docs/since.txt', text('new since the backup'), { mode: 'add' });
});
afterEach(async () => {
  await repository.close();
});

async function restore(mode: RestoreMode, into: MockAccount) {
  const target = new DropboxRestoreTarget({ ...teamOptions(dropbox), member: into.teamMemberId });
  const plan = await repository.planRestore(snapshot, target, { mode, now: new Date('2026-11-23T14:05:09Z') });
  dropbox.mock.resetCounters();
  const report = await repository.executeRestore(plan, target);
  expect(report.totals.failed, JSON.stringify(report.items.filter((item) => item.outcome === 'failed'))).toBe(0);
  const uploads = ['files/upload', 'files/upload_session/finish'].reduce(
    (n, route) => n + dropbox.mock.count(route),
    0,
  );
  return { plan, report, uploads };
}

/** The entries of `state` under `folder/`, relative to it. */
function under(state: TreeState, folder: string): TreeState {
  return Object.fromEntries(
    Object.entries(state)
      .filter(([path]) => path.startsWith(`${folder}/`) && path !== `${folder}/`)
      .map(([path, value]) => [path.slice(folder.length + 1), value]),
  );
}

describe('restoring Dropbox snapshots through the engine', () => {
  it('non-destructive: into a Holdfast Restore folder, touching nothing that is there', async () => {
    const before = mockTree(ana);
    const { plan } = await restore('non-destructive', ana);
    expect(plan.restoreFolder).toBe('Holdfast Restore 2026-11-23 14-05-09 UTC');
    const after = mockTree(ana);
    expect(under(after, plan.restoreFolder ?? '')).toEqual(backedUp);
    const { [`${plan.restoreFolder ?? ''}/`]: _folder, ...rest } = after;
    expect(
      Object.fromEntries(Object.entries(rest).filter(([path]) => !path.startsWith(plan.restoreFolder ?? ''))),
    ).toEqual(before);
  });

  it('replace: back to the snapshot, writing only what differs (Dropbox content hashes tell)', async () => {
    const { plan, uploads } = await restore('replace', ana);
    expect(plan.counts).toMatchObject({ overwrite: 1, 'restore-folder': 0 });
    expect(uploads).toBe(2); // the edited file and the deleted one; the identical ones were skipped
    const after = mockTree(ana);
    const { 'Docs/since.txt': since, ...rest } = after;
    expect(since).toBeDefined(); // replace does not delete what the snapshot does not have
    expect(rest).toEqual(backedUp);
    // client_modified came back with the file.
    const report = ana.namespace.resolve('/Docs/report.txt');
    expect(report?.kind === 'file' && report.clientModified).toBe('2024-03-01T10:00:00Z');
  });

  it('bypass: creates what is missing, leaves what exists', async () => {
    const { uploads } = await restore('bypass', ana);
    expect(uploads).toBe(1);
    const after = mockTree(ana);
    expect(after['Photos/Trip 2024/day 1.jpg']).toBe(backedUp['Photos/Trip 2024/day 1.jpg']);
    expect(Buffer.from(after['Docs/notes.txt'] ?? '', 'base64').toString()).toBe('edited since the backup');
  });

  it('into another member: an empty Dropbox gets the tree in place, in every mode', async () => {
    for (const mode of ['non-destructive', 'replace', 'bypass'] as const) {
      const ben = newMember(dropbox, `ben-${mode}`);
      const { plan } = await restore(mode, ben);
      expect(plan.restoreFolder).toBeUndefined();
      expect(mockTree(ben), mode).toEqual(backedUp);
    }
  });
});

describe('exporting Dropbox snapshots', () => {
  it('exports a snapshot as a zip into a member folder', async () => {
    const ben = newMember(dropbox, 'exports');
    const destination = new DropboxExportDestination({
      ...teamOptions(dropbox),
      member: ben.teamMemberId,
      folder: '/Exports',
    });
    const exported = await repository.export(snapshot, destination, { name: 'ana.zip' });
    expect(exported.location.location).toBe(`dropbox://${ben.teamMemberId ?? ''}/Exports/ana.zip`);
    const zip = ben.namespace.resolve('/Exports/ana.zip');
    if (zip?.kind !== 'file') throw new Error('no export');
    expect(exported.location.size).toBe(zip.content.length);
    const dir = await mkdtemp(join(tmpdir(), 'holdfast-dropbox-export-'));
    try {
      await writeFile(join(dir, 'ana.zip'), zip.content);
      const { stdout } = await run('unzip', ['-t', join(dir, 'ana.zip')]);
      expect(stdout).toMatch(/No errors detected/);
      const { stdout: listing } = await run('unzip', ['-Z1', join(dir, 'ana.zip')]);
      for (const path of Object.keys(backedUp).filter((p) => !p.endsWith('/'))) expect(listing).toContain(path);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
