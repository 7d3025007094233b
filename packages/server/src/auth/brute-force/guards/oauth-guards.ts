/**
 * The guards of the OAuth endpoints (`issueToken`, `revokeToken`), throttled by the client address and by
 * the API key named as `client_id` (when it looks like a key id, whether or not the key exists, so
 * nothing tells an existing id from an unknown one).
 *
 * A failure is an `invalid_client` answer (unknown key, wrong or missing secret, expired key) or an
 * `invalid_grant` (a refresh token that is unknown, another key's, expired, revoked or reused) to a
 * request that named a client; both count on the address and the key, whose attempts are taken before
 * the handler runs (`brute-force-defence.ts`), so secrets sent at once are checked no more often than the
 * limit. A request with no client credentials at all (or unreadable ones) guesses nothing and goes
 * through uncounted. A token issued (`200` of `issueToken`) resets the key's count and gives the
 * address's attempt back; `revokeToken` answers `200` even for unknown tokens, so its successes prove
 * nothing and reset nothing. Every other answer (`unauthorized_client` from an untrusted address or for
 * an account pending removal, `invalid_request`) gives both attempts back.
 *
 * Audit: a wrong secret for an existing key is `api_key_authentication_failed` in the key's account; a
 * lockout of the key (or of the address, on a request naming an existing key) is `lockout` there too.
 * The key is looked up by its id alone, as client authentication does (`oauth/client-authentication.ts`):
 * the credential is what names the account here.
 */
import { verifyClientSecret } from '../../../api-keys/api-keys-store.ts';
import { apiKeyActor } from '../../../audit/audit-log.ts';
import { idPattern } from '../../../db/ids.ts';
import type { HoldfastContext } from '../../../http/koa-state.ts';
import { isFailure, readClientCredentials } from '../../../oauth/client-authentication.ts';
import { auditWrongKeySecret, type Concerned } from '../auth-audit.ts';
import type { BruteForceDefence } from '../brute-force-defence.ts';
import { deliver, settle, type Guards } from './outcome.ts';

const keyId = idPattern('key');
const failures: ReadonlySet<unknown> = new Set(['invalid_client', 'invalid_grant']);

interface ClientRequest {
  readonly ctx: HoldfastContext;
  readonly body: unknown;
  readonly operationId: string;
}

/** The RFC 6749 error of an answer, if it is one. */
function oauthError(answer: { readonly status: number; readonly body?: unknown }): unknown {
  if (answer.status !== 400 && answer.status !== 401) return undefined;
  return (answer.body as { error?: unknown } | undefined)?.error;
}

/** Runs one OAuth request between the lockout check and the counting of its outcome. */
async function guardClient<T extends { readonly status: number; readonly body?: unknown }>(
  defence: BruteForceDefence,
  request: ClientRequest,
  run: () => Promise<T>,
  resets: boolean,
): Promise<T> {
  const { db, keys } = defence;
  const { ctx } = request;
  const now = defence.clock();
  const credentials = readClientCredentials(ctx.get('Authorization'), request.body ?? {});
  // No client credentials (or unreadable ones): nothing was guessed, so nothing to refuse or count.
  if (isFailure(credentials)) return run();
  const apiKeyId = keyId.test(credentials.clientId) ? credentials.clientId : null;
  const keyOfClient = apiKeyId === null ? null : keys.apiKey(apiKeyId);
  const counted = [keys.address(ctx.state.clientIp), ...(keyOfClient === null ? [] : [keyOfClient])];
  const attempt = await defence.take(counted, now);
  const outcome = await settle(run);
  const error = outcome.ok ? oauthError(outcome.answer) : undefined;
  if (failures.has(error)) {
    const key =
      apiKeyId === null
        ? undefined
        : await db
            .selectFrom('api_keys')
            .select(['id', 'account_id', 'name', 'secret_hash'])
            .where('id', '=', apiKeyId)
            .executeTakeFirst();
    const concerned: Concerned | null =
      key === undefined ? null : { accountId: key.account_id, actor: apiKeyActor(key) };
    const secret = credentials.clientSecret;
    const wrongSecret =
      key !== undefined && error === 'invalid_client' && secret !== null && !verifyClientSecret(key, secret);
    if (wrongSecret && concerned !== null) {
      await auditWrongKeySecret(defence.auditContext(ctx, now), concerned, request.operationId);
    }
    await defence.finish(ctx, attempt, { failed: counted, concerned });
  } else if (resets && outcome.ok && outcome.answer.status === 200 && keyOfClient !== null) {
    await defence.finish(ctx, attempt, { reset: [keyOfClient] });
  } else {
    await defence.finish(ctx, attempt, {});
  }
  return deliver(outcome);
}

/** The guards of `issueToken` and `revokeToken`. */
export function oauthGuards(defence: BruteForceDefence): Guards {
  return {
    issueToken: (request, handler) => guardClient(defence, request, () => handler(request), true),
    revokeToken: (request, handler) => guardClient(defence, request, () => handler(request), false),
  };
}
