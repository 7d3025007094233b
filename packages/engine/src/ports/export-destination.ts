/**
 * ExportDestination: receives one named stream (an export's zip) and keeps it: a local folder or
 * download area, a bucket, a Box or Dropbox folder.
 */
import type { ByteStream, CallOptions } from './common.ts';

/** Options of {@link ExportDestination.write}. */
export interface ExportWriteOptions extends CallOptions {
  /** The MIME type of the stream (`application/zip`). */
  readonly contentType?: string | undefined;
  /** The size, when known in advance. */
  readonly size?: number | undefined;
}

/** Where an export went. */
export interface ExportLocation {
  /** Where the export can be found: a path, an object URL, a service item id. Never a secret. */
  readonly location: string;
  /** Bytes written. */
  readonly size: number;
}

/** What a destination can do. Every field has a documented default. */
export interface ExportDestinationCapabilities {
  /** Largest export this destination accepts, in bytes. Default: undefined (no limit). */
  readonly maxSize?: number | undefined;
}

/** The defaults of {@link ExportDestinationCapabilities}. */
export const defaultExportDestinationCapabilities: ExportDestinationCapabilities = {};

/** A place exports are delivered to. */
export interface ExportDestination {
  /** A short description for messages and logs, without secrets. */
  readonly name: string;
  readonly capabilities: ExportDestinationCapabilities;

  /**
   * Writes `content` under `name` (a file name: no `/`, no `..`; `ValidationError` otherwise). Atomic: a
   * failed or cancelled write leaves nothing under `name`. Rejects with `ConflictError` if `name` exists.
   */
  write(name: string, content: ByteStream, options?: ExportWriteOptions): Promise<ExportLocation>;
}
