/**
 * The handlers of accounts: sign-up and confirmation, sessions, password reset, `/v1/me` and the account's
 * settings, email change and removal; two-factor authentication, password change and the account's
 * security policy. Registered in `http/handlers/default-handlers.ts`.
 */
import type { HandlerFactory } from '../http/handlers/handler-types.ts';
import { accountHandlers } from './account-handlers.ts';
import { accountSecurityHandlers } from './account-security-handlers.ts';
import { accountsContext } from './accounts-context.ts';
import { meHandlers } from './me-handlers.ts';
import { passwordChangeHandlers } from './password-change-handlers.ts';
import { passwordResetHandlers } from './password-reset-handlers.ts';
import { sessionHandlers } from './session-handlers.ts';
import { signUpHandlers } from './sign-up-handlers.ts';
import { twoFactorHandlers } from './two-factor-handlers.ts';

export const accountsHandlers: HandlerFactory = (services) => {
  const context = accountsContext(services);
  return {
    ...signUpHandlers(context),
    ...sessionHandlers(context),
    ...passwordResetHandlers(context),
    ...meHandlers(context),
    ...accountHandlers(context),
    ...accountSecurityHandlers(context),
    ...twoFactorHandlers(context),
    ...passwordChangeHandlers(context),
  };
};
