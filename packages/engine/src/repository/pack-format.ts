/**
 * Pack objects: many sealed blobs in one object, so a backup makes few large writes (object stores bill
 * per request).
 *
 * Layout: `blob₁ ‖ blob₂ ‖ … ‖ header ‖ headerLength (u32 LE)`. Each blob is sealed on its own (AES-256-GCM,
 * the blob's type and id as associated data), so one blob is read with one ranged get. The header is
 * sealed too and lists every blob in order (type u8, id 32 bytes, sealed length u32, raw length u32);
 * offsets follow from the order. The index duplicates this so reads never need the header; the header
 * makes the index rebuildable from the packs alone.
 */
import { IntegrityError } from '../errors/index.ts';
import type { BlobType } from './blob-index.ts';

export interface PackHeaderEntry {
  readonly type: BlobType;
  readonly id: Uint8Array;
  readonly length: number;
  readonly rawLength: number;
}

/** A header entry with its offset in the pack. */
export type PackBlob = PackHeaderEntry & { readonly offset: number };

const ENTRY_BYTES = 1 + 32 + 4 + 4;

/** Bytes of the trailing header-length field. */
export const PACK_TRAILER_BYTES = 4;

/** Serialises a header's plaintext. */
export function encodePackHeader(entries: readonly PackHeaderEntry[]): Uint8Array {
  const out = new Uint8Array(entries.length * ENTRY_BYTES);
  const view = new DataView(out.buffer);
  entries.forEach((entry, i) => {
    const at = i * ENTRY_BYTES;
    out[at] = entry.type === 'tree' ? 1 : 0;
    out.set(entry.id, at + 1);
    view.setUint32(at + 33, entry.length, true);
    view.setUint32(at + 37, entry.rawLength, true);
  });
  return out;
}

/** Parses a header's plaintext into entries with their offsets. */
export function decodePackHeader(plain: Uint8Array): PackBlob[] {
  if (plain.length % ENTRY_BYTES !== 0) throw new IntegrityError('pack header has a malformed length');
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const entries: PackBlob[] = [];
  let offset = 0;
  for (let at = 0; at < plain.length; at += ENTRY_BYTES) {
    const typeByte = plain[at];
    if (typeByte !== 0 && typeByte !== 1) throw new IntegrityError('pack header names an unknown blob type');
    const length = view.getUint32(at + 33, true);
    entries.push({
      type: typeByte === 1 ? 'tree' : 'data',
      id: plain.slice(at + 1, at + 33),
      length,
      rawLength: view.getUint32(at + 37, true),
      offset,
    });
    offset += length;
  }
  return entries;
}

/** The associated data a blob is sealed with: its type and id, so a blob cannot pass for another. */
export function blobAad(type: BlobType, id: Uint8Array): Uint8Array {
  const aad = new Uint8Array(33);
  aad[0] = type === 'tree' ? 1 : 0;
  aad.set(id, 1);
  return aad;
}

/** Associated data of a pack header. */
export const PACK_HEADER_AAD = new TextEncoder().encode('holdfast:pack-header');
