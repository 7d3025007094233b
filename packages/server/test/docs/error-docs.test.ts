/**
 * STYLE.md §5: every error code has a line in `docs/errors.md`. The REST API's codes are the contract's
 * `ErrorCode` enum; its section of the page lists each of them once, and nothing else.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadApi } from '../../src/http/openapi/api-document.ts';

describe('docs/errors.md', () => {
  it('documents every error code of the REST contract, each once', async () => {
    const { api } = await loadApi();
    const schemas = (api.document.components?.schemas ?? {}) as Record<string, { enum?: string[] }>;
    const codes = schemas['ErrorCode']?.enum ?? [];
    expect(codes.length).toBeGreaterThan(10);
    const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## REST API error codes'));
    const documented = [...section.matchAll(/^\| \d{3}\s*\| `([A-Z_]+)`\s*\|/gm)].map((match) => match[1]);
    expect([...documented].sort()).toEqual([...codes].sort());
  });
});
