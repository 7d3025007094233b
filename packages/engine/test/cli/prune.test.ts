/** `holdfast prune` and `holdfast forget --prune` in-process. */
import { mkdir, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ForgetResult } from '../../src/lifecycle/forget.ts';
import type { PruneReport } from '../../src/lifecycle/prune/prune-run.ts';
import { CliSandbox, contents } from './cli-harness.ts';

describe('holdfast prune', () => {
  let box: CliSandbox;

  beforeEach(async () => {
    box = await CliSandbox.create();
    await box.ok(['init']);
    await mkdir(box.path('data'));
    // Three versions of a file of random-ish text: each version's content is unique to its snapshot.
    for (let version = 0; version < 3; version++) {
      const text = Array.from({ length: 4000 }, (_, i) => `${String(version)}-${String(i * 7919)}`).join(' ');
      await writeFile(box.path('data', 'big.txt'), text);
      await writeFile(box.path('data', `small-${String(version)}.txt`), `small ${String(version)}`);
      await box.ok(['backup', box.path('data')]);
    }
  });

  afterEach(async () => {
    await box.cleanup();
  });

  it('after forget, reclaims space, prints what it did and the requests, and the rest restores', async () => {
    await box.ok(['forget', '--keep-last', '1']);
    const dry = await box.ok(['prune', '--dry-run']);
    expect(dry.stdout).toMatch(/^dry run: \d+ blobs in use by 1 snapshot; would remove \d+ unused blobs$/m);
    expect(dry.stdout).toMatch(/would reclaim/);

    const run = await box.ok(['prune']);
    expect(run.stdout).toMatch(/^packs: \d+ before; delete \d+ unused/m);
    expect(run.stdout).toMatch(/^space: .* → .*, reclaim \d/m);
    expect(run.stdout).toMatch(/^requests: \d+ PUT, \d+ GET, \d+ LIST, \d+ HEAD, \d+ DELETE$/m);

    expect((await box.run(['check', '--read-data'])).code).toBe(0);
    await box.ok(['restore', 'latest', '--target', box.path('restored')]);
    expect(await contents(box.path('restored'))).toEqual(await contents(box.path('data')));

    const again = await box.json<PruneReport>(['prune']);
    expect(again.packs).toMatchObject({ deleted: 0, repacked: 0, written: 0 });
  });

  it('forget --prune --dry-run reports the prune that would follow, and changes nothing', async () => {
    const before = await box.json<unknown[]>(['snapshots']);
    const dry = await box.json<ForgetResult & { prune: PruneReport }>([
      'forget',
      '--keep-last',
      '1',
      '--prune',
      '--dry-run',
      '--repack-threshold',
      '0',
    ]);
    expect(dry.forgotten).toBe(2);
    expect(dry.prune).toMatchObject({ dryRun: true, snapshots: 1 });
    expect(dry.prune.blobs.removed).toBeGreaterThan(0);
    expect(await box.json<unknown[]>(['snapshots'])).toEqual(before);

    const real = await box.json<ForgetResult & { prune: PruneReport }>([
      'forget',
      '--keep-last',
      '1',
      '--prune',
      '--repack-threshold',
      '0',
    ]);
    expect(real.prune.blobs).toEqual(dry.prune.blobs);
    expect(real.prune.bytes.deleted).toBe(dry.prune.bytes.deleted);
    expect((await box.run(['check', '--read-data'])).code).toBe(0);
  });

  it.each([
    [['prune', '--repack-threshold', '1.5'], /--repack-threshold must be a number from 0 to 1/],
    [['prune', '--repack-threshold', 'half'], /--repack-threshold must be a number from 0 to 1/],
    [['forget', '--keep-last', '1', '--repack-threshold', '0'], /--repack-threshold goes with --prune/],
  ])('%j is a usage error', async (argv, message) => {
    const run = await box.run(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
