import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureMasterKey } from '../../src/config/master-key.ts';

describe('ensureMasterKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'holdfast-key-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a 32-byte key file, readable by its owner only, on first start and reads it after', () => {
    const masterKeyFile = join(dir, 'data', 'master.key');
    const first = ensureMasterKey({ masterKey: null, masterKeyFile });
    expect(first.created).toBe(true);
    expect(first.key).toHaveLength(32);
    expect(statSync(masterKeyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    const second = ensureMasterKey({ masterKey: null, masterKeyFile });
    expect(second).toEqual({ key: first.key, created: false, exposed: false });
  });

  it('uses a key given in the configuration instead of the file', () => {
    const key = Buffer.alloc(32, 9);
    const found = ensureMasterKey({ masterKey: key.toString('base64'), masterKeyFile: join(dir, 'unused.key') });
    expect(found.key.equals(key)).toBe(true);
  });

  it('refuses a file that holds no key, and warns about one others can read', () => {
    const masterKeyFile = join(dir, 'master.key');
    writeFileSync(masterKeyFile, 'not a key\n');
    expect(() => ensureMasterKey({ masterKey: null, masterKeyFile })).toThrow(/does not hold a master key/);
    expect(readFileSync(masterKeyFile, 'utf8')).toBe('not a key\n');
    writeFileSync(masterKeyFile, Buffer.alloc(32, 3).toString('base64'));
    chmodSync(masterKeyFile, 0o644);
    expect(ensureMasterKey({ masterKey: null, masterKeyFile }).exposed).toBe(true);
  });
});
