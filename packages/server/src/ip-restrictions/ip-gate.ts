/**
 * The gate of IP restrictions (S6): while an account's restrictions are on, only addresses one of its
 * rules trusts get in. {@link admitAddress} is the one decision, asked at three places:
 *
 * - every authenticated request (`auth/resolve-principal.ts`, through {@link requireTrustedAddress}),
 *   once the session or bearer token has named the account: `403 IP_NOT_TRUSTED`;
 * - sign-in (`accounts/session-handlers.ts`), only after the password was verified (so the answer says
 *   nothing about an address that has no account) and before a second-factor challenge or a session;
 *   and the second step, before the code is tried: `403 IP_NOT_TRUSTED`;
 * - the token endpoint (`oauth/oauth-handlers.ts`), after client authentication (and, for the refresh
 *   grant, after the refresh token proved to be a live one of this key), for both grants: RFC
 *   6749 `400 unauthorized_client` ({@link untrustedAddressDescription}) and no tokens;
 * - the emailed links (password reset, invitation, email change): the link's account decides, before
 *   the link is used ({@link requireTrustedLink}): `403 IP_NOT_TRUSTED`, and the link stays usable.
 *
 * Exempt, because they only take power away: token revocation and `signOut`.
 *
 * "The caller's address" is `ctx.state.clientIp`: the peer, or the right-most untrusted hop of
 * `X-Forwarded-For` when the peer is a configured trusted proxy (`http/middleware/trusted-proxies.ts`);
 * a client cannot name its own address. Only IPv4 (and IPv4-mapped IPv6) can be trusted.
 *
 * Cost: none for an account with restrictions off when the caller read its row already (sessions,
 * bearer tokens and sign-in do: `restrictionEnabled`); otherwise one indexed query (`gateRows`: the
 * account's flag, and its rules only when on).
 * Refusals are audited, at most once per account and address per 10 minutes (`address-refusals.ts`).
 */
import type { ParameterizedContext } from 'koa';
import { findUser } from '../accounts/account-records.ts';
import { actorOfPrincipal, userActor } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import type { Account, User } from '../db/database-schema.ts';
import { HttpProblem } from '../http/problem.ts';
import type { ServerServices } from '../http/server-services.ts';
import { recordRefusal, type Refusal } from './address-refusals.ts';
import { rangesTrust } from './ip-ranges.ts';
import { gateRows } from './ip-rules-store.ts';

/** What the gate is asked about. */
export interface AddressCheck extends Refusal {
  /** The account's flag when the caller already holds its row (an account with it off costs no query). */
  readonly restrictionEnabled?: boolean;
}

/**
 * Whether the account lets the caller's address in: true when its restrictions are off or a rule
 * trusts the address; false (after auditing the refusal) otherwise.
 */
export async function admitAddress(services: ServerServices, check: AddressCheck): Promise<boolean> {
  if (check.restrictionEnabled === false) return true;
  const { enabled, ranges } = await gateRows(services.database.db, check.accountId);
  if (!enabled || rangesTrust(ranges, check.address)) return true;
  await recordRefusal(services, check);
  return false;
}

/** The `403 IP_NOT_TRUSTED` problem for `address`. */
export function ipNotTrusted(address: string): HttpProblem {
  return new HttpProblem(
    403,
    'IP_NOT_TRUSTED',
    `Requests from this address (${address || 'unknown'}) are not trusted by the account's IP restrictions.`,
  );
}

/** The RFC 6749 `error_description` of a token request refused by the gate. */
export const untrustedAddressDescription =
  "requests from this address are not trusted by the account's IP restrictions";

/** {@link admitAddress}, throwing {@link ipNotTrusted} when the address is refused. */
export async function requireTrustedAddress(services: ServerServices, check: AddressCheck): Promise<void> {
  if (!(await admitAddress(services, check))) throw ipNotTrusted(check.address);
}

/** Operations a principal may call from any address: they only end its own access. */
const exempt: ReadonlySet<string> = new Set(['signOut']);

/** The gate for a resolved principal's request (`403 IP_NOT_TRUSTED`). */
export async function requireTrustedPrincipalAddress(
  services: ServerServices,
  ctx: ParameterizedContext,
  principal: Principal,
): Promise<void> {
  const state = ctx.state as { clientIp?: string; operationId?: string };
  const operationId = state.operationId ?? 'unknown';
  if (exempt.has(operationId)) return;
  await requireTrustedAddress(services, {
    accountId: principal.accountId,
    address: state.clientIp ?? '',
    attempt: principal.credential === 'bearer' ? 'bearer' : 'session',
    operationId,
    actor: () => actorOfPrincipal(services.database.db, principal),
    ...(principal.ipRestricted === undefined ? {} : { restrictionEnabled: principal.ipRestricted }),
  });
}

/**
 * The gate for a sign-in (`signIn` after the password was verified, `completeSignIn` before the code is
 * tried): `403 IP_NOT_TRUSTED`. The account row is at hand, so an account with restrictions off costs
 * no query.
 */
export async function requireTrustedSignIn(
  services: ServerServices,
  address: string,
  account: Pick<Account, 'id' | 'ip_restriction_enabled'>,
  user: Pick<User, 'id' | 'email'>,
  operationId: 'signIn' | 'completeSignIn',
): Promise<void> {
  await requireTrustedAddress(services, {
    accountId: account.id,
    address,
    attempt: 'sign_in',
    operationId,
    actor: () => userActor(user),
    restrictionEnabled: account.ip_restriction_enabled === 1,
  });
}

/**
 * The gate for an emailed link (`completePasswordReset`, `getInvitation`, `acceptInvitation`,
 * `confirmAccountEmailChange`): a link is a credential of its account, so the account's restrictions
 * apply to it like to a session. Asked before the link is used, so a refused link stays usable from a
 * trusted address. A link that opens nothing (`null`) passes: the operation answers `410` as ever.
 */
export async function requireTrustedLink(
  services: ServerServices,
  address: string,
  link: { readonly accountId: string; readonly userId: string } | null,
  operationId: string,
): Promise<void> {
  if (link === null) return;
  await requireTrustedAddress(services, {
    accountId: link.accountId,
    address,
    attempt: 'link',
    operationId,
    actor: async () => {
      const user = await findUser(services.database.db, link.accountId, link.userId);
      return user === undefined ? { kind: 'anonymous', id: null, name: null } : userActor(user);
    },
  });
}
