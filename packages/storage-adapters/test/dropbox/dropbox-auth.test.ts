/**
 * Connecting and authenticating: the authorisation URL (offline access, PKCE), the code exchange, token
 * refresh that is single-flight (20 concurrent calls with an expired token make exactly one token
 * request), tokens written back to a TokenStore, and a refused refresh that fails with an AuthError saying
 * the connection must be re-authorised, without a secret in any message.
 */
import { describe, expect, it } from 'vitest';
import { expectHoldfastError } from '@holdfast/engine/testing';
import {
  createDropboxPkce,
  DropboxClient,
  dropboxAuthorizeUrl,
  exchangeDropboxCode,
  MemoryTokenStore,
  type DropboxTokens,
} from '../../src/dropbox/index.ts';
import { DropboxMock } from './dropbox-mock/index.ts';
import { mockConnection, newMember, useDropboxMock } from './dropbox-test-support.ts';

const dropbox = useDropboxMock();

/** Lists the root as `member` 20 times at once. */
async function twentyCalls(client: DropboxClient, member: string | undefined): Promise<void> {
  await Promise.all(Array.from({ length: 20 }, () => client.rpc('files/list_folder', { path: '' }, { member })));
}

function expectNoSecrets(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('connecting Dropbox', () => {
  it('builds an authorisation URL for offline access, with PKCE', () => {
    const pkce = createDropboxPkce();
    expect(pkce.codeVerifier).toMatch(/^[\w-]{43,128}$/);
    expect(DropboxMock.challengeOf(pkce.codeVerifier)).toBe(pkce.codeChallenge);
    const url = new URL(
      dropboxAuthorizeUrl({
        appKey: 'app-key',
        redirectUri: 'https://holdfast.example/callback',
        state: 'opaque-state',
        scopes: ['files.metadata.read', 'files.content.read'],
        includeGrantedScopes: 'team',
        codeChallenge: pkce.codeChallenge,
      }),
    );
    expect(url.origin + url.pathname).toBe('https://www.dropbox.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'app-key',
      response_type: 'code',
      token_access_type: 'offline',
      redirect_uri: 'https://holdfast.example/callback',
      state: 'opaque-state',
      scope: 'files.metadata.read files.content.read',
      include_granted_scopes: 'team',
      code_challenge: pkce.codeChallenge,
      code_challenge_method: 'S256',
    });
  });

  it('exchanges a code (PKCE, no secret) for tokens that work, and refuses a wrong verifier', async () => {
    const member = newMember(dropbox, 'pkce');
    const pkce = createDropboxPkce();
    const tokenUrl = `${dropbox.mock.apiUrl}/oauth2/token`;
    const code = dropbox.mock.issueCode({ codeChallenge: pkce.codeChallenge, redirectUri: 'https://h.example/cb' });
    const result = await exchangeDropboxCode({
      appKey: dropbox.mock.app.appKey,
      code,
      codeVerifier: pkce.codeVerifier,
      redirectUri: 'https://h.example/cb',
      tokenUrl,
    });
    expect(result.teamId).toMatch(/^dbtid:/);
    expect(result.tokens.refreshToken).toMatch(/^mock-refresh-/);
    expect(Date.parse(result.tokens.expiresAt ?? '')).toBeGreaterThan(Date.now());
    const client = new DropboxClient({
      credentials: { appKey: dropbox.mock.app.appKey, tokenStore: new MemoryTokenStore(result.tokens) },
      ...mockConnection(dropbox),
    });
    await client.rpc('files/list_folder', { path: '' }, { member: member.teamMemberId });

    const other = dropbox.mock.issueCode({ codeChallenge: createDropboxPkce().codeChallenge });
    const error = await expectHoldfastError(
      exchangeDropboxCode({ appKey: dropbox.mock.app.appKey, code: other, codeVerifier: pkce.codeVerifier, tokenUrl }),
      'AUTH',
    );
    expect(error.message).toMatch(/invalid_grant/);
    expectNoSecrets(error.message, [other, pkce.codeVerifier]);
  });
});

describe('token refresh', () => {
  it('refreshes once for 20 concurrent calls with a token known to be expired', async () => {
    const member = newMember(dropbox, 'expired');
    const { refreshToken } = dropbox.mock.issueTokens();
    const client = new DropboxClient({
      credentials: {
        appKey: dropbox.mock.app.appKey,
        appSecret: dropbox.mock.app.appSecret,
        refreshToken,
        accessToken: 'sl.long-gone',
        accessTokenExpiresAt: '2020-01-01T00:00:00Z',
      },
      ...mockConnection(dropbox),
    });
    const before = dropbox.mock.count('oauth2/token');
    await twentyCalls(client, member.teamMemberId);
    expect(dropbox.mock.count('oauth2/token') - before).toBe(1);
    expect(client.tokens.refreshes).toBe(1);
  });

  it('refreshes once when 20 concurrent calls get 401 expired_access_token, and writes the token to the store', async () => {
    const member = newMember(dropbox, 'revoked-access');
    const { refreshToken, accessToken } = dropbox.mock.issueTokens();
    const written: DropboxTokens[] = [];
    const store = new MemoryTokenStore({ refreshToken, accessToken });
    const original = store.set.bind(store);
    store.set = async (tokens) => {
      written.push(tokens);
      await original(tokens);
    };
    const options = {
      credentials: { appKey: dropbox.mock.app.appKey, appSecret: dropbox.mock.app.appSecret, tokenStore: store },
      ...mockConnection(dropbox),
    };
    const client = new DropboxClient(options);
    await twentyCalls(client, member.teamMemberId);
    dropbox.mock.expireAccessTokens();
    const before = dropbox.mock.count('oauth2/token');
    await twentyCalls(client, member.teamMemberId);
    expect(dropbox.mock.count('oauth2/token') - before).toBe(1);
    expect(written).toHaveLength(1);
    expect(written[0]?.accessToken).not.toBe(accessToken);
    expect(written[0]?.refreshToken).toBe(refreshToken);
    // A second client on the same store shares the provider: nothing more to refresh.
    await twentyCalls(new DropboxClient(options), member.teamMemberId);
    expect(dropbox.mock.count('oauth2/token') - before).toBe(1);
  });

  it('fails with AuthError "re-authorised" when the refresh is refused, once, and never shows a secret', async () => {
    const member = newMember(dropbox, 'refused');
    const { refreshToken, accessToken } = dropbox.mock.issueTokens();
    const secret = dropbox.mock.app.appSecret;
    const client = new DropboxClient({
      credentials: { appKey: dropbox.mock.app.appKey, appSecret: secret, refreshToken, accessToken },
      ...mockConnection(dropbox),
    });
    const refresh = dropbox.mock.refreshTokens.get(refreshToken);
    if (refresh === undefined) throw new Error('no refresh token');
    refresh.revoked = true;
    dropbox.mock.expireAccessTokens();
    const before = dropbox.mock.count('oauth2/token');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const error = await expectHoldfastError(
        client.rpc('files/list_folder', { path: '' }, { member: member.teamMemberId }),
        'AUTH',
      );
      expect(error.message).toMatch(/re-authorised/);
      expectNoSecrets(`${error.name} ${error.message} ${JSON.stringify(error)}`, [refreshToken, accessToken, secret]);
    }
    expect(dropbox.mock.count('oauth2/token') - before).toBe(1);
  });

  it('with an access token alone, an expired token is an AuthError asking to re-authorise, with no token call', async () => {
    const member = newMember(dropbox, 'access-only');
    const { accessToken } = dropbox.mock.issueTokens();
    const client = new DropboxClient({ credentials: { accessToken }, ...mockConnection(dropbox) });
    await client.rpc('files/list_folder', { path: '' }, { member: member.teamMemberId });
    dropbox.mock.expireAccessTokens();
    const before = dropbox.mock.count('oauth2/token');
    const error = await expectHoldfastError(
      client.rpc('files/list_folder', { path: '' }, { member: member.teamMemberId }),
      'AUTH',
    );
    expect(error.message).toMatch(/re-authorised/);
    expectNoSecrets(error.message, [accessToken]);
    expect(dropbox.mock.count('oauth2/token')).toBe(before);
  });

  it('refuses credentials it cannot use with ValidationError, without repeating them', () => {
    expect(() => new DropboxClient({ credentials: {} })).toThrow(/accessToken, a refreshToken or a tokenStore/);
    expect(() => new DropboxClient({ credentials: { refreshToken: 'rt-secret-123' } })).toThrow(/appKey/);
    try {
      new DropboxClient({ credentials: { refreshToken: 'rt-secret-123' } });
    } catch (error) {
      expectNoSecrets(String(error), ['rt-secret-123']);
    }
    expect(
      () => new DropboxClient({ credentials: { accessToken: 'x' }, baseUrls: { api: 'https://user:pw@example.com' } }),
    ).toThrow(/must not carry credentials/);
  });
});
