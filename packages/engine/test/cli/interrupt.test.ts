import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { interruptHandler } from '../../src/cli/interrupts.ts';
import type { Snapshot } from '../../src/repository/snapshot-record.ts';
import { CliSandbox } from './cli-harness.ts';

/** Aborts `controller` on the first progress drawn on the (pretend) terminal: the operation has begun. */
function abortOnProgress(controller: AbortController) {
  return {
    isTTY: true,
    signal: controller.signal,
    onStderr: (text: string) => {
      if (text.startsWith('\r') && !controller.signal.aborted) controller.abort(new Error('SIGINT'));
    },
  };
}

describe('holdfast: an interrupted run (exit 130)', () => {
  let box: CliSandbox;

  beforeEach(async () => {
    box = await CliSandbox.create();
    await mkdir(box.path('src'));
    for (let i = 0; i < 20; i++) await writeFile(box.path('src', `f${String(i)}.bin`), randomBytes(256 * 1024));
    await box.ok(['init']);
  });

  afterEach(async () => {
    await box.cleanup();
  });

  it('a cancelled backup writes no snapshot, releases its lock and leaves a repository that checks clean', async () => {
    const result = await box.run(['backup', 'src'], abortOnProgress(new AbortController()));
    expect(result.code).toBe(130);
    // The bar is cleared, then one line says why the run stopped.
    expect(result.stderr).toContain('\r\u001b[Kholdfast: interrupted: ');
    expect(result.stderr.endsWith('\n')).toBe(true);
    expect(result.stdout).toBe('');
    expect(await box.json<Snapshot[]>(['snapshots'])).toEqual([]);
    expect(await readdir(box.path('repo', 'locks')).catch(() => [])).toEqual([]);
    expect((await box.run(['check', '--read-data'])).code).toBe(0);
  });

  it('a cancelled restore says so, on one line or as JSON', async () => {
    await box.ok(['backup', 'src']);
    const controller = new AbortController();
    controller.abort(new Error('SIGINT'));
    const aborted = await box.run(['restore', 'latest', '--target', 'out2', '--json'], { signal: controller.signal });
    expect(aborted.code).toBe(130);
    expect((JSON.parse(aborted.stderr) as { error: { code: string } }).error.code).toBe('CANCELED');
    const human = await box.run(['restore', 'latest', '--target', 'out3'], abortOnProgress(new AbortController()));
    expect(human.code).toBe(130);
    expect(human.stderr).toMatch(/holdfast: interrupted: /);
  });
});

describe('the signal handler of the holdfast process', () => {
  it('aborts on the first signal, saying how to quit at once, and exits 130 on the second', () => {
    const written: string[] = [];
    const exits: number[] = [];
    const interrupts = interruptHandler({ write: (text: string) => written.push(text) }, (code) => exits.push(code));
    interrupts.onSignal('SIGINT');
    expect(interrupts.signal.aborted).toBe(true);
    expect(interrupts.signal.reason).toMatchObject({ code: 'CANCELED', message: 'stopped by SIGINT' });
    expect(written.join('')).toContain('holdfast: interrupted: stopping cleanly');
    expect(written.join('')).toContain('press Ctrl-C again to quit at once');
    expect(exits).toEqual([]);
    interrupts.onSignal('SIGINT');
    expect(exits).toEqual([130]);

    const terminated = interruptHandler({ write: (text: string) => written.push(text) }, (code) => exits.push(code));
    terminated.onSignal('SIGTERM');
    expect(written.at(-1)).toContain('holdfast: terminated: stopping cleanly');
  });
});
