/**
 * The mock's token endpoint (`POST /oauth2/token`, form-encoded), shaped from Dropbox's OAuth guide:
 * `grant_type=refresh_token` returns a new short-lived access token (4 hours, `expires_in: 14400`);
 * `grant_type=authorization_code` checks the app secret or the PKCE verifier (S256) and returns an access
 * token, a refresh token and who connected. Errors are OAuth's `{error, error_description}` with 400
 * (`invalid_grant`, `invalid_client`, `invalid_request`), never echoing a secret.
 */
import { HttpResponse } from 'msw';
import { pkceChallenge, type MockAccessToken } from './mock-accounts.ts';

/** What the token endpoint needs of the mock. */
export interface MockTokenIssuer {
  readonly app: { readonly appKey: string; readonly appSecret: string };
  readonly refreshTokens: Map<string, { token: string; subject: MockAccessToken['subject']; revoked: boolean }>;
  readonly codes: Map<
    string,
    { subject: MockAccessToken['subject']; codeChallenge?: string | undefined; redirectUri?: string | undefined }
  >;
  mintAccessToken(subject: MockAccessToken['subject']): string;
  issueTokens(accountId?: string): { refreshToken: string; accessToken: string };
}

function oauthError(error: string, description: string, status = 400): Response {
  return HttpResponse.json({ error, error_description: description }, { status });
}

export function handleTokenRequest(mock: MockTokenIssuer, formText: string): Response {
  const form = new URLSearchParams(formText);
  if (form.get('client_id') !== mock.app.appKey) return oauthError('invalid_client', 'Invalid client_id');
  const secret = form.get('client_secret');
  if (secret !== null && secret !== mock.app.appSecret) return oauthError('invalid_client', 'Invalid client_secret');
  const grant = form.get('grant_type');
  if (grant === 'refresh_token') {
    const refresh = mock.refreshTokens.get(form.get('refresh_token') ?? '');
    if (refresh === undefined || refresh.revoked)
      return oauthError('invalid_grant', 'refresh token is invalid or revoked');
    const accessToken = mock.mintAccessToken(refresh.subject);
    return HttpResponse.json({ access_token: accessToken, token_type: 'bearer', expires_in: 14_400 });
  }
  if (grant === 'authorization_code') {
    const code = mock.codes.get(form.get('code') ?? '');
    if (code === undefined) return oauthError('invalid_grant', "code doesn't exist or has expired");
    mock.codes.delete(form.get('code') ?? '');
    if (code.redirectUri !== undefined && form.get('redirect_uri') !== code.redirectUri) {
      return oauthError('invalid_grant', 'redirect_uri mismatch');
    }
    const verifier = form.get('code_verifier');
    if (code.codeChallenge !== undefined) {
      if (verifier === null || pkceChallenge(verifier) !== code.codeChallenge) {
        return oauthError('invalid_grant', 'invalid code verifier');
      }
    } else if (secret === null) {
      return oauthError('invalid_request', 'No auth function available for given request');
    }
    const accountId = code.subject.team ? undefined : code.subject.accountId;
    const { refreshToken, accessToken } = mock.issueTokens(accountId);
    return HttpResponse.json({
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: 14_400,
      refresh_token: refreshToken,
      scope: 'files.metadata.read files.content.read files.content.write',
      ...(accountId === undefined ? { team_id: 'dbtid:AAHolDfAsTmOcKtEaM' } : { account_id: accountId, uid: '12345' }),
    });
  }
  return oauthError('unsupported_grant_type', 'grant_type must be refresh_token or authorization_code');
}
