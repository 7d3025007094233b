/**
 * The shapes of the MOCK Box's state (test code): items with their versions, users, events and the
 * item snapshots events carry. See `box-mock-store.ts`.
 */
export type MockItemType = 'file' | 'folder' | 'web_link';

/** One version of a file. */
export interface MockVersion {
  readonly id: string;
  readonly sha1: string;
  readonly bytes: Uint8Array;
}

/** A file, folder or web link (or a user's root folder). */
export interface MockItem {
  readonly type: MockItemType;
  readonly id: string;
  /** `folder:<id>` of the parent; undefined for a root. */
  parentKey: string | undefined;
  name: string;
  readonly ownerId: string;
  status: 'active' | 'trashed';
  sequence: number;
  readonly createdAt: number;
  modifiedAt: number;
  contentCreatedAt: number;
  contentModifiedAt: number;
  readonly createdBy: string;
  modifiedBy: string;
  readonly versions: MockVersion[];
  readonly url?: string | undefined;
  trashedAt?: number | undefined;
  /** A user's root folder (`0` to its owner). */
  readonly root?: boolean | undefined;
}

/** A user of the enterprise. */
export interface MockUser {
  readonly id: string;
  name: string;
  readonly login: string;
  status: 'active' | 'inactive' | 'cannot_delete_edit' | 'cannot_delete_edit_upload';
  /** The app's service account: acted as by an enterprise token without As-User; not listed. */
  readonly serviceAccount?: boolean | undefined;
}

/** One event of a user's stream. */
export interface MockEvent {
  readonly position: bigint;
  readonly eventId: string;
  readonly eventType: string;
  readonly at: number;
  readonly userId: string;
  /** The item's key and its state when the event happened (serialised later, as it was then). */
  readonly itemKey: string | undefined;
  readonly snapshot: MockItemSnapshot | undefined;
  /** A raw `source` given by a test, sent as is. */
  readonly rawSource?: Record<string, unknown> | undefined;
}

/** An item's fields frozen at an event, with its path then. */
export interface MockItemSnapshot {
  readonly item: Readonly<MockItem>;
  readonly version: MockVersion | undefined;
  readonly chain: readonly { readonly id: string; readonly name: string; readonly sequence: number | undefined }[];
}

/** 2^53 + a little: every stream position is above what a JS number holds exactly. */
export const FIRST_STREAM_POSITION = 2n ** 60n + 12_345n;

export const keyOf = (type: MockItemType, id: string): string => `${type}:${id}`;
