/**
 * The handlers of API keys. Registered in `http/handlers/default-handlers.ts`; the operations this
 * module does not handle yet answer `501 NOT_IMPLEMENTED` (issue 7 is being built module by module).
 */
import type { HandlerFactory } from '../http/handlers/handler-types.ts';

export const apiKeysHandlers: HandlerFactory = () => ({});
