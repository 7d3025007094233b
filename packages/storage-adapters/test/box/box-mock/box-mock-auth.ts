/**
 * Tokens of the MOCK Box (test code), shaped from Box's `POST /oauth2/token` (AccessToken, OAuth2Error):
 * Client Credentials Grant (`client_credentials` with `box_subject_type`/`box_subject_id`), JWT bearer
 * assertions (RS256, checked against the app's public key: issuer, audience, subject, expiry, key id if sent), the
 * OAuth 2 authorization code grant and single-use refresh tokens (a refresh token used twice is refused
 * with `invalid_grant`, as on Box). Tests can expire every access token and revoke refresh tokens.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, verify } from 'node:crypto';
import type { MockStore } from './box-mock-store.ts';

/** Who a token acts as: the enterprise's service account (As-User allowed) or one user. */
export type MockTokenSubject = { readonly kind: 'enterprise' } | { readonly kind: 'user'; readonly userId: string };

export interface MockToken {
  readonly subject: MockTokenSubject;
  expiresAt: number;
}

/** The app's credentials, and a key pair for JWT (tests write the private key into a config file). */
export interface MockApp {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly publicKeyId: string;
  readonly publicKey: KeyObject;
  /** PKCS#8 PEM, encrypted with `passphrase`. */
  readonly privateKeyPem: string;
  readonly passphrase: string;
}

/** An answer of the token endpoint. */
export interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export class MockAuth {
  readonly app: MockApp;
  readonly tokens = new Map<string, MockToken>();
  readonly #refresh = new Map<string, { userId: string; used: boolean }>();
  readonly #codes = new Map<string, string>();
  readonly #store: MockStore;
  /** Token requests, by grant type. */
  readonly grants: Record<string, number> = {};
  lifetimeSeconds = 3600;

  constructor(store: MockStore) {
    this.#store = store;
    const passphrase = randomBytes(8).toString('hex');
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    this.app = {
      clientId: `mockclient${randomBytes(6).toString('hex')}`,
      clientSecret: `mocksecret${randomBytes(12).toString('hex')}`,
      publicKeyId: 'key-1',
      publicKey: createPublicKey(publicKey),
      privateKeyPem: privateKey,
      passphrase,
    };
  }

  /** Token requests in all. */
  get tokenRequests(): number {
    return Object.values(this.grants).reduce((sum, n) => sum + n, 0);
  }

  /** An authorization code for a user (what Box's consent page would redirect with). */
  issueCode(userId: string): string {
    const code = randomBytes(12).toString('hex');
    this.#codes.set(code, userId);
    return code;
  }

  /** Makes every access token issued so far expired (Box then answers 401). */
  expireAccessTokens(): void {
    for (const token of this.tokens.values()) token.expiresAt = 0;
  }

  /** Revokes every refresh token (the user disconnected the app). */
  revokeRefreshTokens(): void {
    for (const refresh of this.#refresh.values()) refresh.used = true;
  }

  /** The token of an `Authorization: Bearer` header, if it is valid now. */
  authenticate(header: string | null): MockToken | undefined {
    const match = /^Bearer (\S+)$/.exec(header ?? '');
    const token = match?.[1] === undefined ? undefined : this.tokens.get(match[1]);
    return token !== undefined && token.expiresAt > Date.now() ? token : undefined;
  }

  /** `POST /oauth2/token`. */
  tokenRequest(form: URLSearchParams): TokenAnswer {
    const grant = form.get('grant_type') ?? '';
    this.grants[grant] = (this.grants[grant] ?? 0) + 1;
    if (form.get('client_id') !== this.app.clientId || form.get('client_secret') !== this.app.clientSecret) {
      return refuse('invalid_client', 'The client credentials are invalid');
    }
    switch (grant) {
      case 'client_credentials': {
        const type = form.get('box_subject_type');
        const id = form.get('box_subject_id') ?? '';
        if (type === 'enterprise' && id === this.#store.enterpriseId) return this.#issue({ kind: 'enterprise' }, false);
        if (type === 'user' && this.#store.users.has(id)) return this.#issue({ kind: 'user', userId: id }, false);
        return refuse('invalid_grant', 'Grant credentials are invalid');
      }
      case 'urn:ietf:params:oauth:grant-type:jwt-bearer': {
        const subject = this.#checkAssertion(form.get('assertion') ?? '');
        return subject === undefined
          ? refuse('invalid_grant', 'Please check the assertion')
          : this.#issue(subject, false);
      }
      case 'authorization_code': {
        const userId = this.#codes.get(form.get('code') ?? '');
        if (userId === undefined)
          return refuse('invalid_grant', "Auth code doesn't exist or is invalid for the client");
        this.#codes.delete(form.get('code') ?? '');
        return this.#issue({ kind: 'user', userId }, true);
      }
      case 'refresh_token': {
        const refresh = this.#refresh.get(form.get('refresh_token') ?? '');
        if (refresh === undefined || refresh.used) return refuse('invalid_grant', 'Invalid refresh token');
        refresh.used = true;
        return this.#issue({ kind: 'user', userId: refresh.userId }, true);
      }
      default:
        return refuse('unsupported_grant_type', 'Grant type is not supported');
    }
  }

  #issue(subject: MockTokenSubject, withRefresh: boolean): TokenAnswer {
    const accessToken = randomBytes(16).toString('hex');
    this.tokens.set(accessToken, { subject, expiresAt: Date.now() + this.lifetimeSeconds * 1000 });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: this.lifetimeSeconds,
      token_type: 'bearer',
      restricted_to: [],
    };
    if (withRefresh && subject.kind === 'user') {
      const refreshToken = randomBytes(24).toString('hex');
      this.#refresh.set(refreshToken, { userId: subject.userId, used: false });
      body['refresh_token'] = refreshToken;
    }
    return { status: 200, body };
  }

  #checkAssertion(assertion: string): MockTokenSubject | undefined {
    const [header, payload, signature] = assertion.split('.');
    if (header === undefined || payload === undefined || signature === undefined) return undefined;
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      this.app.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    if (!signed) return undefined;
    const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid?: string; alg?: string };
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    // Box needs `kid` only when the app has several keys (box-node-sdk 10 does not send it).
    if ((head.kid !== undefined && head.kid !== this.app.publicKeyId) || head.alg !== 'RS256') return undefined;
    if (claims['iss'] !== this.app.clientId || claims['aud'] !== 'https://api.box.com/oauth2/token') return undefined;
    if (typeof claims['jti'] !== 'string' || typeof claims['exp'] !== 'number' || claims['exp'] * 1000 < Date.now())
      return undefined;
    if (claims['box_sub_type'] === 'enterprise' && claims['sub'] === this.#store.enterpriseId)
      return { kind: 'enterprise' };
    if (
      claims['box_sub_type'] === 'user' &&
      typeof claims['sub'] === 'string' &&
      this.#store.users.has(claims['sub'])
    ) {
      return { kind: 'user', userId: claims['sub'] };
    }
    return undefined;
  }
}

function refuse(error: string, description: string): TokenAnswer {
  return { status: 400, body: { error, error_description: description } };
}
