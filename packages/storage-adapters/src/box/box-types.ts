/**
 * The subset of Box's JSON the adapter reads, as the published OpenAPI description shapes it
 * (`File--Full`, `Folder--Mini`, `WebLink`, `Items`, `Event`, `Events`, `UploadSession`, `User--Full`).
 * Every field is optional where Box may leave it out (a `fields` list that did not ask for it, a trashed
 * item, an event source). Ids are strings; times are RFC 3339 with an offset (`2012-12-12T10:53:43-08:00`).
 */

/** A user as Box shows it inside items and events. */
export interface BoxUserMini {
  readonly type?: 'user';
  readonly id: string;
  readonly name?: string | undefined;
  readonly login?: string | undefined;
}

/** A user of the enterprise (`GET /users`, `GET /users/{id}`, `GET /users/me`). */
export interface BoxUser extends BoxUserMini {
  readonly status?: 'active' | 'inactive' | 'cannot_delete_edit' | 'cannot_delete_edit_upload' | undefined;
}

/** A folder of a `path_collection`. */
export interface BoxFolderMini {
  readonly type: 'folder';
  readonly id: string;
  readonly name?: string | undefined;
}

/** What files, folders and web links share. */
interface BoxItemBase {
  readonly id: string;
  readonly name?: string | undefined;
  readonly etag?: string | null | undefined;
  readonly sequence_id?: string | null | undefined;
  readonly created_at?: string | null | undefined;
  readonly modified_at?: string | null | undefined;
  readonly trashed_at?: string | null | undefined;
  readonly created_by?: BoxUserMini | undefined;
  readonly modified_by?: BoxUserMini | undefined;
  readonly owned_by?: BoxUserMini | undefined;
  readonly item_status?: 'active' | 'trashed' | 'deleted' | undefined;
  readonly parent?: BoxFolderMini | null | undefined;
  readonly path_collection?: { readonly total_count?: number; readonly entries: readonly BoxFolderMini[] } | undefined;
}

/** A file. */
export interface BoxFile extends BoxItemBase {
  readonly type: 'file';
  readonly size?: number | undefined;
  readonly sha1?: string | undefined;
  readonly file_version?: { readonly type?: 'file_version'; readonly id: string; readonly sha1?: string } | undefined;
  readonly content_created_at?: string | null | undefined;
  readonly content_modified_at?: string | null | undefined;
  readonly extension?: string | undefined;
}

/** A folder. */
export interface BoxFolder extends BoxItemBase {
  readonly type: 'folder';
  readonly size?: number | undefined;
  readonly content_created_at?: string | null | undefined;
  readonly content_modified_at?: string | null | undefined;
}

/** A web link (a bookmark to a URL, kept in a folder). */
export interface BoxWebLink extends BoxItemBase {
  readonly type: 'web_link';
  readonly url?: string | undefined;
}

/** Anything a folder listing holds. */
export type BoxItem = BoxFile | BoxFolder | BoxWebLink;

/** A page of `GET /folders/{id}/items` with `usemarker=true`. */
export interface BoxItemsPage {
  readonly entries?: readonly BoxItem[] | undefined;
  readonly next_marker?: string | null | undefined;
  readonly limit?: number | undefined;
}

/** A page of `GET /users`. */
export interface BoxUsersPage {
  readonly entries?: readonly BoxUser[] | undefined;
  readonly next_marker?: string | null | undefined;
}

/** One event of the user event stream. */
export interface BoxEvent {
  readonly type?: 'event';
  readonly event_id?: string | undefined;
  readonly event_type?: string | undefined;
  readonly created_at?: string | undefined;
  readonly created_by?: BoxUserMini | undefined;
  /** The item as it was when the event was recorded (a File, Folder, WebLink, or another resource). */
  readonly source?: Readonly<Record<string, unknown>> | null | undefined;
}

/** A page of `GET /events`, with the stream position kept as the string Box sent. */
export interface BoxEventsPage {
  readonly entries: readonly BoxEvent[];
  /** `next_stream_position`, exactly as sent (an int64 does not fit a JS number). */
  readonly nextStreamPosition: string;
}

/** `POST /files/upload_sessions`. */
export interface BoxUploadSession {
  readonly id: string;
  readonly part_size: number;
  readonly total_parts?: number | undefined;
  readonly session_endpoints?:
    | {
        readonly upload_part?: string | undefined;
        readonly commit?: string | undefined;
        readonly abort?: string | undefined;
      }
    | undefined;
}

/** A part of an upload session (`UploadPart`). */
export interface BoxUploadPart {
  readonly part_id: string;
  readonly offset: number;
  readonly size: number;
  readonly sha1?: string | undefined;
}

/** The answer of an upload: `Files`. */
export interface BoxFiles {
  readonly entries?: readonly BoxFile[] | undefined;
}
