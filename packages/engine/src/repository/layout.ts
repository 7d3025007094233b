/**
 * Where each kind of object lives in a repository's ObjectStore. Object names of packs, indexes and
 * snapshots are the SHA-256 of their stored bytes (hex), so anyone can verify an object's integrity
 * without the key and a name can never be reused for different content.
 */
export const CONFIG_KEY = 'config';

export type ObjectKind = 'keys' | 'data' | 'index' | 'snapshots' | 'locks';

/** The key of an object of a kind. Packs are spread over 256 folders by the first byte of their id. */
export function objectKey(kind: ObjectKind, id: string): string {
  return kind === 'data' ? `data/${id.slice(0, 2)}/${id}` : `${kind}/${id}`;
}

/** The list prefix of a kind. */
export function kindPrefix(kind: ObjectKind): string {
  return `${kind}/`;
}

/** The id part of a listed key, or undefined for a key that is not one of this kind's objects. */
export function idOfKey(kind: ObjectKind, key: string): string | undefined {
  const prefix = kindPrefix(kind);
  if (!key.startsWith(prefix)) return undefined;
  const id = key.slice(key.lastIndexOf('/') + 1);
  return objectKey(kind, id) === key ? id : undefined;
}
