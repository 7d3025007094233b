/**
 * `pnpm bench million-items`, or `pnpm exec node bench/million-items/index.ts [--quick] [--no-docs]`
 *
 * The engine's memory and speed on many small items: a synthetic source of 1,000,000 files of 64–512 bytes
 * in 1,000 folders (`--quick`: 100,000 in 100), backed up through the library API into a new FsObjectStore
 * repository, then backed up again unchanged. Each backup runs in its own child process
 * (`backup-child.ts`) under GNU time, so its peak RSS is the whole process's as the kernel counts it; the
 * child also samples its own RSS while the backup runs. Target: peak RSS ≤ 256 MiB. Replaces this
 * benchmark's section of `docs/benchmarks.md`. Exits 1 when a backup fails, not when the target is missed.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeBenchmarkSection } from '../lib/benchmarks-doc.ts';
import {
  type Table,
  consoleTable,
  formatBytes,
  formatCount,
  formatRate,
  formatRss,
  formatSeconds,
  markdownTable,
  mibPerSecond,
} from '../lib/format.ts';
import { directorySize } from '../lib/fs-tree.ts';
import { describeMachine, formatMachine } from '../lib/machine.ts';
import { assertGnuTime, describeFailure, runMeasured, succeeded } from '../lib/measure.ts';
import { describeRevision } from '../lib/revision.ts';
import { benchWorkDir } from '../lib/work-dir.ts';
import type { ChildReport } from './backup-child.ts';
import { engineEntry } from './engine-api.ts';
import { contentSize } from './synthetic-source.ts';

const benchName = 'million-items';
const targetRssKiB = 256 * 1024;
const log = (message: string): void => {
  console.log(`[${benchName}] ${message}`);
};

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
  },
});
const folders = options.quick ? 100 : 1_000;
const filesPerFolder = 1_000;
const files = folders * filesPerFolder;
const items = files + folders;

assertGnuTime();
if (!existsSync(engineEntry)) {
  console.error(`${benchName}: ${engineEntry} not found: build first: pnpm run build`);
  process.exit(1);
}

let contentBytes = 0;
for (let index = 0; index < files; index++) {
  contentBytes += contentSize(index);
}

const work = benchWorkDir(benchName);
const repoDir = join(work, 'repo');
await rm(repoDir, { recursive: true, force: true });
log(`source: ${formatCount(files)} files (${formatBytes(contentBytes)}) in ${formatCount(folders)} folders`);

/** One backup, measured from outside (GNU time) and inside (the child's report). */
interface BackupRun {
  readonly label: string;
  readonly processMs: number;
  readonly processPeakRssKiB: number;
  readonly repoBytes: number;
  readonly report: ChildReport;
}

const child = fileURLToPath(new URL('backup-child.ts', import.meta.url));
const runs: BackupRun[] = [];
for (const [label, mode] of [
  ['First backup (init)', 'init'],
  ['No-change backup (open)', 'open'],
] as const) {
  const measured = runMeasured(process.execPath, [
    child,
    '--mode',
    mode,
    '--repo',
    repoDir,
    '--folders',
    String(folders),
    '--files-per-folder',
    String(filesPerFolder),
  ]);
  if (!succeeded(measured)) {
    console.error(describeFailure(`${benchName}: ${label}`, measured));
    if (measured.status === 3) {
      console.error(`${benchName}: build first: pnpm run build`);
    }
    process.exit(1);
  }
  const report = JSON.parse(measured.stdout.trim().split('\n').at(-1) ?? '') as ChildReport;
  const run: BackupRun = {
    label,
    processMs: measured.wallMs,
    processPeakRssKiB: measured.peakRssKiB,
    repoBytes: await directorySize(repoDir),
    report,
  };
  runs.push(run);
  log(
    `${label}: ${formatSeconds(report.backupMs)} (process ${formatSeconds(run.processMs)}), ` +
      `peak RSS ${formatRss(run.processPeakRssKiB)}, repository ${formatBytes(run.repoBytes)}, ` +
      `snapshot ${report.snapshotId}: ${JSON.stringify(report.stats)}`,
  );
}

const table: Table = {
  header: ['Backup', 'Backup time', 'Items/s', 'Content', 'Peak RSS', 'Sampled peak', 'Process time', 'Repository'],
  align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  rows: runs.map((run) => [
    run.label,
    formatSeconds(run.report.backupMs),
    `${formatCount(Math.round(items / (run.report.backupMs / 1000)))} items/s`,
    formatRate(mibPerSecond(contentBytes, run.report.backupMs)),
    formatRss(run.processPeakRssKiB),
    formatRss(run.report.sampledPeakRssBytes / 1024),
    formatSeconds(run.processMs),
    formatBytes(run.repoBytes),
  ]),
};
const peakKiB = Math.max(...runs.map((run) => run.processPeakRssKiB));
const met = peakKiB <= targetRssKiB;
const verdict = `peak RSS ≤ 256 MiB: the highest of the two processes was ${formatRss(peakKiB)} (GNU time)`;

console.log(`\n${consoleTable(table)}\n`);
console.log(`${met ? 'MET' : 'MISSED'}: ${verdict}\n`);

if (!options['no-docs']) {
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const command = options.quick
    ? '`pnpm exec node bench/million-items/index.ts --quick`'
    : '`pnpm bench million-items`';
  const scale = options.quick ? ' at quick scale (100,000 files: a development run, not a result).' : '.';
  writeBenchmarkSection(
    benchName,
    [
      '## million-items: many small items through the library API',
      '',
      `${command}, run ${date}${scale}`,
      '',
      `- Machine: ${formatMachine(describeMachine())}.`,
      `- Holdfast: commit ${describeRevision()}; \`Repository.init\` (first backup) and \`Repository.open\` ` +
        '(second) on an `FsObjectStore` in `bench/.work/`, then `Repository.backup` of a synthetic `Source`, ' +
        'each backup in its own Node process under GNU time.',
      `- Source: ${formatCount(files)} files of 64–512 bytes (text derived from each file’s index, made lazily ` +
        `in \`openContent\`, nothing held in memory; ${formatBytes(contentBytes)} in all) in ` +
        `${formatCount(folders)} folders. The second backup walks the same source with nothing changed.`,
      `- Backup time is \`Repository.backup\` alone; items/s counts files and folders (${formatCount(items)}). ` +
        'Peak RSS is GNU time’s `%M` for the whole process; sampled peak is the highest ' +
        '`process.memoryUsage.rss()` seen every 20 ms and on each progress report during the backup. Process ' +
        'time adds Node’s start and opening the repository. Repository: the sum of file sizes after the backup.',
      '',
      markdownTable(table),
      '',
      `Target: **${met ? 'met' : 'missed'}**: ${verdict}.`,
    ].join('\n'),
  );
  log('results written to docs/benchmarks.md');
}
