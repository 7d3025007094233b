/**
 * How each Dropbox class gets its client: a {@link DropboxClient} of your own (share one per connection,
 * so that throttling limits and token refreshes are shared), or the options to make one.
 */
import { ValidationError } from '@holdfast/engine';
import { DropboxClient } from './dropbox-client.ts';
import type { DropboxClientOptions } from './dropbox-options.ts';

/** Either `client`, or the options of a new client (`credentials` and friends). */
export interface DropboxConnectionOptions extends Partial<DropboxClientOptions> {
  /** A client of your own; then no other connection option may be given. */
  readonly client?: DropboxClient | undefined;
}

/** The client `options` name or describe. Throws `ValidationError` for a mix of both. */
export function clientOf(options: DropboxConnectionOptions): DropboxClient {
  const { client, credentials } = options;
  if (client !== undefined) {
    const extra = (['credentials', 'baseUrls', 'fetch', 'retry', 'concurrency'] as const).filter(
      (field) => options[field] !== undefined,
    );
    if (extra.length > 0) {
      throw new ValidationError(`Dropbox: client is a client of your own, so ${extra.join(', ')} cannot apply`);
    }
    return client;
  }
  if (credentials === undefined) throw new ValidationError('Dropbox: give credentials, or a client of your own');
  return new DropboxClient({ ...options, credentials });
}
