import { describe, expect, it } from 'vitest';
import { idPattern, newId, ulid } from '../../src/db/ids.ts';

describe('ids', () => {
  it.each(['acc', 'usr', 'key'] as const)('%s ids match the contract pattern', (prefix) => {
    const contract = new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`);
    for (let i = 0; i < 100; i++) expect(newId(prefix)).toMatch(contract);
    expect(idPattern(prefix).source).toBe(contract.source);
  });

  it('encode the time first, so later ids sort after earlier ones', () => {
    expect(ulid(0).slice(0, 10)).toBe('0000000000');
    expect(ulid(Date.UTC(2026, 11, 1)).slice(0, 10) < ulid(Date.UTC(2026, 11, 2)).slice(0, 10)).toBe(true);
    const ids = [1, 2, 3].map((offset) => newId('usr', 1_800_000_000_000 + offset * 1000));
    expect([...ids].sort()).toEqual(ids);
  });

  it('carry 80 random bits', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => ulid(1_800_000_000_000).slice(10)));
    expect(seen.size).toBe(1000);
  });
});
