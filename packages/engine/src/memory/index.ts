export { MemoryObjectStore, type MemoryObjectStoreOptions } from './memory-object-store.ts';
export { MemorySource, type MemorySourceOptions } from './memory-source.ts';
