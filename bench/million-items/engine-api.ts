/**
 * The part of `@holdfast/engine` this benchmark uses, loaded from the built package
 * (`packages/engine/dist/index.js`) at run time, so that a missing build is reported as "build first"
 * rather than a module-resolution crash. Typed here as the subset used (the way an adapter types only the
 * part of an SDK it calls); a mismatch with the real engine shows up as a failed run, at the first call.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where `pnpm run build` leaves the engine's library entry point. */
export const engineEntry = fileURLToPath(new URL('../../packages/engine/dist/index.js', import.meta.url));

/** One item of an entity (the engine's `SourceItem`, fields this benchmark sets). */
export interface SourceItem {
  readonly id: string;
  readonly path: string;
  readonly type: 'file' | 'folder' | 'symlink' | 'other';
  readonly size?: number | undefined;
  readonly version?: string | undefined;
  readonly modifiedAt?: string | undefined;
}

/** What a walk yields: this source yields items only. */
export interface WalkEntry {
  readonly kind: 'item';
  readonly item: SourceItem;
}

/** The engine's `Source` port, as `packages/engine/src/ports/source.ts` defines it. */
export interface Source {
  readonly name: string;
  readonly capabilities: { readonly changeFeed: boolean };
  listEntities(): AsyncIterable<{ readonly id: string; readonly name: string }>;
  walk(
    entityId: string,
  ): Promise<{ readonly mode: 'full'; readonly entries: AsyncIterable<WalkEntry>; cursor(): string | undefined }>;
  openContent(entityId: string, item: SourceItem): Promise<AsyncIterable<Uint8Array>>;
}

/** What `Repository.backup` resolves to: the new snapshot. */
export interface Snapshot {
  readonly id: string;
  readonly stats: unknown;
}

/** A repository created by `Repository.init` or opened by `Repository.open`. */
export interface Repository {
  backup(
    source: Source,
    entityId: string,
    options?: { readonly onProgress?: (progress: unknown) => void },
  ): Promise<Snapshot>;
  close(): Promise<void>;
}

/** The engine's exports this benchmark uses. */
export interface Engine {
  readonly Repository: {
    init(store: unknown, options: { readonly keyProvider: unknown }): Promise<Repository>;
    open(store: unknown, options: { readonly keyProvider: unknown }): Promise<Repository>;
  };
  readonly FsObjectStore: new (dir: string) => unknown;
  readonly PassphraseKeyProvider: new (passphrase: string) => unknown;
  readonly NotFoundError: new (message: string) => Error;
}

const required = ['Repository', 'FsObjectStore', 'PassphraseKeyProvider', 'NotFoundError'] as const;

/** Loads the built engine; rejects with a message that says to build first when it is missing or incomplete. */
export async function loadEngine(): Promise<Engine> {
  if (!existsSync(engineEntry)) {
    throw new Error(`${engineEntry} not found: build first: pnpm run build`);
  }
  const engine = (await import(engineEntry)) as Partial<Record<string, unknown>>;
  const missing: string[] = required.filter((name) => typeof engine[name] !== 'function');
  const repository = engine['Repository'] as Partial<Record<string, unknown>> | undefined;
  if (typeof repository?.['init'] !== 'function' || typeof repository['open'] !== 'function') {
    missing.push('Repository.init', 'Repository.open');
  }
  if (missing.length > 0) {
    throw new Error(`the built engine does not export ${missing.join(', ')}: build first: pnpm run build`);
  }
  return engine as unknown as Engine;
}
