/** `holdfast forget` in-process, with snapshot times set through a faked `Date`. */
import { mkdir, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ForgetResult } from '../../src/lifecycle/forget.ts';
import { CliSandbox } from './cli-harness.ts';

interface SnapshotJson {
  readonly id: string;
  readonly time: string;
  readonly tags: string[];
}

describe('holdfast forget', () => {
  let box: CliSandbox;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    box = await CliSandbox.create();
    await box.ok(['init']);
    await mkdir(box.path('data'));
    const days = ['2026-01-30', '2026-01-31', '2026-02-01', '2026-02-01', '2026-02-02'];
    for (const [index, day] of days.entries()) {
      await writeFile(box.path('data', 'file.txt'), `version ${String(index)}`);
      vi.setSystemTime(new Date(`${day}T${String(10 + index)}:00:00Z`));
      await box.ok(['backup', box.path('data'), ...(index === 0 ? ['--tag', 'keep-me'] : [])]);
    }
  });

  afterEach(async () => {
    vi.useRealTimers();
    await box.cleanup();
  });

  it('--dry-run shows every decision and reason and removes nothing; the real run removes those', async () => {
    const dry = await box.ok(['forget', '--keep-daily', '2', '--keep-tag', 'keep-me', '--dry-run']);
    expect(dry.stdout).toMatch(/ID\s+TIME\s+ACTION\s+REASONS/);
    expect(dry.stdout.match(/would remove/g)).toHaveLength(3); // two rows and the summary
    expect(dry.stdout).toContain('kept 3 snapshots, would remove 2 snapshots');
    expect(await box.json<SnapshotJson[]>(['snapshots'])).toHaveLength(5);

    const result = await box.json<ForgetResult>(['forget', '--keep-daily', '2', '--keep-tag', 'keep-me']);
    expect(result).toMatchObject({ dryRun: false, kept: 3, forgotten: 2 });
    expect(result.groups[0]?.decisions.map((d) => [d.snapshot.time.slice(0, 13), d.reasons])).toEqual([
      ['2026-02-02T14', ['daily']],
      ['2026-02-01T13', ['daily']],
      ['2026-02-01T12', []],
      ['2026-01-31T11', []],
      ['2026-01-30T10', ['tag']],
    ]);
    const left = await box.json<SnapshotJson[]>(['snapshots']);
    expect(left.map((s) => s.time.slice(0, 13))).toEqual(['2026-01-30T10', '2026-02-01T13', '2026-02-02T14']);
    expect((await box.run(['check'])).code).toBe(0);
    // What is kept still restores.
    await box.ok(['restore', 'latest', '--target', box.path('restored')]);
  });

  it('--keep-within counts back from the newest snapshot', async () => {
    const result = await box.json<ForgetResult>(['forget', '--keep-within', '2d']);
    expect(result.forgotten).toBe(2); // the cut-off is 2026-01-31T14: the snapshots of 30 and 31 January go
    expect(await box.json<SnapshotJson[]>(['snapshots'])).toHaveLength(3);
  });

  it.each([
    [[], /give at least one --keep-\* option/],
    [['--keep-last', 'two'], /--keep-last must be a non-negative integer/],
    [['--keep-within', '3w'], /--keep-within: not a duration: "3w"/],
    [['--keep-daily', '-1'], /./],
  ])('refuses %j with a usage error and removes nothing', async (options, message) => {
    const run = await box.run(['forget', ...options]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(await box.json<SnapshotJson[]>(['snapshots'])).toHaveLength(5);
  });

  it('fails with exit 11 while another process holds a lock, and removes nothing', async () => {
    const { Repository, FsObjectStore, PassphraseKeyProvider, testingKdfParams } = await import('../../src/index.ts');
    const repository = await Repository.open(new FsObjectStore(box.repo), {
      keyProvider: new PassphraseKeyProvider('correct horse battery staple', { kdf: testingKdfParams }),
    });
    const lock = await repository.lock('shared', 'backup');
    try {
      const run = await box.run(['forget', '--keep-last', '1']);
      expect(run.code).toBe(11);
      expect(run.stderr).toMatch(/locked/);
      expect(await box.json<SnapshotJson[]>(['snapshots'])).toHaveLength(5);
    } finally {
      await lock.release();
      await repository.close();
    }
  });
});
