/**
 * `check`: is every snapshot restorable?
 *
 * Structure (always): every index object decodes; every pack an index names exists and is large enough;
 * every snapshot record decodes; every tree of every snapshot is indexed, decrypts, verifies and decodes;
 * every content blob a tree names is indexed. With `readData`: every pack is read whole, its SHA-256 must
 * match its name, and every blob in it is decrypted and its keyed id recomputed. Damage is reported by
 * snapshot and path; check never throws for damage and writes nothing.
 */
import pLimit from 'p-limit';
import { isHoldfastError, type HoldfastError } from '../errors/index.ts';
import { BlobReader } from '../repository/blob-reader.ts';
import type { BlobIndex, BlobLocation } from '../repository/blob-index.ts';
import { bytesToHex, hexToBytes } from '../repository/hex.ts';
import { loadIndex, parsePackHeader } from '../repository/index-loader.ts';
import { idOfKey, kindPrefix, objectKey } from '../repository/layout.ts';
import { PACK_TRAILER_BYTES } from '../repository/pack-format.ts';
import type { RepositoryContext } from '../repository/repository-context.ts';
import { storageId } from '../repository/repository-crypto.ts';
import { retrying } from '../repository/retry.ts';
import type { Snapshot } from '../repository/snapshot-record.ts';
import { loadSnapshots } from '../repository/snapshot-store.ts';
import { readAll } from '../repository/streams.ts';
import { decodeTree } from '../repository/tree.ts';

export interface CheckOptions {
  /** Also read, decrypt and verify every blob. Default false. */
  readonly readData?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: CheckProgress) => void) | undefined;
}

export interface CheckProgress {
  readonly phase: 'index' | 'packs' | 'read-data' | 'snapshots';
  readonly done: number;
  readonly total: number;
}

/** One thing check found. Errors make a snapshot (or part of it) unrestorable; warnings do not. */
export interface CheckProblem {
  readonly severity: 'error' | 'warning';
  readonly kind: 'index' | 'pack' | 'blob' | 'snapshot' | 'tree' | 'content';
  readonly message: string;
  /** The object concerned. */
  readonly object?: string | undefined;
  /** The snapshot an unrestorable item belongs to. */
  readonly snapshot?: string | undefined;
  /** The item's path in that snapshot. */
  readonly path?: string | undefined;
}

export interface CheckReport {
  /** True when no error was found. */
  readonly ok: boolean;
  readonly problems: readonly CheckProblem[];
  readonly stats: {
    readonly snapshots: number;
    readonly packs: number;
    readonly blobs: number;
    readonly trees: number;
    /** Bytes read by `readData`. */
    readonly bytesRead: number;
  };
}

export async function runCheck(context: RepositoryContext, options: CheckOptions = {}): Promise<CheckReport> {
  const { signal } = options;
  const problems: CheckProblem[] = [];
  const progress = (phase: CheckProgress['phase'], done: number, total: number): void =>
    options.onProgress?.({ phase, done, total });

  progress('index', 0, 1);
  const loaded = await loadIndex(context.store, context.crypto, { signal });
  for (const { key, error } of loaded.damaged) {
    problems.push({ severity: 'error', kind: 'index', object: key, message: error.message });
  }
  for (const pack of loaded.recoveredPacks) {
    problems.push({
      severity: 'warning',
      kind: 'pack',
      object: objectKey('data', pack),
      message: 'indexed from its own header because no usable index lists it',
    });
  }
  const index = loaded.index;
  const reader = new BlobReader(context.store, context.crypto, index);

  const packSizes = new Map<string, number>();
  for await (const info of context.store.list(kindPrefix('data'), { signal })) {
    const id = idOfKey('data', info.key);
    if (id !== undefined) packSizes.set(id, info.size);
  }
  const needed = neededPackSizes(index);
  progress('packs', 0, needed.size);
  for (const [pack, size] of needed) {
    const actual = packSizes.get(pack);
    if (actual === undefined) {
      problems.push({ severity: 'error', kind: 'pack', object: objectKey('data', pack), message: 'pack is missing' });
    } else if (actual < size) {
      problems.push({ severity: 'error', kind: 'pack', object: objectKey('data', pack), message: 'pack is truncated' });
    }
  }
  for (const pack of packSizes.keys()) {
    if (!loaded.listedPacks.has(pack)) {
      problems.push({
        severity: 'warning',
        kind: 'pack',
        object: objectKey('data', pack),
        message: 'no index lists this pack (an interrupted run left it; prune removes it)',
      });
    }
  }

  const damagedBlobs = new Map<string, string>();
  let bytesRead = 0;
  if (options.readData === true) {
    const packs = [...packSizes.keys()].filter((pack) => needed.has(pack));
    const byPack = new Map<string, { id: Uint8Array; location: BlobLocation }[]>();
    for (const entry of index.entries()) {
      const list = byPack.get(entry.location.packId) ?? [];
      list.push(entry);
      byPack.set(entry.location.packId, list);
    }
    let done = 0;
    const limit = pLimit(2);
    await Promise.all(
      packs.map((pack) =>
        limit(async () => {
          const found = await verifyPack(context, reader, byPack.get(pack) ?? [], pack, damagedBlobs, problems, signal);
          bytesRead += found;
          progress('read-data', ++done, packs.length);
        }),
      ),
    );
  }

  const { snapshots, damaged } = await loadSnapshots(context.store, context.crypto, signal);
  for (const { key, error } of damaged) {
    problems.push({ severity: 'error', kind: 'snapshot', object: key, message: error.message });
  }
  const cleanTrees = new Set<string>();
  let done = 0;
  for (const snapshot of snapshots) {
    progress('snapshots', done++, snapshots.length);
    await checkTree(context, reader, index, snapshot, snapshot.tree, '', cleanTrees, damagedBlobs, problems, signal);
  }
  progress('snapshots', done, snapshots.length);
  return {
    ok: !problems.some((problem) => problem.severity === 'error'),
    problems,
    stats: { snapshots: snapshots.length, packs: packSizes.size, blobs: index.size, trees: cleanTrees.size, bytesRead },
  };
}

function neededPackSizes(index: BlobIndex): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const { location } of index.entries()) {
    const end = location.offset + location.length;
    if ((sizes.get(location.packId) ?? 0) < end) sizes.set(location.packId, end);
  }
  return sizes;
}

async function verifyPack(
  context: RepositoryContext,
  reader: BlobReader,
  blobs: readonly { id: Uint8Array; location: BlobLocation }[],
  pack: string,
  damagedBlobs: Map<string, string>,
  problems: CheckProblem[],
  signal: AbortSignal | undefined,
): Promise<number> {
  const key = objectKey('data', pack);
  const bytes = await retrying(async () => readAll(await context.store.get(key, { signal })), { signal });
  if (storageId(bytes) !== pack) {
    problems.push({ severity: 'error', kind: 'pack', object: key, message: 'pack content does not match its name' });
  }
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength =
      bytes.length >= PACK_TRAILER_BYTES ? view.getUint32(bytes.length - PACK_TRAILER_BYTES, true) : 0;
    const headerOffset = bytes.length - PACK_TRAILER_BYTES - headerLength;
    parsePackHeader(
      context.crypto,
      pack,
      bytes.subarray(Math.max(0, headerOffset), bytes.length - PACK_TRAILER_BYTES),
      headerOffset,
    );
  } catch (error) {
    problems.push({ severity: 'error', kind: 'pack', object: key, message: (error as Error).message });
  }
  for (const { id, location } of blobs) {
    try {
      await reader.decode(id, location, bytes.subarray(location.offset, location.offset + location.length));
    } catch (error) {
      if (!isHoldfastError(error, 'INTEGRITY')) throw error;
      damagedBlobs.set(bytesToHex(id), error.message);
      problems.push({ severity: 'error', kind: 'blob', object: key, message: error.message });
    }
  }
  return bytes.length;
}

async function checkTree(
  context: RepositoryContext,
  reader: BlobReader,
  index: BlobIndex,
  snapshot: Snapshot,
  treeId: string,
  path: string,
  cleanTrees: Set<string>,
  damagedBlobs: ReadonlyMap<string, string>,
  problems: CheckProblem[],
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (cleanTrees.has(treeId)) return true;
  const at = { snapshot: snapshot.id, path: path === '' ? '/' : path };
  let nodes;
  try {
    const damage = damagedBlobs.get(treeId);
    if (damage !== undefined) throw new Error(damage);
    nodes = decodeTree(await reader.read(hexToBytes(treeId), 'tree', { signal }), `tree ${treeId.slice(0, 16)}`).nodes;
  } catch (error) {
    if (isHoldfastError(error, 'CANCELED')) throw error;
    const message = (error as HoldfastError).message;
    problems.push({ severity: 'error', kind: 'tree', ...at, message: `folder cannot be read: ${message}` });
    return false;
  }
  let clean = true;
  for (const node of nodes) {
    const childPath = path === '' ? node.name : `${path}/${node.name}`;
    if (node.type === 'folder' && node.subtree !== undefined) {
      const ok = await checkTree(
        context,
        reader,
        index,
        snapshot,
        node.subtree,
        childPath,
        cleanTrees,
        damagedBlobs,
        problems,
        signal,
      );
      clean &&= ok;
    } else if (node.type === 'file') {
      for (const blob of node.content ?? []) {
        const damage = damagedBlobs.get(blob);
        const missing = !index.has(hexToBytes(blob));
        if (damage === undefined && !missing) continue;
        clean = false;
        problems.push({
          severity: 'error',
          kind: 'content',
          snapshot: snapshot.id,
          path: childPath,
          message: missing ? `content blob ${blob.slice(0, 16)} is in no index` : `content is damaged: ${damage ?? ''}`,
        });
        break;
      }
    }
  }
  if (clean) cleanTrees.add(treeId);
  return clean;
}
