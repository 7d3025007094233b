/** Hex encoding of ids, strict on input: ids from snapshots and the command line are never trusted. */
import { ValidationError } from '../errors/index.ts';

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX = /^[0-9a-f]*$/;

/** Parses lower-case hex of an even length; `ValidationError` otherwise. */
export function hexToBytes(hex: string, what = 'id'): Uint8Array {
  if (hex.length % 2 !== 0 || !HEX.test(hex)) throw new ValidationError(`malformed ${what}: ${JSON.stringify(hex)}`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Whether `value` is a 64-character lower-case hex id. */
export function isHexId(value: unknown): value is string {
  return typeof value === 'string' && value.length === 64 && HEX.test(value);
}
