import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allErrorCodes } from '../src/errors/error-codes.ts';

// STYLE.md §5: every error code has a line in docs/errors.md.
describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\| `([A-Z_]+)`\s*\|/gm)].map((m) => m[1]);

  it('documents every error code, each once', () => {
    expect([...documented].sort()).toEqual([...allErrorCodes].sort());
  });
});
