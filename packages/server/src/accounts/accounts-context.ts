/**
 * What the accounts handlers share: the server's services, the password hasher with the configured
 * argon2id costs, and the account mail sender. Built once per server by `accounts-handlers.ts`.
 */
import { createPasswordHasher, type PasswordHasher } from '../auth/passwords.ts';
import type { ServerServices } from '../http/server-services.ts';
import { accountMail, type AccountMail } from './account-mail.ts';

export interface AccountsContext {
  readonly services: ServerServices;
  readonly passwords: PasswordHasher;
  readonly mail: AccountMail;
}

export function accountsContext(services: ServerServices): AccountsContext {
  return {
    services,
    passwords: createPasswordHasher(services.config.passwordHashing),
    mail: accountMail(services.mailer, services.logger),
  };
}
