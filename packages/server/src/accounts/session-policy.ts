/**
 * How long things last, and the session cookie. One place for the numbers `docs/api.md` documents.
 *
 * The cookie is always `__Host-holdfast-session=<token>; Path=/; Secure; HttpOnly; SameSite=Lax`, as the
 * contract says, even when the server is reached at `http://localhost` or `http://127.0.0.1`: browsers
 * treat those origins as secure contexts and keep `Secure` (and `__Host-`) cookies from them, so local
 * development works, and there is no second cookie name or weaker mode for a misconfiguration to fall
 * into. Over plain HTTP on any other host the browser drops the cookie: serve through TLS (the server
 * warns at start when `publicUrl` is such an address).
 */

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** A session ends this long after sign-in, however active. */
export const sessionLifetimeMs = 12 * hour;
/** A session ends after this long without a request. */
export const sessionIdleTimeoutMs = 2 * hour;
/** `last_seen_at` is written at most this often per session (a write per request would be wasteful). */
export const sessionTouchIntervalMs = minute;

/** Sign-up confirmation links. */
export const confirmEmailLinkMs = 24 * hour;
/** Password reset links. */
export const passwordResetLinkMs = hour;
/** Account email change links. */
export const emailChangeLinkMs = 24 * hour;
/** An unconfirmed sign-up counts as gone after this long (its address can sign up again at once anyway). */
export const unconfirmedSignUpMs = 7 * day;
/** The grace period of an account removal. */
export const removalGraceMs = 7 * day;

/** The session cookie's name (`components/securitySchemes/sessionCookie`). */
export const sessionCookieName = '__Host-holdfast-session';

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

/** `Set-Cookie` for a new session. */
export function sessionCookie(token: string): string {
  const maxAge = Math.floor(sessionLifetimeMs / 1000);
  return `${sessionCookieName}=${token}; Path=/; Max-Age=${maxAge}; Secure; HttpOnly; SameSite=Lax`;
}

/** `Set-Cookie` that clears the session cookie. */
export function clearedSessionCookie(): string {
  return `${sessionCookieName}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax`;
}

/**
 * The session token in a `Cookie` header, or null when there is none or it is not shaped like one (a
 * forged or truncated value is never looked up).
 */
export function sessionTokenFrom(cookieHeader: string | undefined): string | null {
  if (cookieHeader === undefined || cookieHeader === '') return null;
  for (const pair of cookieHeader.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== sessionCookieName) continue;
    const value = pair.slice(at + 1).trim();
    return tokenPattern.test(value) ? value : null;
  }
  return null;
}

/** Whether browsers will keep a `Secure` cookie from this public URL (HTTPS, or HTTP on a loopback name). */
export function cookieWorksAt(publicUrl: string): boolean {
  const url = new URL(publicUrl);
  return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}
