/**
 * Example: embedding `@holdfast/engine` in a program.
 *
 * Creates a passphrase-protected repository in a local folder, backs up another folder into it, opens it
 * again and backs the folder up a second time (files whose version did not change are not read again),
 * lists the snapshots, restores the latest one into a third folder and verifies every stored byte.
 * `docs/engine.md` explains each call.
 *
 * Run it with Node 24 from the repository root, after `bash scripts/setup.sh`:
 *
 * ```sh
 * pnpm exec node examples/src/embed-engine.ts [folder-to-back-up]
 * ```
 *
 * It backs up the given folder (default: this `examples/src` folder) into a new temporary folder, and
 * prints where that is so you can look at the repository with the CLI afterwards
 * (`HOLDFAST_REPOSITORY=<tmp>/repository pnpm holdfast snapshots`). The passphrase comes from
 * `HOLDFAST_PASSWORD`, or is a fixed demo one. Ctrl-C cancels cleanly.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultKdfParams,
  FsObjectStore,
  FsRestoreTarget,
  FsSource,
  fsSourceEntityId,
  PassphraseKeyProvider,
  Repository,
  type BackupProgress,
  type CheckReport,
  type KdfParams,
  type RestoreResult,
  type Snapshot,
} from '@holdfast/engine';
import { describeFailure } from './exit-codes.ts';

/** What {@link embedEngine} works on. */
export interface EmbedEngineOptions {
  /** The folder to back up. */
  readonly source: string;
  /** Where the repository goes: a missing or empty folder (`init` refuses one that holds a repository). */
  readonly repository: string;
  /** Where the latest snapshot is restored: a missing or empty folder. */
  readonly restoreTo: string;
  /** The repository's passphrase. */
  readonly passphrase: string;
  /**
   * KDF parameters for the new key. Default: `defaultKdfParams` (argon2id, 64 MiB, 3 passes: about a
   * quarter of a second). Tests pass `testingKdfParams`, which are cheap and so unsafe for real data.
   */
  readonly kdf?: KdfParams | undefined;
  /** Receives every line the example prints. Default: `console.log`. */
  readonly log?: ((line: string) => void) | undefined;
  /** Cancels whatever is running; the repository stays consistent. */
  readonly signal?: AbortSignal | undefined;
}

/** What {@link embedEngine} did. */
export interface EmbedEngineResult {
  /** The first backup: every file read. */
  readonly first: Snapshot;
  /** The second backup of the same folder: unchanged files reused, not read. */
  readonly second: Snapshot;
  /** Every snapshot in the repository, oldest first. */
  readonly snapshots: readonly Snapshot[];
  /** The restore of the second snapshot. */
  readonly restored: RestoreResult;
  /** The check with `readData`. */
  readonly check: CheckReport;
}

/** Creates a repository, backs up twice, lists, restores and checks, printing as it goes. */
export async function embedEngine(options: EmbedEngineOptions): Promise<EmbedEngineResult> {
  const log = options.log ?? console.log;
  const { signal } = options;

  // Where the repository lives (any ObjectStore: S3, Azure Blob and GCS are in @holdfast/storage-adapters)
  // and how its key is wrapped (a passphrase here; a server uses EnvelopeKeyProvider).
  const store = new FsObjectStore(options.repository);
  const keys = new PassphraseKeyProvider(options.passphrase, { kdf: options.kdf ?? defaultKdfParams });
  // The source: a local folder, whose one entity is `fsSourceEntityId`. Its `name` (`fs:<absolute path>`)
  // is how the next backup finds this one as its parent, so give the same path every time.
  const source = new FsSource(options.source);

  // 1. Create the repository and take a first backup. Every file is new, so every file is read.
  let repository = await Repository.init(store, { keyProvider: keys, keyLabel: 'embed-engine example' });
  let first: Snapshot;
  try {
    log(`created repository ${repository.config.id.slice(0, 8)} in ${store.root}`);
    first = await repository.backup(source, fsSourceEntityId, {
      tags: ['example'],
      signal,
      onProgress: (progress) => {
        log(progressLine(progress));
      },
    });
    log(summary('first backup', first));
  } finally {
    await repository.close(); // Always close: later calls are refused and the master secret is zeroed.
  }

  // 2. Open it again, as the next run of a program would, and back up the same folder. Files whose
  // version (size, modification time, inode) is unchanged reuse their stored chunks without being read.
  // A file modified less than 2 s before the previous backup started is read again anyway: it may have
  // changed again within the same timestamp tick.
  repository = await Repository.open(store, { keyProvider: keys });
  try {
    const second = await repository.backup(source, fsSourceEntityId, {
      tags: ['example'],
      signal,
      onProgress: (progress) => {
        log(progressLine(progress));
      },
    });
    log(summary('second backup', second));

    // 3. List snapshots (oldest first), and what changed between the two: nothing, if no file was edited.
    const snapshots = await repository.snapshots({ source: source.name, entityId: fsSourceEntityId });
    for (const snapshot of snapshots) {
      log(`snapshot ${snapshot.id.slice(0, 8)}  ${snapshot.time}  ${snapshot.status}  ${snapshot.stats.items} items`);
    }
    let changes = 0;
    for await (const change of repository.diff(first, second)) {
      log(`  ${change.change} ${change.path}`);
      changes++;
    }
    log(`${changes} changes between ${first.id.slice(0, 8)} and ${second.id.slice(0, 8)}`);

    // 4. Restore the second snapshot into a folder. Every chunk is verified before it is written; items
    // that fail are listed in `errors` while the rest restore. Existing files are left alone (and listed
    // as CONFLICT errors) unless `overwrite: true`.
    const target = await FsRestoreTarget.open(options.restoreTo);
    const restored = await repository.restore(second, target, {
      signal,
      onProgress: (progress) => {
        log(`restore: ${progress.files} files, ${progress.bytes} bytes`);
      },
    });
    log(
      `restored ${restored.files} files and ${restored.folders} folders (${restored.bytes} bytes) into ${target.root}`,
    );
    for (const error of restored.errors) log(`  failed: ${error.path}: ${error.code} ${error.message}`);

    // 5. Check the repository, reading and verifying every stored byte. Damage is reported, never thrown.
    const check = await repository.check({ readData: true, signal });
    log(`check: ${check.ok ? 'no errors' : 'ERRORS'}; ${check.stats.packs} packs, ${check.stats.bytesRead} bytes read`);
    for (const problem of check.problems) log(`  ${problem.severity}: ${problem.kind}: ${problem.message}`);

    return { first, second, snapshots, restored, check };
  } finally {
    await repository.close();
  }
}

/** One progress line of a backup. */
function progressLine(progress: BackupProgress): string {
  return (
    `backup ${progress.phase}: ${progress.items} items (${progress.newFiles} new, ${progress.changedFiles} changed, ` +
    `${progress.unchangedFiles} unchanged, ${progress.failedItems} failed), ${progress.bytesRead} bytes read`
  );
}

/** What a backup did, from its snapshot's stats. A `partial` snapshot lists the items it could not read. */
function summary(label: string, snapshot: Snapshot): string {
  const { stats } = snapshot;
  const lines = [
    `${label}: snapshot ${snapshot.id.slice(0, 8)} (${snapshot.status}): ${stats.newFiles} new, ` +
      `${stats.changedFiles} changed, ${stats.unchangedFiles} unchanged files; ` +
      `${stats.bytesRead} bytes read, ${stats.bytesAdded} bytes added to the repository`,
    ...snapshot.errors.map((error) => `  not backed up: ${error.path}: ${error.code} ${error.message}`),
  ];
  return lines.join('\n');
}

if (import.meta.main) {
  const work = await mkdtemp(join(tmpdir(), 'holdfast-embed-'));
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort(new Error('interrupted'));
  });
  try {
    const result = await embedEngine({
      source: process.argv[2] ?? import.meta.dirname,
      repository: join(work, 'repository'),
      restoreTo: join(work, 'restored'),
      passphrase: process.env['HOLDFAST_PASSWORD'] ?? 'an example passphrase, not a secret',
      signal: controller.signal,
    });
    console.log(`the repository and the restored copy are in ${work}: remove it when done`);
    if (!result.check.ok || result.restored.errors.length > 0) process.exitCode = 1;
  } catch (error) {
    const { exitCode, message } = describeFailure(error);
    console.error(message);
    process.exitCode = exitCode;
  }
}
