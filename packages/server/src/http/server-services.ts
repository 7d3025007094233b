/**
 * What the server's parts share, handed to every handler factory: the configuration, the database, the
 * logger, the master key, the clock (tests move it), the mailer and the server's lifecycle state.
 */
import type { ServerConfig } from '../config/server-config.ts';
import type { ServerDatabase } from '../db/create-database.ts';
import type { Mailer } from '../email/mailer.ts';
import type { Logger } from '../logging/logger.ts';

export interface ServerServices {
  readonly config: ServerConfig;
  readonly database: ServerDatabase;
  readonly logger: Logger;
  /** The master key (32 bytes; see `config/master-key.ts`). Secret: never log it. */
  readonly masterKey: Buffer;
  /** The current time; use it instead of `new Date()` so tests can move time. */
  readonly clock: () => Date;
  /** Sends email: SMTP when configured, else the outbox folder (see `email/create-mailer.ts`). */
  readonly mailer: Mailer;
  /** True once a graceful shutdown started (readiness then fails, so load balancers drain). */
  readonly isShuttingDown: () => boolean;
}
