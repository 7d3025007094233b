/**
 * Valid requests of the IP restrictions (the switch and the trusted addresses and ranges), for the
 * permission matrix.
 */
import type { RequestContext, RequestSpec } from './request-context.ts';

export const ipRestrictionValidRequests: Readonly<Record<string, (context: RequestContext) => Promise<RequestSpec>>> =
  {};
