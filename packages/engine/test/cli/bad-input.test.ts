import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliSandbox, listing } from './cli-harness.ts';

/** Every command that opens a repository, with arguments that would otherwise be valid. */
const repositoryCommands: readonly (readonly string[])[] = [
  ['backup', 'src'],
  ['snapshots'],
  ['ls', 'latest'],
  ['diff', 'latest', 'latest'],
  ['restore', 'latest', '--target', 'out'],
  ['check'],
  ['key', 'list'],
  ['key', 'add'],
  ['key', 'rotate'],
  ['key', 'remove', 'abcd'],
];

describe('holdfast: bad input', () => {
  let box: CliSandbox;

  beforeEach(async () => {
    box = await CliSandbox.create();
    box.env['HOLDFAST_NEW_PASSWORD'] = 'a new passphrase';
    await mkdir(box.path('src'));
    await writeFile(box.path('src', 'a.txt'), 'a\n');
  });

  afterEach(async () => {
    await box.cleanup();
  });

  describe('no repository at the location: exit 10, nothing created', () => {
    for (const argv of repositoryCommands) {
      it(`holdfast ${argv.join(' ')}`, async () => {
        const before = await listing(box.root);
        const result = await box.run(argv);
        expect(result.code).toBe(10);
        expect(result.stderr).toBe(`holdfast: no repository at ${box.repo} (create one with "holdfast init")\n`);
        expect(result.stdout).toBe('');
        expect(await listing(box.root)).toEqual(before);
      });
    }

    it('says so as JSON with --json', async () => {
      const result = await box.run(['snapshots', '--json']);
      expect(result.code).toBe(10);
      expect(JSON.parse(result.stderr)).toEqual({
        error: { code: 'NOT_FOUND', message: `no repository at ${box.repo} (create one with "holdfast init")` },
      });
      expect(result.stdout).toBe('');
    });
  });

  describe('wrong passphrase: exit 12, the repository untouched', () => {
    beforeEach(async () => {
      await box.ok(['init']);
      await box.ok(['backup', 'src']);
    });

    for (const argv of repositoryCommands) {
      it(`holdfast ${argv.join(' ')}`, async () => {
        const before = await listing(box.root);
        const result = await box.run(argv, { env: { HOLDFAST_PASSWORD: 'wrong' } });
        expect(result.code).toBe(12);
        expect(result.stderr).toMatch(/^holdfast: wrong passphrase: it opens none of the keys of the repository at /);
        expect(result.stderr.split('\n')).toHaveLength(2); // one line, no stack trace
        expect(await listing(box.root)).toEqual(before);
      });
    }

    it('as JSON with --json, and with a stack trace only with HOLDFAST_DEBUG=1', async () => {
      const json = await box.run(['check', '--json'], { env: { HOLDFAST_PASSWORD: 'wrong' } });
      expect(json.code).toBe(12);
      expect((JSON.parse(json.stderr) as { error: { code: string } }).error.code).toBe('AUTH');
      const debug = await box.run(['check'], { env: { HOLDFAST_PASSWORD: 'wrong', HOLDFAST_DEBUG: '1' } });
      expect(debug.code).toBe(12);
      expect(debug.stderr).toMatch(/^holdfast: wrong passphrase.*\n(.|\n)*caused by:\nAuthError: .*\n\s+at /);
    });

    it('reads the passphrase from --password-file, stripping one trailing newline', async () => {
      await writeFile(box.path('pass'), 'correct horse battery staple\n');
      await writeFile(box.path('pass-2'), 'correct horse battery staple\n\n');
      const env = { HOLDFAST_PASSWORD: undefined };
      expect((await box.run(['snapshots', '--password-file', 'pass'], { env })).code).toBe(0);
      expect((await box.run(['snapshots', '--password-file', box.path('pass-2')], { env })).code).toBe(12);
      // The file wins over the variable.
      expect((await box.run(['snapshots', '--password-file', 'pass'], { env: { HOLDFAST_PASSWORD: 'x' } })).code).toBe(
        0,
      );
    });
  });

  describe('snapshot references', () => {
    beforeEach(async () => {
      await box.ok(['init']);
      await box.ok(['backup', 'src']);
    });

    const commands = (ref: string): string[][] => [
      ['ls', ref],
      ['diff', ref, 'latest'],
      ['diff', 'latest', ref],
      ['restore', ref, '--target', 'out'],
    ];

    for (const argv of commands('0000ffff')) {
      it(`unknown snapshot: holdfast ${argv.join(' ')} exits 1 naming it`, async () => {
        const result = await box.run(argv);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe('holdfast: no snapshot 0000ffff\n');
      });
    }

    for (const argv of [...commands('xyz!'), ...commands('abc')]) {
      it(`malformed snapshot id: holdfast ${argv.join(' ')} exits 2`, async () => {
        const result = await box.run(argv);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(
          /^holdfast: malformed snapshot id "(xyz!|abc)": use "latest" or at least 4 hex digits\n$/,
        );
      });
    }

    it('a path the snapshot does not have: exit 1', async () => {
      const result = await box.run(['ls', 'latest', 'nope/deeper']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('holdfast: the snapshot has no nope\n');
    });

    it('no snapshot yet: exit 1', async () => {
      const empty = await CliSandbox.create();
      try {
        await empty.ok(['init']);
        const result = await empty.run(['restore', 'latest', '--target', 'out']);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe('holdfast: there is no snapshot yet\n');
      } finally {
        await empty.cleanup();
      }
    });
  });

  describe('restore targets', () => {
    beforeEach(async () => {
      await box.ok(['init']);
      await box.ok(['backup', 'src']);
    });

    it('a target whose parent is a regular file: exit 1 with the reason', async () => {
      await writeFile(box.path('file'), 'not a folder');
      const result = await box.run(['restore', 'latest', '--target', box.path('file', 'out')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `holdfast: cannot restore to ${box.path('file', 'out')}: a file is in the way of a folder on the path (ENOTDIR)\n`,
      );
      const onFile = await box.run(['restore', 'latest', '--target', 'file']);
      expect(onFile.code).toBe(1);
      expect(onFile.stderr).toBe(
        `holdfast: cannot restore to ${box.path('file')}: a file is there, not a folder (EEXIST)\n`,
      );
    });

    it('a target inside the repository: exit 2, nothing written', async () => {
      const before = await listing(box.repo);
      for (const target of [box.repo, box.path('repo', 'restored'), './repo/data/x']) {
        const result = await box.run(['restore', 'latest', '--target', target]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/^holdfast: refusing to restore into .*: it is inside the repository at /);
      }
      expect(await listing(box.repo)).toEqual(before);
    });

    it('missing --target: exit 2', async () => {
      const result = await box.run(['restore', 'latest']);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('holdfast: restore: missing --target <dir> (see "holdfast restore --help")\n');
    });

    it('an --include path the snapshot does not have: refused before anything is written, exit 1', async () => {
      const result = await box.run(['restore', 'latest', '--target', 'out', '--include', 'a.txt', '--include', 'nope']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('the snapshot has no nope');
      expect(existsSync(box.path('out', 'a.txt'))).toBe(false);
    });
  });

  describe('usage errors: exit 2', () => {
    const cases: readonly (readonly [readonly string[], string])[] = [
      [['frobnicate'], 'unknown command "frobnicate" (see "holdfast --help")'],
      [['key', 'frob'], 'unknown command "key frob" (see "holdfast key --help")'],
      [['snapshots', '--frob'], 'snapshots: unknown option --frob (see "holdfast snapshots --help")'],
      [['--frob', 'snapshots'], 'snapshots: unknown option --frob (see "holdfast snapshots --help")'],
      [['backup', 'src', '-x'], 'backup: unknown option -x (see "holdfast backup --help")'],
      [['backup', 'src', '--target', 'x'], 'backup: unknown option --target (see "holdfast backup --help")'],
      [['backup'], 'backup: missing <dir> or --source <url> (see "holdfast backup --help")'],
      [['backup', 'src', 'other'], 'backup: unexpected argument "other" (see "holdfast backup --help")'],
      [['backup', 'src', '--tag'], 'backup: option --tag needs a value (see "holdfast backup --help")'],
      [['check', '--json=yes'], 'check: option --json takes no value (see "holdfast check --help")'],
      [['ls'], 'ls: missing argument <snapshot> (see "holdfast ls --help")'],
      [['ls', 'latest', '--depth', 'two'], '--depth must be a non-negative integer, got "two"'],
      [['diff', 'latest'], 'diff: missing argument <b> (see "holdfast diff --help")'],
      [['restore', '--target', 'out'], 'restore: missing argument <snapshot> (see "holdfast restore --help")'],
      [['key', 'remove'], 'key remove: missing argument <id> (see "holdfast key remove --help")'],
      [['init', 'extra'], 'init: unexpected argument "extra" (see "holdfast init --help")'],
    ];
    for (const [argv, message] of cases) {
      it(`holdfast ${argv.join(' ')}`, async () => {
        const result = await box.run(argv);
        expect(result.code).toBe(2);
        expect(result.stderr).toBe(`holdfast: ${message}\n`);
        expect(result.stdout).toBe('');
      });
    }

    it('a usage error as JSON with --json', async () => {
      const result = await box.run(['frobnicate', '--json']);
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stderr)).toEqual({
        error: { code: 'USAGE', message: 'unknown command "frobnicate" (see "holdfast --help")' },
      });
    });

    it('no repository given', async () => {
      const result = await box.run(['snapshots'], { env: { HOLDFAST_REPOSITORY: undefined } });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('holdfast: no repository given: use --repo <path> or set HOLDFAST_REPOSITORY\n');
    });

    it('no passphrase given', async () => {
      const result = await box.run(['init'], { env: { HOLDFAST_PASSWORD: undefined } });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('holdfast: no passphrase: set HOLDFAST_PASSWORD or use --password-file <file>\n');
    });

    it('a password file that cannot be read', async () => {
      const result = await box.run(['init', '--password-file', 'missing']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^holdfast: cannot read --password-file missing: ENOENT/);
    });

    it('a location with a scheme that is not a storage URL', async () => {
      for (const location of ['s3:bucket/prefix', 'ftp://host/x']) {
        const result = await box.run(['snapshots', '--repo', location]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain(`holdfast: repository location "${location}": the `);
        expect(result.stderr).toContain(
          'use a local path, s3://bucket/prefix, azure://container/prefix or gs://bucket/prefix',
        );
      }
    });

    it('no command: the help on stderr', async () => {
      const result = await box.run([]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Usage: holdfast <command>');
      expect(result.stdout).toBe('');
    });
  });

  describe('init', () => {
    it('refuses an empty passphrase (exit 2) and creates nothing', async () => {
      const result = await box.run(['init'], { env: { HOLDFAST_PASSWORD: '' } });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('holdfast: the passphrase is empty\n');
      await writeFile(box.path('empty-pass'), '\n');
      const fromFile = await box.run(['init', '--password-file', 'empty-pass']);
      expect(fromFile.code).toBe(2);
      expect(await listing(box.root)).not.toContainEqual(expect.stringMatching(/^repo/));
    });

    it('refuses an existing repository (exit 1), leaving it as it was', async () => {
      await box.ok(['init']);
      const before = await listing(box.repo);
      const again = await box.run(['init'], { env: { HOLDFAST_PASSWORD: 'another' } });
      expect(again.code).toBe(1);
      expect(again.stderr).toBe(
        `holdfast: a repository exists at ${box.repo} already: refusing to create another there\n`,
      );
      expect(await listing(box.repo)).toEqual(before);
    });
  });

  describe('backup', () => {
    it('a folder that does not exist, or is a file: exit 1, nothing written', async () => {
      await box.ok(['init']);
      const before = await listing(box.repo);
      const missing = await box.run(['backup', 'nope']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(new RegExp(`^holdfast: cannot back up ${box.path('nope')}: ENOENT`));
      const file = await box.run(['backup', 'src/a.txt']);
      expect(file.code).toBe(1);
      expect(file.stderr).toBe(`holdfast: cannot back up ${box.path('src', 'a.txt')}: not a folder\n`);
      expect(await listing(box.repo)).toEqual(before);
    });
  });

  describe('help and version', () => {
    it('prints the tool help with every command, the environment and the exit codes', async () => {
      for (const argv of [['--help'], ['-h'], ['help']]) {
        const result = await box.run(argv);
        expect(result.code).toBe(0);
        for (const text of [
          'init',
          'backup [<dir>]',
          'snapshots',
          'ls <snapshot> [path]',
          'diff <a> <b>',
          'restore <snapshot>',
          'check',
          'key add',
          'key list',
          'key rotate',
          'key remove <id>',
          'HOLDFAST_REPOSITORY',
          'HOLDFAST_PASSWORD',
          'HOLDFAST_NEW_PASSWORD',
          '130',
          'wrong passphrase',
        ]) {
          expect(result.stdout).toContain(text);
        }
      }
    });

    it('prints the help of each command', async () => {
      for (const argv of [
        ['restore', '--help'],
        ['help', 'restore'],
        ['restore', '-h', '--frob'],
      ]) {
        const result = await box.run(argv);
        if (argv.includes('--frob')) {
          expect(result.code).toBe(2); // options are checked before --help is honoured
          continue;
        }
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^Usage: holdfast restore <snapshot> \[options\]\n/);
        expect(result.stdout).toContain('-t, --target <dir|url>');
        expect(result.stdout).toContain('--include <path>');
        expect(result.stdout).toContain('--overwrite');
        expect(result.stdout).toContain('-r, --repo <path>');
      }
      const key = await box.run(['key', '--help']);
      expect(key.code).toBe(0);
      expect(key.stdout).toMatch(/^Usage: holdfast key <add\|list\|rotate\|remove>/);
      const keyAdd = await box.run(['key', 'add', '--help']);
      expect(keyAdd.stdout).toContain('--new-password-file <file>');
      const bare = await box.run(['key']);
      expect(bare.code).toBe(2);
      expect(bare.stderr).toMatch(/^Usage: holdfast key/);
    });

    it('prints the version', async () => {
      expect((await box.run(['--version'])).stdout).toMatch(/^holdfast \d+\.\d+\.\d+.* \(@holdfast\/engine\)\n$/);
      expect(JSON.parse((await box.run(['-V', '--json'])).stdout)).toMatchObject({ name: '@holdfast/engine' });
    });
  });
});
