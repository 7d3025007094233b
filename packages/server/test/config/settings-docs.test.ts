import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configFileEnv, settings } from '../../src/config/config-settings.ts';

// docs/server.md has a row for every setting, with its file key and its environment variable.
describe('docs/server.md', () => {
  const doc = readFileSync(new URL('../../../../docs/server.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| (`(\w+)`|—)\s*\| `([A-Z_]+)`\s*\|/gm)].map((match) => [
    match[2] ?? null,
    match[3],
  ]);

  it('documents every setting once, with its key and variable', () => {
    const expected = [[null, configFileEnv], ...settings.map((setting) => [setting.key, setting.env])];
    expect(rows).toEqual(expected);
  });
});
