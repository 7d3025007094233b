/** Small helpers over byte streams. */
import type { ByteStream } from '../ports/index.ts';

/** Reads a whole stream into one buffer. */
export async function readAll(stream: ByteStream): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const part of stream) {
    parts.push(part);
    length += part.length;
  }
  const [first] = parts;
  if (parts.length === 1 && first !== undefined) return first;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
