/**
 * Reading and writing snapshot records, and resolving what a user types (`latest`, an id, a unique
 * prefix of at least 4 hex digits) to one snapshot.
 */
import pLimit from 'p-limit';
import { IntegrityError, isHoldfastError, NotFoundError, ValidationError } from '../errors/index.ts';
import type { ObjectStore } from '../ports/index.ts';
import type { DamagedObject } from './index-loader.ts';
import { idOfKey, kindPrefix, objectKey } from './layout.ts';
import { storageId, type RepositoryCrypto } from './repository-crypto.ts';
import { retrying } from './retry.ts';
import { parseSnapshotRecord, type Snapshot, type SnapshotRecord } from './snapshot-record.ts';
import { readAll } from './streams.ts';

/** Chooses snapshots by source, entity and tags. Every given field must match. */
export interface SnapshotFilter {
  readonly source?: string | undefined;
  readonly entityId?: string | undefined;
  /** Snapshots carrying every one of these tags. */
  readonly tags?: readonly string[] | undefined;
}

export async function writeSnapshot(
  store: ObjectStore,
  crypto: RepositoryCrypto,
  record: SnapshotRecord,
  signal?: AbortSignal,
): Promise<Snapshot> {
  const sealed = crypto.sealJson('snapshot', record);
  const id = storageId(sealed);
  await retrying(() => store.put(objectKey('snapshots', id), sealed, { signal }), { signal });
  return { ...record, id };
}

export async function readSnapshot(store: ObjectStore, crypto: RepositoryCrypto, id: string): Promise<Snapshot> {
  const sealed = await retrying(async () => readAll(await store.get(objectKey('snapshots', id))));
  if (storageId(sealed) !== id) throw new IntegrityError(`snapshot ${id.slice(0, 8)} does not match its name`);
  return { ...parseSnapshotRecord(crypto.openJson('snapshot', sealed), id), id };
}

export async function listSnapshotIds(store: ObjectStore, signal?: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  for await (const info of store.list(kindPrefix('snapshots'), { signal })) {
    const id = idOfKey('snapshots', info.key);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/** Every readable snapshot, oldest first, and the ones that could not be read. */
export async function loadSnapshots(
  store: ObjectStore,
  crypto: RepositoryCrypto,
  signal?: AbortSignal,
): Promise<{ snapshots: Snapshot[]; damaged: DamagedObject[] }> {
  const ids = await listSnapshotIds(store, signal);
  const limit = pLimit(8);
  const snapshots: Snapshot[] = [];
  const damaged: DamagedObject[] = [];
  await Promise.all(
    ids.map((id) =>
      limit(async () => {
        try {
          snapshots.push(await readSnapshot(store, crypto, id));
        } catch (error) {
          if (isHoldfastError(error, 'INTEGRITY')) damaged.push({ key: objectKey('snapshots', id), error });
          else if (!isHoldfastError(error, 'NOT_FOUND')) throw error;
        }
      }),
    ),
  );
  snapshots.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  return { snapshots, damaged };
}

export function matches(snapshot: Snapshot, filter: SnapshotFilter): boolean {
  return (
    (filter.source === undefined || snapshot.source === filter.source) &&
    (filter.entityId === undefined || snapshot.entity.id === filter.entityId) &&
    (filter.tags ?? []).every((tag) => snapshot.tags.includes(tag))
  );
}

/** Resolves `latest`, a full id or a unique id prefix among `snapshots`. */
export function resolveSnapshot(snapshots: readonly Snapshot[], ref: string, filter: SnapshotFilter = {}): Snapshot {
  const candidates = snapshots.filter((snapshot) => matches(snapshot, filter));
  if (ref === 'latest') {
    const latest = candidates.at(-1);
    if (latest === undefined) throw new NotFoundError('there is no snapshot yet' + describeFilter(filter));
    return latest;
  }
  if (!/^[0-9a-f]{4,64}$/.test(ref)) {
    throw new ValidationError(`malformed snapshot id ${JSON.stringify(ref)}: use "latest" or at least 4 hex digits`);
  }
  const found = candidates.filter((snapshot) => snapshot.id.startsWith(ref));
  if (found.length === 0) throw new NotFoundError(`no snapshot ${ref}` + describeFilter(filter));
  if (found.length > 1) {
    throw new ValidationError(`snapshot id ${ref} is ambiguous (${String(found.length)} match): give more digits`);
  }
  const [only] = found;
  if (only === undefined) throw new NotFoundError(`no snapshot ${ref}`);
  return only;
}

function describeFilter(filter: SnapshotFilter): string {
  const parts = [
    filter.source === undefined ? undefined : `source ${filter.source}`,
    filter.entityId === undefined ? undefined : `entity ${filter.entityId}`,
    filter.tags?.length ? `tags ${filter.tags.join(',')}` : undefined,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? '' : ` for ${parts.join(', ')}`;
}
