/**
 * A file's content as a stream of verified chunks, read a few blobs ahead so the target's writes and
 * the store's reads overlap. The total must equal the size the snapshot recorded.
 */
import { IntegrityError } from '../errors/index.ts';
import type { BlobReader } from '../repository/blob-reader.ts';
import { hexToBytes } from '../repository/hex.ts';

const READ_AHEAD = 2;

export interface ContentStreamOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onBytes?: ((bytes: number) => void) | undefined;
}

export async function* contentStream(
  reader: BlobReader,
  content: readonly string[],
  size: number,
  options: ContentStreamOptions = {},
): AsyncGenerator<Uint8Array> {
  const pending: Promise<Uint8Array>[] = [];
  let next = 0;
  const schedule = (): void => {
    while (pending.length < READ_AHEAD && next < content.length) {
      const read = reader.read(hexToBytes(content[next++] ?? ''), 'data', { signal: options.signal });
      read.catch(() => undefined); // awaited below in order; this only prevents an unhandled rejection
      pending.push(read);
    }
  };
  let total = 0;
  schedule();
  for (let read = pending.shift(); read !== undefined; read = pending.shift()) {
    const chunk = await read;
    schedule();
    total += chunk.length;
    if (total > size) throw new IntegrityError(`the content is longer than the ${String(size)} bytes recorded`);
    options.onBytes?.(chunk.length);
    yield chunk;
  }
  if (total !== size)
    throw new IntegrityError(`the content is ${String(total)} bytes, not the ${String(size)} recorded`);
}
