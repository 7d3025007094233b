import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import { collect, describeObjectStore, expectHoldfastError, utf8 } from '../../src/testing/index.ts';

describeObjectStore({
  name: 'MemoryObjectStore',
  create: async () => Promise.resolve({ store: new MemoryObjectStore() }),
});

describeObjectStore({
  name: 'MemoryObjectStore with listPageSize 3',
  create: async () => Promise.resolve({ store: new MemoryObjectStore({ listPageSize: 3 }) }),
});

describe('MemoryObjectStore', () => {
  it('fetches list pages lazily, after the last key of the page before', async () => {
    const store = new MemoryObjectStore();
    for (const key of ['a', 'b', 'c', 'd', 'e']) await store.put(key, utf8(key));
    const listed: string[] = [];
    for await (const info of store.list('', { pageSize: 2 })) {
      listed.push(info.key);
      if (info.key === 'b') {
        // Between pages: a new key after the cursor appears, a deleted one does not.
        await store.put('bb', utf8('bb'));
        await store.delete('d');
      }
    }
    expect(listed).toEqual(['a', 'b', 'bb', 'c', 'e']);
  });

  it('caps pageSize at capabilities.listPageSize', async () => {
    const store = new MemoryObjectStore({ listPageSize: 2 });
    for (const key of ['k1', 'k2', 'k3', 'k4']) await store.put(key, utf8(key));
    const listed: string[] = [];
    for await (const info of store.list('k', { pageSize: 100 })) {
      listed.push(info.key);
      // Deleting everything after the first page shows the page held two keys, not a hundred.
      if (listed.length === 1) for (const key of ['k3', 'k4']) await store.delete(key);
    }
    expect(listed).toEqual(['k1', 'k2']);
  });

  it('counts its objects and refuses an empty key or a bad page size', async () => {
    const store = new MemoryObjectStore({ name: 'memory:test' });
    expect(store.name).toBe('memory:test');
    await store.put('x', utf8('x'));
    expect(store.size).toBe(1);
    await expectHoldfastError(store.put('', utf8('x')), 'VALIDATION');
    await expectHoldfastError(store.get(''), 'VALIDATION');
    expect(() => new MemoryObjectStore({ listPageSize: 1.5 })).toThrow('listPageSize');
    expect((await collect(store.list(''))).map((info) => info.key)).toEqual(['x']);
  });
});
