/**
 * Valid requests of the audit trail, the system activity log and the users' security operations
 * (deactivate, reactivate, two-factor reset, recovery codes), for the permission matrix.
 */
import type { RequestContext, RequestSpec } from './request-context.ts';

export const auditValidRequests: Readonly<Record<string, (context: RequestContext) => Promise<RequestSpec>>> = {};
