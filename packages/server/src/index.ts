/**
 * `@holdfast/server`: the Holdfast reference server. {@link createServer} builds it from a
 * {@link ServerConfig} ({@link loadConfig} reads one from the environment and a JSON file);
 * {@link createDatabase} and {@link migrateToLatest} open and migrate its database (SQLite by default,
 * PostgreSQL with `DATABASE_URL`). The `holdfast-server` bin runs it. See `docs/server.md`.
 *
 * @packageDocumentation
 */
export { packageName, packageVersion } from './package-info.ts';

export {
  createServer,
  type CreateServerOptions,
  type HoldfastServer,
  type ListeningAddresses,
} from './http/create-server.ts';
export type { ServerServices } from './http/server-services.ts';
export { createMailer, MailDeliveryError, type EmailMessage, type Mailer, type MailerConfig } from './email/index.ts';
export type { PasswordHashing } from './auth/passwords.ts';
export type { HoldfastContext, HoldfastMiddleware, HoldfastState } from './http/koa-state.ts';
export type { ServerMetrics } from './metrics/metrics.ts';
export {
  HttpProblem,
  problemBody,
  type FieldError,
  type HttpProblemOptions,
  type ProblemBody,
  type ProblemCode,
} from './http/problem.ts';
export type {
  AnswerBody,
  AnswerHeaders,
  AnswerStatus,
  BodyMediaType,
  DeclaredHeaders,
  StreamedBody,
  PathParams,
  QueryParams,
  RequestBody,
  Responses,
  HandlerFactory,
  HandlerRegistry,
  HandlerRequest,
  HandlerResponse,
  OperationHandler,
  OperationId,
} from './http/handlers/handler-types.ts';

export { loadConfig, ConfigError, type ConfigSource } from './config/load-config.ts';
export { settings, configFileEnv, type Setting } from './config/config-settings.ts';
export {
  describeConfig,
  logLevels,
  type DatabaseConfig,
  type LogLevel,
  type RegionConfig,
  type ServerConfig,
} from './config/server-config.ts';
export { ensureMasterKey, type MasterKey } from './config/master-key.ts';

export {
  createDatabase,
  type CreateDatabaseOptions,
  type DialectName,
  type ServerDatabase,
} from './db/create-database.ts';
export { migrateToLatest, pendingMigrations, type MigrationReport } from './db/migrate.ts';
export { NodeSqliteDialect, type NodeSqliteDialectOptions } from './db/node-sqlite/node-sqlite-dialect.ts';
export type {
  AccountsTable,
  ActivityEventsTable,
  ActorKind,
  ApiKeysTable,
  AuditEventsTable,
  AuthThrottlesTable,
  BigIntColumn,
  Database,
  EmailTokensTable,
  IdempotencyKeysTable,
  IpRulesTable,
  JobsTable,
  OauthTokensTable,
  RecoveryCodesTable,
  SessionsTable,
  SignInChallengesTable,
  Timestamp,
  UsersTable,
} from './db/database-schema.ts';
export type { BruteForcePolicy, ThrottleKind, ThrottlePolicy } from './auth/brute-force/brute-force-policy.ts';
export type { RateLimit } from './http/middleware/token-buckets.ts';
export { newId, type IdPrefix } from './db/ids.ts';

export {
  anonymousResolver,
  type CredentialKind,
  type GrantablePermission,
  type Permission,
  type PermissionRequirement,
  type Principal,
  type PrincipalResolver,
  type ServiceId,
} from './auth/principal.ts';
export {
  allPermissions,
  grantablePermissions,
  permissionsForAccess,
  servicesForAccess,
  type Access,
  type Holder,
} from './auth/permissions.ts';
export { operationAccess, requirePermission, type OperationAccess } from './auth/require-permission.ts';
export { csrfTokenFor, hashToken, newToken, secretsEqual } from './auth/tokens.ts';
