import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlobIndex, type BlobLocation } from './blob-index.ts';

const idOf = (n: number): Uint8Array => new Uint8Array(createHash('sha256').update(String(n)).digest());
const locationOf = (n: number): BlobLocation => ({
  type: n % 7 === 0 ? 'tree' : 'data',
  packId: `pack-${String(n % 13)}`,
  offset: n * 3,
  length: 100 + (n % 1000),
  rawLength: n % 5 === 0 ? 0 : 4_000_000_000 - n,
});

describe('BlobIndex', () => {
  it('finds every one of 40,000 blobs across pages, and not the ones never added', () => {
    const index = new BlobIndex();
    for (let n = 0; n < 40_000; n++) index.add(idOf(n), locationOf(n));
    expect(index.size).toBe(40_000);
    for (let n = 0; n < 40_000; n += 1) expect(index.get(idOf(n))).toEqual(locationOf(n));
    for (let n = 40_000; n < 41_000; n++) expect(index.has(idOf(n))).toBe(false);
    expect([...index.packIds()].sort()).toHaveLength(13);
  });

  it('keeps the first location of a blob added twice', () => {
    const index = new BlobIndex();
    index.add(idOf(1), locationOf(1));
    index.add(idOf(1), locationOf(2));
    expect(index.size).toBe(1);
    expect(index.get(idOf(1))).toEqual(locationOf(1));
  });

  it('lists entries in insertion order with copies of their ids', () => {
    const index = new BlobIndex();
    for (let n = 0; n < 20_000; n++) index.add(idOf(n), locationOf(n));
    let n = 0;
    for (const entry of index.entries()) {
      expect(Buffer.from(entry.id).equals(Buffer.from(idOf(n)))).toBe(true);
      expect(entry.location).toEqual(locationOf(n));
      n++;
    }
    expect(n).toBe(20_000);
  });

  it('refuses an id that is not 32 bytes', () => {
    expect(() => {
      new BlobIndex().add(new Uint8Array(31), locationOf(0));
    }).toThrow(RangeError);
  });
});
