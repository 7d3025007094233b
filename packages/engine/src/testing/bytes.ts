/**
 * Byte and stream helpers for the conformance suites and for adapters' own tests: deterministic test
 * data, streams cut into awkward chunk sizes, streams that fail midway, and assertions that compare
 * megabytes without printing them.
 */
import { expect } from 'vitest';
import { type ErrorCode, type HoldfastError, isHoldfastError } from '../errors/index.ts';
import type { ByteStream } from '../ports/index.ts';

/** Chunk sizes that line up with nothing: 1 byte, odd sizes around 4 KiB, 64 KiB and 1 MiB. */
export const oddChunkSizes: readonly number[] = [1, 7, 4093, 65_537, 13, 1_048_583, 300_001, 2];

/** `size` pseudo-random bytes, the same for the same `seed` (xorshift32; fast enough for tens of MiB). */
export function testBytes(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  const words = new Uint32Array(bytes.buffer, 0, size >>> 2);
  let x = Math.imul(seed + 1, 0x9e3779b9) >>> 0 || 1;
  for (let index = 0; index < words.length; index += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[index] = x >>> 0;
  }
  for (let index = words.length * 4; index < size; index += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[index] = x & 0xff;
  }
  return bytes;
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A stream of `bytes` cut into `chunkSizes` (cycled); each chunk is a fresh copy. */
export async function* chunkedStream(
  bytes: Uint8Array,
  chunkSizes: readonly number[] = oddChunkSizes,
): AsyncGenerator<Uint8Array, void, undefined> {
  let offset = 0;
  for (let turn = 0; offset < bytes.length; turn += 1) {
    const size = chunkSizes[turn % chunkSizes.length] ?? 1;
    await Promise.resolve();
    yield bytes.slice(offset, offset + size);
    offset += size;
  }
}

/** A stream that yields the first `failAfter` bytes of `bytes` (in odd chunks), then throws `error`. */
export async function* failingStream(
  bytes: Uint8Array,
  failAfter: number,
  error: unknown = new Error('the source stream failed (injected by the conformance suite)'),
): AsyncGenerator<Uint8Array, void, undefined> {
  yield* chunkedStream(bytes.subarray(0, failAfter));
  throw error;
}

/** Reads a stream to its end and returns its bytes joined. */
export async function collectBytes(stream: ByteStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.length;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** Reads an async iterable to its end. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Asserts two byte strings are equal, reporting the lengths or the first differing offset, not the bytes. */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, label = 'bytes'): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return;
  let at = 0;
  while (a[at] === b[at]) at += 1;
  expect.fail(`${label}: first difference at byte ${at} of ${expected.length}`);
}

/** Describes a value for a failure message. */
function describeValue(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `${value.name}${typeof code === 'string' ? ` (${code})` : ''}: ${value.message}`;
  }
  return String(value);
}

/** What `promise` rejected with; fails the test if it resolved. */
export async function rejectionOf(promise: Promise<unknown>, label = 'the call'): Promise<unknown> {
  const resolved = Symbol('resolved');
  const outcome = await promise.then(
    () => resolved,
    (error: unknown) => error,
  );
  if (outcome === resolved) expect.fail(`${label} resolved, but should have rejected`);
  return outcome;
}

/**
 * Asserts `promise` rejects with a Holdfast error (recognised by {@link isHoldfastError}) of `code`, and
 * returns it.
 */
export async function expectHoldfastError(
  promise: Promise<unknown>,
  code: ErrorCode,
  label = 'the call',
): Promise<HoldfastError> {
  const error = await rejectionOf(promise, label);
  if (!isHoldfastError(error, code)) {
    expect.fail(`${label} should reject with a Holdfast ${code} error, but rejected with ${describeValue(error)}`);
  }
  return error;
}

/** Asserts `promise` rejects with `CanceledError` or with the abort `reason` itself (both are allowed). */
export async function expectCanceled(promise: Promise<unknown>, reason: unknown, label = 'the call'): Promise<void> {
  const error = await rejectionOf(promise, label);
  if (error !== reason && !isHoldfastError(error, 'CANCELED')) {
    expect.fail(
      `${label} should reject with CanceledError (or the signal's reason), but rejected with ${describeValue(error)}`,
    );
  }
}

/** An already aborted signal and its reason. */
export function abortedSignal(): { signal: AbortSignal; reason: Error } {
  const reason = new Error('aborted by the conformance suite');
  return { signal: AbortSignal.abort(reason), reason };
}
