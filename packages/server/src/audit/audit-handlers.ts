/**
 * The handlers of the security audit log and the system activity log (S7): lists and CSV exports.
 */
import type { HandlerFactory } from '../http/handlers/handler-types.ts';

export const auditHandlers: HandlerFactory = () => ({});
