/**
 * A time-based rate limit in front of a service mock: at most `perMinute` requests per user in each
 * fixed one-minute window (windows start when the limiter is made), answered beyond that with 429 and a
 * `Retry-After` of the whole seconds left in the window — what Box and Dropbox do for a user over its
 * quota. The token endpoint is exempt.
 *
 * `usage()` reports, per window, the requests served and refused: a run "uses the allowed rate" when each
 * full window it was throttled in served all `perMinute` (a client waiting longer than Retry-After leaves
 * part of the next window unused).
 */
import { msw } from './msw-module.ts';

export interface RateLimit {
  /** An msw handler to put before the mock's own: answers 429 when over the limit, else passes. */
  readonly handler: unknown;
  /** Served and refused requests per window, in order. */
  usage(): { served: number; refused: number }[];
}

export function rateLimit(options: {
  readonly perMinute: number;
  /** The user a request acts for (a header), or a constant for a single-user run. */
  readonly userOf: (request: Request) => string;
  /** Refused bodies follow the service's own error format. */
  readonly refusal: (retryAfterSeconds: number) => Response;
  readonly isExempt?: (request: Request) => boolean;
}): RateLimit {
  const started = Date.now();
  const windows: { served: number; refused: number }[] = [];
  const served = new Map<string, number>();
  let current = -1;
  const handler = msw.http.all('*', ({ request }) => {
    if (options.isExempt?.(request) === true) return undefined;
    const elapsed = Date.now() - started;
    const index = Math.floor(elapsed / 60_000);
    if (index !== current) {
      current = index;
      served.clear();
    }
    while (windows.length <= index) windows.push({ served: 0, refused: 0 });
    const window = windows[index] ?? { served: 0, refused: 0 };
    const user = options.userOf(request);
    const count = served.get(user) ?? 0;
    if (count >= options.perMinute) {
      window.refused++;
      const left = Math.max(1, Math.ceil(((index + 1) * 60_000 - elapsed) / 1000));
      return options.refusal(left);
    }
    served.set(user, count + 1);
    window.served++;
    return undefined; // on to the mock
  });
  return { handler, usage: () => windows.map((window) => ({ ...window })) };
}
