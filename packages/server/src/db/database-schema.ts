/**
 * The server's tables as Kysely sees them, kept in step with `migrations/` by hand (and by the migration
 * test, which introspects both databases). Conventions, the same on SQLite and PostgreSQL:
 *
 * - Ids are `text`: a type prefix and a ULID (`acc_…`, `usr_…`, `key_…`; see `ids.ts`).
 * - Times are `text`, ISO 8601 in UTC with milliseconds (`2026-12-01T09:00:00.000Z`, see `time.ts`):
 *   one fixed width, so text order is time order and comparisons work in SQL on both databases.
 * - Flags are `integer` 0/1 (SQLite has no boolean type).
 * - Lists and objects are JSON in `text` (`operations`, `services`, `payload`).
 * - Secrets are never stored: tokens and client secrets as SHA-256 digests (`*_hash`, base64url), which
 *   is enough for high-entropy random values; passwords with a slow KDF (the accounts module decides).
 * - Every tenant table has `account_id`, and every query of one names the account (see `tenant.ts`).
 *   `accounts` itself is the tenant; `jobs.account_id` has no foreign key, so the record of an
 *   account's purge outlives the account. `auth_throttles` alone belongs to no account.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** An ISO 8601 UTC timestamp string (see `time.ts`). */
export type Timestamp = string;

export interface AccountsTable {
  id: string;
  name: string;
  /** The storage region chosen at sign-up; never changes (B9). */
  region: string;
  /** `active` or `pending_removal` (the 7-day grace period of S9). */
  status: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  removal_requested_at: Timestamp | null;
  removal_requested_by: string | null;
  removal_purge_at: Timestamp | null;
  removal_reason: string | null;
  /** 1 when every user must enrol two-factor authentication before doing anything else. */
  require_two_factor: ColumnType<number, number | undefined, number>;
  /** Passwords older than this many days must be changed; null for never. */
  password_max_age_days: number | null;
  /** 1 when only requests from the account's `ip_rules` are let in (S6). */
  ip_restriction_enabled: ColumnType<number, number | undefined, number>;
}

export interface UsersTable {
  id: string;
  account_id: string;
  /** The address as given. */
  email: string;
  /** Lower-cased `email`; unique across the server, since sign-in names no account. */
  email_normalized: string;
  name: string | null;
  /** `email`, `google`, `microsoft`, `okta`. */
  auth_type: string;
  /** `invited` or `active`. */
  status: string;
  /** 1 for the account's primary user (the one who signed up); at most one per account. */
  is_primary: ColumnType<number, number | undefined, number>;
  /** `administrator` or `custom`. */
  role: string;
  /** JSON array of granted permissions (Custom role). */
  operations: ColumnType<string, string | undefined, string>;
  /** JSON array of service ids (Custom role). */
  services: ColumnType<string, string | undefined, string>;
  password_hash: string | null;
  email_confirmed_at: Timestamp | null;
  invited_by: string | null;
  last_sign_in_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The enabled TOTP secret, sealed with the master key (`auth/secret-box.ts`); null when 2FA is off. */
  totp_secret: string | null;
  /** A secret between `startTwoFactorEnrolment` and `enableTwoFactor`, sealed likewise. */
  totp_pending_secret: string | null;
  totp_enabled_at: Timestamp | null;
  /** The last TOTP time step accepted: codes of this step or earlier are refused (no replay). */
  totp_last_step: number | null;
  /** When the password was last set; null means at `created_at`. */
  password_changed_at: Timestamp | null;
}

/** Single-use recovery codes: HMAC-SHA-256 under a key derived from the master key, never the code. */
export interface RecoveryCodesTable {
  id: string;
  account_id: string;
  user_id: string;
  code_hash: string;
  created_at: Timestamp;
  used_at: Timestamp | null;
}

/** The step between a right password and the second factor: a hashed token, short-lived, single-use. */
export interface SignInChallengesTable {
  id: string;
  account_id: string;
  user_id: string;
  token_hash: string;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

/** Browser sessions. The CSRF token is derived from the session token (see `auth/tokens.ts`), not stored. */
export interface SessionsTable {
  id: string;
  account_id: string;
  user_id: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  last_seen_at: Timestamp;
}

/** Single-use emailed links: sign-up confirmation, password reset, invitation, email change. */
export interface EmailTokensTable {
  id: string;
  account_id: string;
  user_id: string;
  /** `confirm_email`, `reset_password`, `invitation`, `change_email`. */
  purpose: string;
  token_hash: string;
  /** The address being confirmed by a `change_email` token. */
  new_email: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface ApiKeysTable {
  /** `key_…`, also the OAuth `client_id`. */
  id: string;
  account_id: string;
  name: string;
  secret_hash: string;
  role: string;
  operations: ColumnType<string, string | undefined, string>;
  services: ColumnType<string, string | undefined, string>;
  created_by: string | null;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  expires_at: Timestamp | null;
}

/** OAuth access and refresh tokens of API keys; a refresh chain shares `chain_id`. */
export interface OauthTokensTable {
  id: string;
  account_id: string;
  api_key_id: string;
  /** `access` or `refresh`. */
  kind: string;
  token_hash: string;
  chain_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  /** When a refresh token was exchanged (rotation); a second use revokes the chain. */
  used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** The first answer to a POST with an `Idempotency-Key`, kept 24 hours. */
export interface IdempotencyKeysTable {
  account_id: string;
  operation_id: string;
  idempotency_key: string;
  /** SHA-256 of the request body, to tell a retry from a reuse. */
  request_hash: string;
  /** `in_progress` or `completed`. */
  status: string;
  response_status: number | null;
  /** JSON object of the response headers to replay. */
  response_headers: string | null;
  response_body: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** Background work: account purges now; backups, restores, exports later. */
export interface JobsTable {
  id: string;
  account_id: string;
  /** `account_purge`, … */
  kind: string;
  /** `pending`, `running`, `succeeded`, `failed`, `canceled`. */
  status: string;
  /** JSON object. */
  payload: ColumnType<string, string | undefined, string>;
  /** Not before this time. */
  run_after: Timestamp;
  attempts: Generated<number>;
  locked_by: string | null;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

/**
 * A `bigint` column: both databases answer a number while it is a safe integer (`create-database.ts`
 * parses PostgreSQL's `int8`, whose raw driver answer is a string), a bigint beyond 2^53. Read it with
 * `Number(...)` (sizes and counts stay far below 2^53).
 */
export type BigIntColumn = ColumnType<string | number, number, number>;

/** Who did something, as recorded: a portal user, an API key, the server itself, or nobody signed in. */
export type ActorKind = 'user' | 'api_key' | 'system' | 'anonymous';

/**
 * The security audit log (S7): one row per security-relevant action, never updated. `actor_name` is the
 * user's address or the key's name at the time, so the entry still says who after they are gone.
 */
export interface AuditEventsTable {
  /** `aud_…`. */
  id: string;
  account_id: string;
  occurred_at: Timestamp;
  /** `components/schemas/AuditActivity`. */
  activity: string;
  /** `succeeded` or `failed`. */
  status: string;
  service: string | null;
  task_id: string | null;
  actor_kind: ActorKind;
  actor_id: string | null;
  actor_name: string | null;
  /** The client's address (through trusted proxies only), or null for the server's own actions. */
  source_ip: string | null;
  description: string;
  /** JSON object of scalar values (what changed, from what to what). */
  details: ColumnType<string, string | undefined, string>;
}

/** The system activity log (S7): every backup, restore, export and erasure, written by its job. */
export interface ActivityEventsTable {
  /** `act_…`. */
  id: string;
  account_id: string;
  occurred_at: Timestamp;
  /** `backup`, `restore`, `export`, `erase`. */
  activity: string;
  /** `succeeded`, `partially_succeeded`, `failed`, `canceled`. */
  status: string;
  service: string | null;
  task_id: string | null;
  task_name: string | null;
  job_id: string | null;
  /** The entity or item the run was about (a user's address, a folder path). */
  item: string | null;
  execution_ms: BigIntColumn | null;
  size_bytes: BigIntColumn | null;
  item_count: BigIntColumn | null;
  actor_kind: ActorKind;
  actor_id: string | null;
  actor_name: string | null;
  description: string;
}

/**
 * A trusted IPv4 address or range of an account (S6); `first_address` ≤ `last_address` as numbers,
 * stored as dotted quads (`ip-restrictions/ip-ranges.ts` compares them numerically, never as text).
 * `(account_id, first_address, last_address)` is unique: one rule per set of addresses.
 */
export interface IpRulesTable {
  /** `ipr_…`. */
  id: string;
  account_id: string;
  /** As the account wrote it, normalised: `203.0.113.7`, `203.0.113.0/24`, `203.0.113.10-203.0.113.20`. */
  range_text: string;
  first_address: string;
  last_address: string;
  description: ColumnType<string, string | undefined, string>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/**
 * Attempts and lockouts of the brute-force defence, by key. An attempt is counted when it is taken,
 * before the secret is checked, and given back when its outcome neither fails nor succeeds
 * (`auth/brute-force/throttle-store.ts`). Server-wide, not per account (see `tenant.ts`).
 */
export interface AuthThrottlesTable {
  /**
   * `address:<hmac>`, `email:<hmac>` (HMAC-SHA-256 under a key derived from the master key: no address
   * in clear), `user:<usr_…>`, `api_key:<key_…>` (`auth/brute-force/throttle-keys.ts`).
   */
  throttle_key: string;
  /** Attempts counted since `window_started_at`: failures, and attempts still being checked (reset when a lockout starts). */
  failures: ColumnType<number, number | undefined, number>;
  /** When the current counting window started (its first attempt, or the last lockout's start). */
  window_started_at: Timestamp;
  /** The last attempt counted; rows are deleted 24 hours after it, once no lockout is in force. */
  last_failure_at: Timestamp;
  /** The end of the lockout in force, if any. */
  locked_until: Timestamp | null;
  /** Lockouts so far in a row; each one lasts twice as long as the one before. */
  lockouts: ColumnType<number, number | undefined, number>;
}

/** Every table, for `Kysely<Database>`. */
export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  sessions: SessionsTable;
  email_tokens: EmailTokensTable;
  api_keys: ApiKeysTable;
  oauth_tokens: OauthTokensTable;
  idempotency_keys: IdempotencyKeysTable;
  jobs: JobsTable;
  recovery_codes: RecoveryCodesTable;
  sign_in_challenges: SignInChallengesTable;
  audit_events: AuditEventsTable;
  activity_events: ActivityEventsTable;
  ip_rules: IpRulesTable;
  auth_throttles: AuthThrottlesTable;
}

export type Account = Selectable<AccountsTable>;
export type NewAccount = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Job = Selectable<JobsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type ActivityEventRow = Selectable<ActivityEventsTable>;
export type IpRule = Selectable<IpRulesTable>;
export type NewJob = Insertable<JobsTable>;
