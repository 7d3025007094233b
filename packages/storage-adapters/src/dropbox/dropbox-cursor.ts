/**
 * The change cursor a Dropbox walk hands the engine to store in the snapshot: an opaque string,
 * `dbx1.<base64url JSON>` holding the entity it belongs to, the folder walked (lower case), Dropbox's
 * `list_folder` cursor, and how many incremental walks have followed the last full one. Nothing secret is
 * in it (Dropbox cursors carry no credentials), and a cursor that is malformed, of another entity or of
 * another folder makes the next walk a full one instead of an error.
 */

/** What the stored cursor holds. */
export interface DropboxWalkCursor {
  /** The entity: a team member id or an account id. */
  readonly entity: string;
  /** The walked folder's `path_lower` (`''` for the whole Dropbox). */
  readonly root: string;
  /** Dropbox's `list_folder` cursor. */
  readonly cursor: string;
  /** Incremental walks since the last full one. */
  readonly incrementals: number;
}

const PREFIX = 'dbx1.';

/** Encodes a cursor for storage. */
export function encodeWalkCursor(cursor: DropboxWalkCursor): string {
  const json = JSON.stringify({ e: cursor.entity, r: cursor.root, c: cursor.cursor, n: cursor.incrementals });
  return PREFIX + Buffer.from(json, 'utf8').toString('base64url');
}

/** Decodes a stored cursor; `undefined` when it is not one of ours. */
export function decodeWalkCursor(text: string | undefined): DropboxWalkCursor | undefined {
  if (text?.startsWith(PREFIX) !== true) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { e, r, c, n } = value as Record<string, unknown>;
    if (typeof e !== 'string' || typeof r !== 'string' || typeof c !== 'string' || c === '') return undefined;
    return { entity: e, root: r, cursor: c, incrementals: typeof n === 'number' && Number.isSafeInteger(n) ? n : 0 };
  } catch {
    return undefined;
  }
}
