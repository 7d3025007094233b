/**
 * The adapter's Dropbox HTTP client: RPC calls (`api` host, JSON in and out), downloads and uploads
 * (`content` host, the argument in the `Dropbox-API-Arg` header, the result in `Dropbox-API-Result` or the
 * body), each authenticated by {@link DropboxTokenProvider} and addressed to a team member with
 * `Dropbox-API-Select-User`.
 *
 * Why raw `fetch` and not the SDK's `Dropbox` class: the SDK's `filesDownload` buffers the whole file in
 * memory (a 20 GB video would be 20 GB of RAM), its token refresh is neither single-flight nor written to
 * a store, it retries nothing, and its base URLs cannot point at a local mock. The SDK's Stone-generated
 * types are used for the shapes (`import type` only: no SDK code runs).
 *
 * Throttling policy, in one place: every call holds a permit of its member and of the app while it runs
 * (a download until its body is read or dropped); a 429, a 503 or a `too_many_write_operations` is retried
 * after the `Retry-After` header or the body's `retry_after` (the larger), or after a jittered exponential
 * backoff when Dropbox named no delay, up to `retry.maxAttempts`; a 5xx or dropped connection is retried
 * only for calls safe to repeat; a 401 `expired_access_token` / `invalid_access_token` refreshes the token
 * once and retries. Everything else is translated by the error table and thrown.
 */
import { CanceledError, isHoldfastError, type HoldfastError } from '@holdfast/engine';
import type { files } from 'dropbox';
import { DropboxApiError, dropboxError, dropboxErrorFacts } from './dropbox-errors.ts';
import { acquireAll, Semaphore } from './dropbox-limiter.ts';
import {
  resolveDropboxClientOptions,
  type DropboxBaseUrls,
  type DropboxClientOptions,
  type ResolvedDropboxClientOptions,
} from './dropbox-options.ts';
import { sharedTokenProvider, type DropboxTokenProvider } from './dropbox-token-provider.ts';

/** Per-call options of {@link DropboxClient}. */
export interface DropboxCallOptions {
  /** The team member to act as (`Dropbox-API-Select-User`); omit for user tokens and team-level calls. */
  readonly member?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** The call may be repeated after a 5xx or a dropped connection (reads, idempotent writes). Default false. */
  readonly idempotent?: boolean | undefined;
}

/** What {@link DropboxClient.stats} counts. */
export interface DropboxClientStats {
  /** HTTP requests sent (retries included, token requests excluded). */
  readonly requests: number;
  /** Requests answered as throttled (429, 503, too_many_write_operations). */
  readonly throttled: number;
  /** Retries made (throttled, transient and after a token refresh). */
  readonly retries: number;
}

/** A download: the file's metadata (from `Dropbox-API-Result`) and its bytes as a stream. */
export interface DropboxDownload {
  readonly metadata: files.FileMetadata;
  /** The body. Read it to the end or break out of it: either releases the call's permits. */
  readonly body: AsyncIterable<Uint8Array>;
}

type Host = keyof DropboxBaseUrls;

/** Talks to Dropbox for every Dropbox class of the adapter (see the module note). Share one per connection. */
export class DropboxClient {
  readonly #options: ResolvedDropboxClientOptions;
  readonly #tokens: DropboxTokenProvider;
  readonly #app: Semaphore;
  readonly #members = new Map<string, Semaphore>();
  #requests = 0;
  #throttled = 0;
  #retries = 0;

  constructor(options: DropboxClientOptions) {
    this.#options = resolveDropboxClientOptions(options);
    this.#tokens = sharedTokenProvider({
      credentials: options.credentials,
      tokenUrl: `${this.#options.baseUrls.api}/oauth2/token`,
      fetch: this.#options.fetch,
    });
    this.#app = new Semaphore(this.#options.perApp);
  }

  /** The API hosts in use. */
  get baseUrls(): DropboxBaseUrls {
    return this.#options.baseUrls;
  }

  /** The token provider (shared by every client of the same credentials in this process). */
  get tokens(): DropboxTokenProvider {
    return this.#tokens;
  }

  /** Counters since the client was made. */
  get stats(): DropboxClientStats {
    return { requests: this.#requests, throttled: this.#throttled, retries: this.#retries };
  }

  /** Calls an RPC route (`files/list_folder`, `team/members/list_v2`) and returns its JSON result. */
  async rpc<T>(route: string, arg: unknown, options: DropboxCallOptions = {}): Promise<T> {
    const body = arg === undefined ? 'null' : JSON.stringify(arg);
    const { response, release } = await this.#send('api', route, options, () => ({
      headers: { 'Content-Type': 'application/json' },
      body,
    }));
    try {
      return parseJson(await response.text()) as T;
    } catch (error) {
      throw dropboxError(error, what(route, options), options.signal);
    } finally {
      release();
    }
  }

  /** Calls an upload-style route (`files/upload`, `files/upload_session/append_v2`) with `body`. */
  async upload<T>(route: string, arg: unknown, body: Uint8Array, options: DropboxCallOptions = {}): Promise<T> {
    const { response, release } = await this.#send('content', route, options, () => ({
      headers: { 'Content-Type': 'application/octet-stream', 'Dropbox-API-Arg': headerSafeJson(arg) },
      body: body as Uint8Array<ArrayBuffer>,
    }));
    try {
      return parseJson(await response.text()) as T;
    } catch (error) {
      throw dropboxError(error, what(route, options), options.signal);
    } finally {
      release();
    }
  }

  /**
   * Downloads a file (`files/download`) as a stream. `path` is a path, `id:…` or `rev:…`. The permits
   * are held until the body is read or abandoned.
   */
  async download(path: string, options: DropboxCallOptions = {}): Promise<DropboxDownload> {
    const route = 'files/download';
    const { response, release } = await this.#send('content', route, { ...options, idempotent: true }, () => ({
      headers: { 'Dropbox-API-Arg': headerSafeJson({ path }) },
    }));
    let metadata: files.FileMetadata;
    try {
      metadata = parseJson(response.headers.get('dropbox-api-result') ?? '') as files.FileMetadata;
    } catch (error) {
      release();
      await response.body?.cancel().catch(() => undefined);
      throw dropboxError(error, `${what(route, options)}: no Dropbox-API-Result header`, options.signal);
    }
    return { metadata, body: bodyOf(response, release, what(route, options), options.signal) };
  }

  /** Sends one call with retries (see the module note); resolves with the 2xx response and its permits. */
  async #send(
    host: Host,
    route: string,
    options: DropboxCallOptions,
    init: () => { headers: Record<string, string>; body?: string | Uint8Array<ArrayBuffer> },
  ): Promise<{ response: Response; release: () => void }> {
    const { signal, member } = options;
    const label = what(route, options);
    const o = this.#options;
    let refreshed = false;
    for (let attempt = 1; ; attempt += 1) {
      const release = await acquireAll([this.#member(member), this.#app], signal);
      let token: string | undefined;
      let failure: HoldfastError;
      try {
        token = await this.#tokens.accessToken(signal);
        const request = init();
        const headers: Record<string, string> = { ...request.headers, Authorization: `Bearer ${token}` };
        if (member !== undefined) headers['Dropbox-API-Select-User'] = member;
        this.#requests += 1;
        const response = await o.fetch(`${o.baseUrls[host]}/2/${route}`, {
          method: 'POST',
          headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          ...(signal === undefined ? {} : { signal }),
        });
        if (response.ok) return { response, release };
        const text = await response.text();
        failure = dropboxError(new DropboxApiError(response.status, response.headers, parseLoose(text)), label, signal);
      } catch (error) {
        failure = isHoldfastError(error) ? error : dropboxError(error, label, signal);
      }
      release();
      if (signal?.aborted === true) throw abortReason(signal, failure);
      const facts = dropboxErrorFacts(failure.cause);
      const expired = facts.status === 401 && facts.tags.some((tag) => tag.endsWith('access_token'));
      if (expired && !refreshed && token !== undefined) {
        refreshed = true;
        this.#retries += 1;
        await this.#tokens.replaceRejected(token, signal);
        continue;
      }
      const throttled = isHoldfastError(failure, 'THROTTLED');
      if (throttled) this.#throttled += 1;
      const retryable =
        (throttled && attempt < o.maxAttempts) ||
        (isHoldfastError(failure, 'TRANSIENT') && options.idempotent === true && attempt < o.maxTransientAttempts);
      if (!retryable) throw failure;
      this.#retries += 1;
      const retryAfter = isHoldfastError(failure, 'THROTTLED') ? failure.retryAfter : undefined;
      await o.sleep(retryAfter ?? backoff(attempt, o.minDelayMs, o.maxDelayMs), signal);
    }
  }

  #member(member: string | undefined): Semaphore {
    const key = member ?? '';
    let semaphore = this.#members.get(key);
    if (semaphore === undefined) {
      semaphore = new Semaphore(this.#options.perMember);
      this.#members.set(key, semaphore);
    }
    return semaphore;
  }
}

/** Exponential backoff with jitter: between half and all of `min * 2^(attempt-1)`, capped at `max`. */
export function backoff(attempt: number, min: number, max: number): number {
  const ceiling = Math.min(max, min * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** JSON for an HTTP header: Dropbox wants every character above 0x7e escaped (`\uXXXX`). */
export function headerSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

async function* bodyOf(
  response: Response,
  release: () => void,
  label: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array, void, undefined> {
  const body = response.body;
  try {
    if (body === null) return;
    for await (const chunk of body) yield chunk;
  } catch (error) {
    if (signal?.aborted === true) throw abortReason(signal, error);
    throw dropboxError(error, `${label}: the download broke off`, signal);
  } finally {
    release();
    await body?.cancel().catch(() => undefined);
  }
}

function what(route: string, options: DropboxCallOptions): string {
  return options.member === undefined ? route : `${route} as ${options.member}`;
}

function parseJson(text: string): unknown {
  return text === '' ? null : JSON.parse(text);
}

function parseLoose(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    return text;
  }
}

function abortReason(signal: AbortSignal, cause: unknown): unknown {
  const reason: unknown = signal.reason;
  return reason ?? new CanceledError('Dropbox: the call was cancelled', { cause });
}
