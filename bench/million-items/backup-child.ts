/**
 * The measured process of the million-items benchmark, run by `index.ts` under GNU time:
 * `node backup-child.ts --mode init|open --repo <dir> --folders <n> --files-per-folder <n>`.
 *
 * Creates (`init`) or opens (`open`) the repository in `<dir>` (an FsObjectStore) and backs up the
 * synthetic source once, so each backup is its own process and GNU time's peak RSS is that backup's.
 * Besides, it samples its RSS every 20 ms and on every progress report while the backup runs. Prints one
 * JSON line, a {@link ChildReport}.
 */
import { parseArgs } from 'node:util';
import { loadEngine } from './engine-api.ts';
import { createSyntheticSource, syntheticEntityId } from './synthetic-source.ts';

/** What the child prints. */
export interface ChildReport {
  /** Time to create or open the repository, ms. */
  readonly openMs: number;
  readonly snapshotId: string;
  /** The backup alone, ms. */
  readonly backupMs: number;
  /** The RSS when the backup started, bytes. */
  readonly startRssBytes: number;
  /** The highest RSS sampled while the backup ran, bytes. */
  readonly sampledPeakRssBytes: number;
  readonly progressReports: number;
  /** The snapshot's statistics as the engine reports them. */
  readonly stats: unknown;
}

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    repo: { type: 'string' },
    folders: { type: 'string' },
    'files-per-folder': { type: 'string' },
  },
});
const { mode, repo: repoDir } = values;
const folders = Number(values.folders);
const filesPerFolder = Number(values['files-per-folder']);
if ((mode !== 'init' && mode !== 'open') || repoDir === undefined || !(folders > 0) || !(filesPerFolder > 0)) {
  console.error('usage: backup-child.ts --mode init|open --repo <dir> --folders <n> --files-per-folder <n>');
  process.exit(2);
}

const engine = await loadEngine().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(3);
});
const source = createSyntheticSource({
  folders,
  filesPerFolder,
  notFound: (message) => new engine.NotFoundError(message),
});

const openStarted = performance.now();
const store = new engine.FsObjectStore(repoDir);
const keyProvider = new engine.PassphraseKeyProvider('holdfast-bench');
const repository =
  mode === 'init'
    ? await engine.Repository.init(store, { keyProvider })
    : await engine.Repository.open(store, { keyProvider });
const openMs = performance.now() - openStarted;

const startRssBytes = process.memoryUsage.rss();
let sampledPeakRssBytes = startRssBytes;
let progressReports = 0;
const sample = (): void => {
  sampledPeakRssBytes = Math.max(sampledPeakRssBytes, process.memoryUsage.rss());
};
const sampler = setInterval(sample, 20);
const started = performance.now();
const snapshot = await repository.backup(source, syntheticEntityId, {
  onProgress: () => {
    progressReports++;
    sample();
  },
});
const backupMs = performance.now() - started;
clearInterval(sampler);
sample();
await repository.close();

const report: ChildReport = {
  openMs,
  snapshotId: snapshot.id,
  backupMs,
  startRssBytes,
  sampledPeakRssBytes,
  progressReports,
  stats: snapshot.stats,
};
console.log(JSON.stringify(report));
