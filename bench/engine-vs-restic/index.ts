/**
 * `pnpm bench engine-vs-restic [--quick] [--no-docs] [--only restic|holdfast]`.
 *
 * The holdfast CLI against restic on the same ≥ 1 GiB data set, in the same run, each with a fresh local
 * repository: (1) a first backup, (2) a backup with nothing changed, (3) a backup after 1% of the files
 * changed, (4) a full restore into an empty directory, checked file by file against the data set. Every
 * command runs under GNU time for its peak RSS, with the page cache dropped before it where the kernel
 * allows. Prints a table with the ratios holdfast ÷ restic and the verdict against the engine's targets,
 * and replaces this benchmark's section of `docs/benchmarks.md`.
 *
 * Exits 1 when something failed (a tool crashed, a restore did not match), not when a target is missed.
 * `--quick` runs at 10% scale for development; `--only` runs one tool (no ratios, no docs update).
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBenchmarkSection } from '../lib/benchmarks-doc.ts';
import {
  consoleTable,
  formatBytes,
  formatCount,
  formatRate,
  formatRss,
  formatSeconds,
  mibPerSecond,
} from '../lib/format.ts';
import { compareTree, describeComparison, directorySize, findTreeRoot, treesMatch } from '../lib/fs-tree.ts';
import { describeMachine, formatMachine } from '../lib/machine.ts';
import { assertGnuTime, describeFailure, succeeded } from '../lib/measure.ts';
import { dropPageCache } from '../lib/page-cache.ts';
import { describeRevision } from '../lib/revision.ts';
import { benchWorkDir } from '../lib/work-dir.ts';
import { type DataSetSpec, applyChanges, describeDataSet, prepareDataSet, revertChanges } from './data-set.ts';
import {
  type StepRecord,
  type ToolName,
  evaluateTargets,
  formatVerdicts,
  renderSection,
  resultsTable,
  steps,
} from './report.ts';
import {
  type BackupTool,
  ensureRestic,
  holdfast,
  holdfastCli,
  restic,
  resticRepositoryVersion,
  resticSummary,
} from './tools.ts';

const benchName = 'engine-vs-restic';
const log = (message: string): void => {
  console.log(`[${benchName}] ${message}`);
};

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const only = options.only;
if (only !== undefined && only !== 'restic' && only !== 'holdfast') {
  console.error(`${benchName}: --only takes restic or holdfast, not ${only}`);
  process.exit(2);
}
const runs = (tool: ToolName): boolean => only === undefined || only === tool;

const spec: DataSetSpec = options.quick
  ? { seed: 'holdfast-bench-1', binaryFiles: 200, textFiles: 2_000 }
  : { seed: 'holdfast-bench-1', binaryFiles: 2_000, textFiles: 20_000 };

assertGnuTime();
if (runs('holdfast') && !existsSync(holdfastCli)) {
  console.error(`${benchName}: ${holdfastCli} not found: build first: pnpm run build`);
  process.exit(1);
}
const resticVersion = runs('restic') ? ensureRestic(log) : undefined;
if (runs('restic') && resticVersion === undefined) {
  console.error(`${benchName}: restic is not installed (apt-get install -y restic)`);
  process.exit(1);
}

const work = benchWorkDir(benchName);
const repos = join(work, 'repos');
const resticCache = join(work, 'restic-cache');
await rm(repos, { recursive: true, force: true });
await rm(resticCache, { recursive: true, force: true });
await mkdir(repos, { recursive: true });
const tools: BackupTool[] = [
  ...(runs('restic') ? [restic(join(repos, 'restic'), resticCache)] : []),
  ...(runs('holdfast') ? [holdfast(join(repos, 'holdfast'))] : []),
];

// Initialise first: it is cheap, and a CLI that cannot even init should stop the run before the data set
// is generated.
for (const tool of tools) {
  const measured = tool.init();
  if (!succeeded(measured)) {
    console.error(describeFailure(`${tool.name} init`, measured));
    if (tool.name === 'holdfast') {
      console.error(`${benchName}: the holdfast CLI does not work yet: build first: pnpm run build`);
    }
    process.exit(1);
  }
  log(`${tool.name} init: ${formatSeconds(measured.wallMs)}`);
}

const dataSet = await prepareDataSet(join(work, options.quick ? 'data-quick' : 'data-full'), spec, log);
log(`data set: ${formatBytes(dataSet.totalBytes)} in ${dataSet.files.length} files`);
const cacheDropped = dropPageCache();
log(cacheDropped ? 'page cache: dropped before every command' : 'page cache: cannot drop it here; runs are warm');

const records: StepRecord[] = [];
const failures: string[] = [];
const failed = new Set<ToolName>();
let expected = dataSet.files;
let dataBytes = dataSet.totalBytes;
let changes = 'not run';
try {
  for (const step of steps) {
    if (step.id === 'changed') {
      const applied = await applyChanges(dataSet);
      expected = applied.files;
      dataBytes = applied.totalBytes;
      changes =
        `${applied.binaryFilesChanged} binary files had a 64 KiB range in the middle rewritten (same size) and ` +
        `${applied.textFilesChanged} text files had a paragraph appended (${formatBytes(applied.bytesChanged)} ` +
        `changed in ${formatCount(applied.binaryFilesChanged + applied.textFilesChanged)} of ${formatCount(dataSet.files.length)} files)`;
      log(`changed: ${changes}`);
    }
    for (const tool of tools) {
      if (failed.has(tool.name)) {
        continue;
      }
      const target = join(work, `restore-${tool.name}`);
      if (step.id === 'restore') {
        await rm(target, { recursive: true, force: true });
        await mkdir(target);
      }
      if (cacheDropped) {
        dropPageCache();
      }
      const measured = step.id === 'restore' ? tool.restore(target) : tool.backup(dataSet.dir);
      let failure = succeeded(measured) ? undefined : describeFailure(`${tool.name}: ${step.label}`, measured);
      if (failure === undefined && step.id === 'restore') {
        failure = await verifyRestore(tool.name, target);
      }
      const record: StepRecord = {
        step: step.id,
        tool: tool.name,
        wallMs: measured.wallMs,
        peakRssKiB: measured.peakRssKiB,
        repoBytes: await directorySize(tool.repoDir),
        dataBytes,
        failure,
      };
      records.push(record);
      log(
        `${step.label}, ${tool.name}: ${formatSeconds(record.wallMs)}, ` +
          `${formatRate(mibPerSecond(record.dataBytes, record.wallMs))}, peak RSS ${formatRss(record.peakRssKiB)}, ` +
          `repository ${formatBytes(record.repoBytes)}${failure === undefined ? '' : ', FAILED'}` +
          describeOutput(tool.name, step.id, measured.stdout),
      );
      if (failure !== undefined) {
        console.error(failure);
        failures.push(failure);
        failed.add(tool.name);
      }
      if (step.id === 'restore') {
        await rm(target, { recursive: true, force: true });
      }
    }
  }
} finally {
  await revertChanges(dataSet);
}

const verdicts = evaluateTargets(records);
console.log(`\n${consoleTable(resultsTable(records))}\n`);
if (only === undefined) {
  console.log(`${formatVerdicts(verdicts)}\n`);
}

if (only === undefined && !options['no-docs']) {
  const [restic0] = tools;
  writeBenchmarkSection(
    benchName,
    renderSection(
      {
        date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        quick: options.quick,
        machine: formatMachine(describeMachine()),
        revision: describeRevision(),
        resticVersion: resticVersion?.replace(/^restic /, '') ?? 'unknown',
        resticRepositoryVersion:
          restic0 === undefined ? 'unknown' : resticRepositoryVersion(restic0.repoDir, resticCache),
        cache: cacheDropped ? 'dropped' : 'warm',
        dataSet: describeDataSet(dataSet),
        changes,
        failures,
      },
      records,
      verdicts,
    ),
  );
  log('results written to docs/benchmarks.md');
}

if (failures.length > 0) {
  console.error(`${benchName}: FAILED: ${failures.length} step(s) failed (see above)`);
  process.exit(1);
}

/** Compares a tool's restore with the data set as it was backed up last; a description of the mismatch, or undefined. */
async function verifyRestore(tool: ToolName, target: string): Promise<string | undefined> {
  const probe = expected[0]?.path ?? '';
  const root = await findTreeRoot(target, probe);
  if (root === undefined) {
    return `${tool}: restore MISMATCH: ${probe} is nowhere under ${target}`;
  }
  const comparison = await compareTree(root, expected);
  if (!treesMatch(comparison)) {
    return `${tool}: restore MISMATCH against the data set:\n${describeComparison(comparison)}`;
  }
  log(`${tool}: restore verified: ${expected.length} files, ${formatBytes(comparison.bytesRead)} identical`);
  return undefined;
}

/** A short note on what a backup said it did, for the log. */
function describeOutput(tool: ToolName, step: string, stdout: string): string {
  if (step === 'restore') {
    return '';
  }
  if (tool === 'restic') {
    const summary = resticSummary(stdout);
    return summary === undefined
      ? ''
      : ` (files new ${summary.files_new}, changed ${summary.files_changed}, unmodified ${summary.files_unmodified}, ` +
          `added ${formatBytes(summary.data_added)})`;
  }
  // `holdfast backup --json` prints one JSON document (the snapshot and the duration); show its stats.
  try {
    const summary = JSON.parse(stdout) as { snapshot?: { stats?: unknown } };
    return summary.snapshot?.stats === undefined ? '' : ` (${JSON.stringify(summary.snapshot.stats)})`;
  } catch {
    const last = stdout.trim().split('\n').at(-1) ?? '';
    return last === '' ? '' : ` (${last.length > 300 ? `${last.slice(0, 300)}...` : last})`;
  }
}
