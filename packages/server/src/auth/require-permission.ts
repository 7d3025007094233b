/**
 * The permission step, generic over the contract: each operation's `x-holdfast-permission` and `security`
 * decide, for the principal the resolver found (or none), whether the request goes on.
 *
 * In order: a `public` operation needs nothing; no principal is `401 UNAUTHENTICATED`; a credential kind
 * the operation does not accept (a bearer token where only a person's session will do) is `401` too; a
 * session on an unsafe method of an operation that pairs `sessionCookie` with `csrfToken` needs the
 * session's `X-CSRF-Token` (`403 CSRF_FAILED`); then the principal must hold the permission
 * (`403 PERMISSION_DENIED`), `authenticated` being held by every principal.
 */
import { HttpProblem } from '../http/problem.ts';
import type { CredentialKind, PermissionRequirement, Principal } from './principal.ts';
import { allPermissions } from './permissions.ts';

/** What an operation requires, read once from the contract. */
export interface OperationAccess {
  readonly permission: PermissionRequirement;
  /** Credential kinds its `security` accepts. */
  readonly accepts: ReadonlySet<CredentialKind>;
  /** A session must send its CSRF token on unsafe methods. */
  readonly sessionNeedsCsrf: boolean;
}

const requirements: ReadonlySet<string> = new Set(['public', 'authenticated', ...allPermissions]);
const safeMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Reads an operation's access rules from its contract entry.
 *
 * @throws Error when `x-holdfast-permission` is missing or unknown (the contract's lint forbids it too).
 */
export function operationAccess(operation: {
  readonly operationId?: string;
  readonly security?: readonly Readonly<Record<string, unknown>>[];
  readonly [extension: `x-${string}`]: unknown;
}): OperationAccess {
  const permission = operation['x-holdfast-permission'];
  if (typeof permission !== 'string' || !requirements.has(permission)) {
    throw new Error(`operation ${operation.operationId ?? '?'} declares no known x-holdfast-permission`);
  }
  const security = operation.security ?? [];
  const accepts = new Set<CredentialKind>();
  if (security.some((requirement) => 'bearerAuth' in requirement)) accepts.add('bearer');
  const withSession = security.filter((requirement) => 'sessionCookie' in requirement);
  if (withSession.length > 0) accepts.add('session');
  return {
    permission: permission as PermissionRequirement,
    accepts,
    sessionNeedsCsrf: withSession.length > 0 && withSession.every((requirement) => 'csrfToken' in requirement),
  };
}

function unauthenticated(detail: string, access: OperationAccess): HttpProblem {
  const schemes = [...access.accepts].map((kind) => (kind === 'bearer' ? 'Bearer' : 'Cookie'));
  return new HttpProblem(401, 'UNAUTHENTICATED', detail, {
    headers: schemes.length > 0 ? { 'WWW-Authenticate': schemes.join(', ') } : {},
  });
}

/**
 * Lets the request through or throws the problem that refuses it.
 *
 * @param csrfToken the request's `X-CSRF-Token` header, if any.
 */
export function requirePermission(
  access: OperationAccess,
  principal: Principal | null,
  method: string,
  csrfToken: string | undefined,
): void {
  if (access.permission === 'public') return;
  if (principal === null) throw unauthenticated('Sign in, or send a bearer token.', access);
  if (!access.accepts.has(principal.credential)) {
    throw unauthenticated(
      principal.credential === 'bearer'
        ? 'This operation needs a signed-in person (a browser session), not an access token.'
        : 'This operation needs a bearer access token, not a browser session.',
      access,
    );
  }
  if (principal.credential === 'session' && access.sessionNeedsCsrf && !safeMethods.has(method.toUpperCase())) {
    const valid = csrfToken !== undefined && csrfToken !== '' && principal.verifyCsrfToken?.(csrfToken) === true;
    if (!valid) throw new HttpProblem(403, 'CSRF_FAILED', "Send the session's CSRF token in X-CSRF-Token.");
  }
  if (access.permission === 'authenticated') return;
  if (!principal.permissions.has(access.permission)) {
    throw new HttpProblem(403, 'PERMISSION_DENIED', `This needs the ${access.permission} permission.`);
  }
}
