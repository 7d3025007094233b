import { mkdir, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliSandbox } from './cli-harness.ts';

interface KeyJson {
  readonly id: string;
  readonly current: boolean;
  readonly label?: string;
  readonly scheme: string;
  readonly created: string;
}

describe('holdfast key', () => {
  let box: CliSandbox;
  const oldPass = { HOLDFAST_PASSWORD: 'correct horse battery staple' };
  const newPass = { HOLDFAST_PASSWORD: 'a new passphrase' };

  beforeEach(async () => {
    box = await CliSandbox.create();
    await box.ok(['init', '--label', 'first']);
  });

  afterEach(async () => {
    await box.cleanup();
  });

  it('add, list, remove: both passphrases open the repository until one key is removed', async () => {
    const [first] = await box.json<KeyJson[]>(['key', 'list']);
    expect(first).toMatchObject({ current: true, label: 'first' });

    const added = await box.run(['key', 'add', '--label', 'laptop'], {
      env: { HOLDFAST_NEW_PASSWORD: 'a new passphrase' },
    });
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^added key [0-9a-f]{8}\n$/);

    const keys = await box.json<KeyJson[]>(['key', 'list'], { env: newPass });
    expect(keys.map((key) => [key.label, key.current])).toEqual([
      ['first', false],
      ['laptop', true],
    ]);
    expect(JSON.stringify(keys)).not.toContain('wrapped'); // never any key material
    expect((await box.run(['snapshots'], { env: oldPass })).code).toBe(0);

    const table = await box.ok(['key', 'list']);
    expect(table.stdout).toMatch(/^ ID\s+LABEL\s+SCHEME\s+CREATED\s+CREATED BY\n\*[0-9a-f]{8} {2}first /);
    expect(table.stdout).toMatch(/\n [0-9a-f]{8} {2}laptop /);

    // The key in use cannot be removed; the other can, by a prefix of its id.
    const own = await box.run(['key', 'remove', first?.id ?? '']);
    expect(own.code).toBe(1);
    expect(own.stderr).toBe('holdfast: the key in use cannot be removed: open with another key first\n');
    const laptop = keys[1]?.id ?? '';
    const removed = await box.run(['key', 'remove', laptop.slice(0, 6)]);
    expect(removed.stdout).toBe(`removed key ${laptop.slice(0, 8)}\n`);
    expect((await box.run(['snapshots'], { env: newPass })).code).toBe(12);
    expect((await box.run(['key', 'remove', 'abcdef'])).code).toBe(1);
    expect((await box.run(['key', 'remove', 'zz'])).code).toBe(2);
  });

  it('rotate: the new passphrase opens the repository and the old one no longer does', async () => {
    await mkdir(box.path('src'));
    await writeFile(box.path('src', 'a.txt'), 'a\n');
    await box.ok(['backup', 'src']);
    await writeFile(box.path('new-pass'), 'a new passphrase\n');
    const rotated = await box.run(['key', 'rotate', '--new-password-file', 'new-pass', '--json']);
    expect(rotated.code).toBe(0);
    const { id, removed } = JSON.parse(rotated.stdout) as { id: string; removed: string };
    expect(id).not.toBe(removed);

    expect((await box.run(['snapshots'], { env: oldPass })).code).toBe(12);
    const keys = await box.json<KeyJson[]>(['key', 'list'], { env: newPass });
    expect(keys.map((key) => key.id)).toEqual([id]);
    expect((await box.run(['check'], { env: newPass })).code).toBe(0);
    expect((await box.run(['restore', 'latest', '--target', 'out'], { env: newPass })).code).toBe(0);
  });

  it('refuses a missing or empty new passphrase (exit 2) and changes nothing', async () => {
    const missing = await box.run(['key', 'add']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'holdfast: no new passphrase: set HOLDFAST_NEW_PASSWORD or use --new-password-file <file>\n',
    );
    const empty = await box.run(['key', 'rotate'], { env: { HOLDFAST_NEW_PASSWORD: '' } });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('holdfast: the new passphrase is empty\n');
    expect(await box.json<KeyJson[]>(['key', 'list'])).toHaveLength(1);
  });
});
