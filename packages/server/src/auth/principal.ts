/**
 * Who is calling. The HTTP layer asks a {@link PrincipalResolver} for the principal of every request to a
 * non-public operation, then checks it against the operation's `x-holdfast-permission` and `security`
 * (`require-permission.ts`). The resolver is the seam the accounts module fills in: it looks up the
 * session cookie or the bearer token and answers `null` (anonymous) when there is none; it may throw an
 * `HttpProblem` (`401 TOKEN_EXPIRED`, `403 ACCOUNT_PENDING_REMOVAL`) itself.
 */
import type { components } from '@holdfast/sdk';
import type { ParameterizedContext } from 'koa';

/** A permission a principal can hold (`components/schemas/Permission`). */
export type Permission = components['schemas']['Permission'];
/** A permission a Custom role can be given. */
export type GrantablePermission = components['schemas']['GrantablePermission'];
/** A backed-up service. */
export type ServiceId = components['schemas']['ServiceId'];
/** What an operation declares in `x-holdfast-permission`. */
export type PermissionRequirement = 'public' | 'authenticated' | Permission;

/** How the caller proved who it is: the browser session cookie, or a bearer access token (API keys). */
export type CredentialKind = 'session' | 'bearer';

/** An authenticated caller: a portal user (session) or an API key (bearer token). */
export interface Principal {
  readonly kind: 'user' | 'api_key';
  readonly accountId: string;
  /** The portal user (`kind: 'user'`), else null. */
  readonly userId: string | null;
  /** The API key (`kind: 'api_key'`), else null. */
  readonly apiKeyId: string | null;
  /** Every permission held now (see `permissionsForAccess`); `authenticated` is implied. */
  readonly permissions: ReadonlySet<Permission>;
  /** The account's primary user. */
  readonly isPrimary: boolean;
  /** The services a Custom role may touch; `all` for Administrators. */
  readonly services: ReadonlySet<ServiceId> | 'all';
  readonly credential: CredentialKind;
  /**
   * Whether the account's IP restrictions were on when the principal was resolved (from the account row
   * the resolver read anyway), so the IP gate costs no query for the accounts that have them off.
   * Undefined when unknown: the gate then asks the database.
   */
  readonly ipRestricted?: boolean;
  /**
   * For session principals: whether `token` (the `X-CSRF-Token` header) is this session's CSRF token,
   * compared in constant time. Null for bearer principals, which need none.
   */
  readonly verifyCsrfToken: ((token: string) => boolean) | null;
}

/**
 * Finds the principal of a request: from the bearer token or the session cookie, considering only the
 * credential kinds the operation accepts (`accepted`). Answers null when the request carries none (or
 * an unknown, revoked or expired one, unless it prefers to throw a more precise 401).
 */
export type PrincipalResolver = (
  ctx: ParameterizedContext,
  accepted: ReadonlySet<CredentialKind>,
) => Promise<Principal | null>;

/** The resolver until the accounts module provides one: nobody is ever authenticated. */
export const anonymousResolver: PrincipalResolver = () => Promise.resolve(null);
