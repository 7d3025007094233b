/**
 * The Dropbox API MOCK for the adapter's tests: see `dropbox-mock.ts`. Shaped from the Stone specs in
 * `/work/shared/reference/dropbox-api-spec`; every response it sends can be checked against them
 * (`../stone/`).
 */
export { DropboxMock, type DropboxMockOptions, type MockResponseEvent } from './dropbox-mock.ts';
export type { MockThrottle } from './mock-throttle.ts';
export type { MockAccount, MockMemberStatus } from './mock-accounts.ts';
export { mockContentHash } from './mock-content-hash.ts';
export { MockNamespace, type MockFile, type MockFolder, type MockItem } from './mock-namespace.ts';
