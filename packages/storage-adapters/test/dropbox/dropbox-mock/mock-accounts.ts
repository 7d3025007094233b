/**
 * Who the Dropbox mock knows: a team (members with a `team_member_id`, an `account_id`, a status and a
 * namespace each), accounts outside any team (single-user mode), the OAuth app, refresh and access tokens
 * and authorisation codes. Shaped from `team.stone` (TeamMemberProfile, TeamMemberStatus), `users.stone`
 * (FullAccount, Name) and Dropbox's OAuth 2 guide (short-lived access tokens, offline refresh tokens,
 * PKCE with S256).
 */
import { createHash } from 'node:crypto';
import type { MockNamespace } from './mock-namespace.ts';

export type MockMemberStatus = 'active' | 'invited' | 'suspended' | 'removed';

/** An account: a team member (with `teamMemberId`) or a user outside any team. */
export interface MockAccount {
  readonly accountId: string;
  readonly teamMemberId?: string | undefined;
  readonly email: string;
  readonly givenName: string;
  readonly surname: string;
  status: MockMemberStatus;
  readonly namespace: MockNamespace;
  readonly namespaceId: string;
  readonly joinedOn: string;
  /** When set, calls acting as this account answer 401 with this `auth.AuthError` tag. */
  refused?: string | undefined;
}

/** An access token the mock issued. */
export interface MockAccessToken {
  readonly token: string;
  /** A team token (acts as members through Dropbox-API-Select-User), or one account's. */
  readonly subject: { readonly team: true } | { readonly team: false; readonly accountId: string };
  expired: boolean;
}

/** A refresh token and what it is for. */
export interface MockRefreshToken {
  readonly token: string;
  readonly subject: MockAccessToken['subject'];
  revoked: boolean;
}

/** An authorisation code waiting to be exchanged. */
export interface MockAuthorizationCode {
  readonly code: string;
  readonly subject: MockAccessToken['subject'];
  readonly codeChallenge?: string | undefined;
  readonly redirectUri?: string | undefined;
}

/** A deterministic id of `length` characters from `seed`. */
export function mockId(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('base64url').slice(0, length);
}

/** `files.FullAccount` of an account. */
export function fullAccountOf(account: MockAccount): Record<string, unknown> {
  return {
    account_id: account.accountId,
    name: nameOf(account),
    email: account.email,
    email_verified: true,
    disabled: false,
    country: 'DE',
    locale: 'en',
    referral_link: 'https://db.tt/holdfast-mock',
    is_paired: false,
    account_type: { '.tag': account.teamMemberId === undefined ? 'basic' : 'business' },
    root_info: { '.tag': 'user', root_namespace_id: account.namespaceId, home_namespace_id: account.namespaceId },
  };
}

/** `team.TeamMemberInfoV2` of a member. */
export function memberInfoOf(account: MockAccount): Record<string, unknown> {
  const status =
    account.status === 'removed'
      ? { '.tag': 'removed', is_recoverable: false, is_disconnected: false }
      : { '.tag': account.status };
  return {
    profile: {
      team_member_id: account.teamMemberId,
      account_id: account.accountId,
      email: account.email,
      email_verified: true,
      status,
      name: nameOf(account),
      membership_type: { '.tag': 'full' },
      joined_on: account.joinedOn,
      groups: [],
      member_folder_id: account.namespaceId,
      root_folder_id: account.namespaceId,
    },
    roles: [],
  };
}

function nameOf(account: MockAccount): Record<string, unknown> {
  const display = `${account.givenName} ${account.surname}`.trim();
  return {
    given_name: account.givenName,
    surname: account.surname,
    familiar_name: account.givenName,
    display_name: display,
    abbreviated_name: `${account.givenName.slice(0, 1)}${account.surname.slice(0, 1)}`,
  };
}

/** The S256 PKCE challenge of a verifier. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
