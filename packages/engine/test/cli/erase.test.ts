/** `holdfast erase` in-process. */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EraseReport } from '../../src/lifecycle/erase/erase-run.ts';
import { CliSandbox, contents } from './cli-harness.ts';

describe('holdfast erase', () => {
  let box: CliSandbox;

  beforeEach(async () => {
    box = await CliSandbox.create();
    await box.ok(['init']);
    await mkdir(box.path('data', 'clients'), { recursive: true });
    await writeFile(box.path('data', 'clients', 'contract.pdf'), 'the contract '.repeat(5000));
    await writeFile(box.path('data', 'notes.txt'), 'notes');
    await box.ok(['backup', box.path('data')]);
    await writeFile(box.path('data', 'notes.txt'), 'more notes');
    await box.ok(['backup', box.path('data')]);
    await rm(box.path('data', 'clients', 'contract.pdf'));
  });

  afterEach(async () => {
    await box.cleanup();
  });

  it('--dry-run lists what would go; --yes erases it from every snapshot', async () => {
    const dry = await box.ok(['erase', '--source', box.path('data'), 'clients/contract.pdf', '--dry-run']);
    expect(dry.stdout.match(/would erase clients\/contract.pdf/g)).toHaveLength(2);
    expect(dry.stdout).toMatch(/would erase 1 item from 2 snapshots/);

    const report = await box.json<EraseReport>([
      'erase',
      '--source',
      box.path('data'),
      'clients/contract.pdf',
      '--yes',
    ]);
    expect(report).toMatchObject({ dryRun: false, items: 1, snapshotsRewritten: 2 });
    expect(report.bytesRemoved).toBeGreaterThan(0);

    const ls = await box.ok(['ls', 'latest']);
    expect(ls.stdout).not.toContain('contract.pdf');
    await box.ok(['restore', 'latest', '--target', box.path('restored')]);
    const restored = await contents(box.path('restored'));
    expect(Object.keys(restored)).toContain('notes.txt');
    expect(Object.keys(restored)).not.toContain('clients/contract.pdf');
    expect((await box.run(['check', '--read-data'])).code).toBe(0);

    const again = await box.ok(['erase', '--source', box.path('data'), 'clients/contract.pdf', '--yes']);
    expect(again.stdout).toMatch(/nothing to erase/);
  });

  it.each([
    [['erase'], /name at least one item path or --id/],
    [['erase', 'clients/contract.pdf'], /--dry-run, then confirm with --yes/],
    [['erase', '../etc/passwd', '--yes'], /is not an item path/],
  ])('%j fails with a usage error and erases nothing', async (argv, message) => {
    const run = await box.run(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    const ls = await box.ok(['ls', 'latest']);
    expect(ls.stdout).toContain('contract.pdf');
  });
});
