/** Options every port call accepts. */
export interface CallOptions {
  /** Cancels the call; an implementation rejects with `CanceledError` (or the signal's reason) promptly. */
  readonly signal?: AbortSignal | undefined;
}

/** A stream of bytes: what `get`, `openContent` and friends return, and what `put` and `write` accept. */
export type ByteStream = AsyncIterable<Uint8Array>;
