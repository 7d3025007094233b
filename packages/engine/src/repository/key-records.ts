/**
 * Key records: the repository's one random master secret, wrapped once per key (a passphrase, an
 * account key). Adding or rotating a key writes or removes a record; the data is never re-encrypted.
 *
 * Records are plain JSON holding only wrapped material (`keys/<id>`), so a repository can be opened by
 * trying each record with the caller's `KeyProvider`. A wrong passphrase fails every record with
 * `AuthError` before anything is written.
 */
import { hostname, userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AuthError, IntegrityError, isHoldfastError, NotFoundError } from '../errors/index.ts';
import type { KeyProvider, KeyWrapping } from '../keys/index.ts';
import type { ObjectStore } from '../ports/index.ts';
import { idOfKey, kindPrefix, objectKey } from './layout.ts';
import { readAll } from './streams.ts';

/** Bytes of the master secret every other key of the repository is derived from. */
export const MASTER_SECRET_BYTES = 32;

/** What a key record holds. */
export interface KeyRecord {
  readonly version: 1;
  readonly created: string;
  readonly hostname: string;
  readonly username: string;
  /** A label given when the key was added. */
  readonly label?: string | undefined;
  readonly wrapping: KeyWrapping;
}

/** A key record with its id. */
export interface KeyInfo {
  readonly id: string;
  readonly record: KeyRecord;
}

/** Wraps `secret` with `provider` and stores a new record; returns its id. */
export async function addKeyRecord(
  store: ObjectStore,
  provider: KeyProvider,
  secret: Uint8Array,
  label?: string,
): Promise<string> {
  const record: KeyRecord = {
    version: 1,
    created: new Date().toISOString(),
    hostname: hostname(),
    username: safeUsername(),
    ...(label === undefined ? {} : { label }),
    wrapping: await provider.wrap(secret),
  };
  const id = randomBytes(32).toString('hex');
  await store.put(objectKey('keys', id), new TextEncoder().encode(JSON.stringify(record)));
  return id;
}

/** Every key record of the repository. A record that is not valid JSON is reported by `check`, skipped here. */
export async function listKeyRecords(store: ObjectStore): Promise<KeyInfo[]> {
  const keys: KeyInfo[] = [];
  for await (const info of store.list(kindPrefix('keys'))) {
    const id = idOfKey('keys', info.key);
    if (id === undefined) continue;
    try {
      keys.push({ id, record: await readKeyRecord(store, id) });
    } catch (error) {
      if (isHoldfastError(error, 'NOT_FOUND') || isHoldfastError(error, 'INTEGRITY')) continue;
      throw error;
    }
  }
  return keys.sort((a, b) => a.record.created.localeCompare(b.record.created) || a.id.localeCompare(b.id));
}

export async function readKeyRecord(store: ObjectStore, id: string): Promise<KeyRecord> {
  const bytes = await readAll(await store.get(objectKey('keys', id)));
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new IntegrityError(`key record ${id.slice(0, 8)} is not valid JSON`, { cause: error });
  }
  if (!isKeyRecord(parsed)) throw new IntegrityError(`key record ${id.slice(0, 8)} is malformed`);
  return parsed;
}

/** Finds the record `provider` opens and returns the master secret and that record's id. */
export async function unlockMasterSecret(
  store: ObjectStore,
  provider: KeyProvider,
): Promise<{ secret: Uint8Array; keyId: string }> {
  const records = await listKeyRecords(store);
  if (records.length === 0) throw new NotFoundError(`no repository at ${store.name} (it has no keys)`);
  const candidates = records.filter((key) => key.record.wrapping.scheme === provider.scheme);
  for (const { id, record } of candidates) {
    try {
      const secret = await provider.unwrap(record.wrapping);
      if (secret.length === MASTER_SECRET_BYTES) return { secret, keyId: id };
    } catch (error) {
      if (!isHoldfastError(error, 'AUTH')) throw error;
    }
  }
  throw new AuthError(
    `${provider.description} opens none of the ${String(records.length)} key(s) of the repository at ${store.name}` +
      (candidates.length === 0 ? ` (none uses the ${provider.scheme} scheme)` : ''),
  );
}

function isKeyRecord(value: unknown): value is KeyRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<KeyRecord>;
  const wrapping = record.wrapping as Partial<KeyWrapping> | undefined;
  return (
    record.version === 1 &&
    typeof record.created === 'string' &&
    typeof wrapping === 'object' &&
    typeof wrapping.scheme === 'string' &&
    typeof wrapping.wrapped === 'string' &&
    typeof wrapping.params === 'object'
  );
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
