/**
 * The principal of a request that carries the session cookie (portal users in the browser): the cookie's
 * token → its live session (by SHA-256; expired or idle ones are gone) → the user and account (by
 * `(accountId, userId)`) → permissions from the user's role (`permissionsForAccess`).
 *
 * Accounts pending removal: during the grace period only the primary user's session works (to read the
 * account and cancel); another user's answers `403 ACCOUNT_PENDING_REMOVAL`. After the grace period no
 * session works (`401`): the account is waiting for its purge. A malformed or unknown cookie is simply no
 * principal (`401 UNAUTHENTICATED` from the permission step).
 *
 * A session held at a sign-in step (an expired password to change, two-factor enrolment the account
 * requires: `sign-in-steps.ts`) may call only that step's operations; others answer `403`.
 *
 * The session found is remembered per request ({@link sessionOfRequest}) for the handlers that act on the
 * session itself (sign-out, `getSession`, account removal keeping the caller's session).
 */
import type { ParameterizedContext } from 'koa';
import { permissionsForAccess, servicesForAccess } from '../auth/permissions.ts';
import type { Principal } from '../auth/principal.ts';
import { csrfTokenFor, secretsEqual } from '../auth/tokens.ts';
import { HttpProblem } from '../http/problem.ts';
import type { ServerServices } from '../http/server-services.ts';
import { accessOf, findAccount, findUser, isPastGrace } from './account-records.ts';
import { cookieWorksAt, sessionTokenFrom } from './session-policy.ts';
import { holdAtStep, pendingStep } from './sign-in-steps.ts';
import { findLiveSession, type SessionRow } from './sessions.ts';

export interface RequestSession {
  /** The cookie's token (secret). */
  readonly token: string;
  readonly session: SessionRow;
}

const sessions = new WeakMap<object, RequestSession>();

/** The session the resolver found for this request, if it found one. */
export function sessionOfRequest(ctx: object): RequestSession | undefined {
  return sessions.get(ctx);
}

export function sessionPrincipal(services: ServerServices): (ctx: ParameterizedContext) => Promise<Principal | null> {
  const { database, clock, config, logger } = services;
  if (!cookieWorksAt(config.publicUrl)) {
    logger.warn(
      { publicUrl: config.publicUrl },
      'browsers drop the Secure session cookie over plain HTTP on this host: serve HOLDFAST_PUBLIC_URL over HTTPS',
    );
  }
  return async (ctx) => {
    const token = sessionTokenFrom(ctx.get('cookie') || undefined);
    if (token === null) return null;
    const now = clock();
    const session = await findLiveSession(database.db, token, now);
    if (session === null) return null;
    const [user, account] = await Promise.all([
      findUser(database.db, session.accountId, session.userId),
      findAccount(database.db, session.accountId),
    ]);
    if (user === undefined || account === undefined || user.status !== 'active') return null;
    if (isPastGrace(account, now)) return null;
    const isPrimary = user.is_primary === 1;
    if (account.status === 'pending_removal' && !isPrimary) {
      throw new HttpProblem(
        403,
        'ACCOUNT_PENDING_REMOVAL',
        'This account is being removed; only its primary user can sign in (which cancels the removal).',
      );
    }
    sessions.set(ctx, { token, session });
    holdAtStep(pendingStep(account, user, now), (ctx.state as { operationId?: string }).operationId);
    const access = accessOf(user);
    const csrfToken = csrfTokenFor(token);
    return {
      kind: 'user',
      accountId: account.id,
      userId: user.id,
      apiKeyId: null,
      permissions: permissionsForAccess(access, { kind: 'user', isPrimary }),
      isPrimary,
      services: servicesForAccess(access),
      credential: 'session',
      ipRestricted: account.ip_restriction_enabled === 1,
      verifyCsrfToken: (candidate) => secretsEqual(candidate, csrfToken),
    };
  };
}
