/**
 * msw, re-exported from where it is installed (this package's dev dependencies), for `bench/connectors`,
 * which runs the service mocks of these tests outside vitest and cannot resolve `msw` from the root.
 */
export { http, HttpResponse } from 'msw';
export { setupServer } from 'msw/node';
