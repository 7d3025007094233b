/**
 * The handlers the server ships, merged from each module's factory. The next modules add theirs here
 * (`accountsHandlers`, `usersHandlers`, `apiKeysHandlers`, ...); an operation nobody handles answers
 * `501 NOT_IMPLEMENTED`.
 */
import type { ServerServices } from '../server-services.ts';
import type { HandlerFactory, HandlerRegistry } from './handler-types.ts';
import { accountsHandlers } from '../../accounts/accounts-handlers.ts';
import { apiKeysHandlers } from '../../api-keys/api-keys-handlers.ts';
import { auditHandlers } from '../../audit/audit-handlers.ts';
import { ipRestrictionsHandlers } from '../../ip-restrictions/ip-restrictions-handlers.ts';
import { oauthHandlers } from '../../oauth/oauth-handlers.ts';
import { usersHandlers } from '../../users/users-handlers.ts';
import { operationsHandlers } from './operations-handlers.ts';

const factories: readonly HandlerFactory[] = [
  operationsHandlers,
  accountsHandlers,
  usersHandlers,
  apiKeysHandlers,
  oauthHandlers,
  ipRestrictionsHandlers,
  auditHandlers,
];

export function defaultHandlers(services: ServerServices): HandlerRegistry {
  return Object.assign({}, ...factories.map((factory) => factory(services))) as HandlerRegistry;
}
