/**
 * The handlers of IP restrictions (S6): the account's switch and its trusted addresses and ranges.
 */
import type { HandlerFactory } from '../http/handlers/handler-types.ts';

export const ipRestrictionsHandlers: HandlerFactory = () => ({});
