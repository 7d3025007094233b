/**
 * Turning measurements into the results table, the verdict against the targets of the engine's issue,
 * and the Markdown section of `docs/benchmarks.md`. Pure functions of the records: no I/O.
 */
import {
  type Table,
  formatBytes,
  formatRate,
  formatRatio,
  formatRss,
  formatSeconds,
  markdownTable,
  mibPerSecond,
} from '../lib/format.ts';

/** The four measured steps, in order. */
export const steps = [
  { id: 'first', label: '1. First backup' },
  { id: 'unchanged', label: '2. No-change backup' },
  { id: 'changed', label: '3. Backup after 1% changed' },
  { id: 'restore', label: '4. Full restore' },
] as const;

export type StepId = (typeof steps)[number]['id'];
export type ToolName = 'restic' | 'holdfast';

/** One tool's measurement of one step. */
export interface StepRecord {
  readonly step: StepId;
  readonly tool: ToolName;
  readonly wallMs: number;
  readonly peakRssKiB: number;
  /** Repository size after the step. */
  readonly repoBytes: number;
  /** Bytes of the data set the step backed up or restored (throughput is this over wall time). */
  readonly dataBytes: number;
  /** Why the step failed (a crash, a restore that did not match); undefined when it succeeded. */
  readonly failure?: string | undefined;
}

/** How one target came out. */
export interface Verdict {
  readonly target: string;
  readonly outcome: 'met' | 'missed' | 'not measured';
  readonly detail: string;
}

const throughput = (record: StepRecord): number => mibPerSecond(record.dataBytes, record.wallMs);

function find(records: readonly StepRecord[], step: StepId, tool: ToolName): StepRecord | undefined {
  return records.find((record) => record.step === step && record.tool === tool);
}

function usable(record: StepRecord | undefined): record is StepRecord {
  return record !== undefined && record.failure === undefined;
}

/** Rows per step: restic, holdfast, and holdfast ÷ restic (for throughput: holdfast's MiB/s ÷ restic's). */
export function resultsTable(records: readonly StepRecord[]): Table {
  const rows: string[][] = [];
  for (const { id, label } of steps) {
    const peer = find(records, id, 'restic');
    const ours = find(records, id, 'holdfast');
    for (const record of [peer, ours]) {
      if (record === undefined) {
        continue;
      }
      rows.push(
        record.failure === undefined
          ? [
              label,
              record.tool,
              formatSeconds(record.wallMs),
              formatRate(throughput(record)),
              formatRss(record.peakRssKiB),
              formatBytes(record.repoBytes),
            ]
          : [label, record.tool, 'FAILED', '', formatRss(record.peakRssKiB), formatBytes(record.repoBytes)],
      );
    }
    if (usable(peer) && usable(ours)) {
      rows.push([
        label,
        'holdfast ÷ restic',
        formatRatio(ours.wallMs / peer.wallMs),
        formatRatio(throughput(ours) / throughput(peer)),
        formatRatio(ours.peakRssKiB / peer.peakRssKiB),
        formatRatio(ours.repoBytes / peer.repoBytes),
      ]);
    }
  }
  return {
    header: ['Step', 'Tool', 'Wall time', 'Throughput', 'Peak RSS', 'Repository size'],
    align: ['left', 'left', 'right', 'right', 'right', 'right'],
    rows,
  };
}

/** The targets of the engine's issue, each met, missed, or not measured because a tool failed. */
export function evaluateTargets(records: readonly StepRecord[]): Verdict[] {
  const verdicts: Verdict[] = [];
  const compare = (
    target: string,
    step: StepId,
    measure: (ours: StepRecord, peer: StepRecord) => { met: boolean; detail: string },
  ): void => {
    const ours = find(records, step, 'holdfast');
    const peer = find(records, step, 'restic');
    if (!usable(ours) || !usable(peer)) {
      verdicts.push({ target, outcome: 'not measured', detail: 'a tool failed or did not run this step' });
      return;
    }
    const { met, detail } = measure(ours, peer);
    verdicts.push({ target, outcome: met ? 'met' : 'missed', detail });
  };

  compare('First-backup throughput ≥ 1.25× restic', 'first', (ours, peer) => {
    const ratio = throughput(ours) / throughput(peer);
    return {
      met: ratio >= 1.25,
      detail: `${formatRate(throughput(ours))} vs ${formatRate(throughput(peer))}: ${formatRatio(ratio)}`,
    };
  });
  compare('No-change backup time ≤ restic', 'unchanged', (ours, peer) => {
    const ratio = ours.wallMs / peer.wallMs;
    return {
      met: ratio <= 1,
      detail: `${formatSeconds(ours.wallMs)} vs ${formatSeconds(peer.wallMs)}: ${formatRatio(ratio)}`,
    };
  });
  compare('Restore throughput ≥ restic', 'restore', (ours, peer) => {
    const ratio = throughput(ours) / throughput(peer);
    return {
      met: ratio >= 1,
      detail: `${formatRate(throughput(ours))} vs ${formatRate(throughput(peer))}: ${formatRatio(ratio)}`,
    };
  });
  for (const { id, label } of steps) {
    compare(`Peak RSS ≤ restic (${label.slice(3).toLowerCase()})`, id, (ours, peer) => {
      const ratio = ours.peakRssKiB / peer.peakRssKiB;
      return {
        met: ratio <= 1,
        detail: `${formatRss(ours.peakRssKiB)} vs ${formatRss(peer.peakRssKiB)}: ${formatRatio(ratio)}`,
      };
    });
  }
  compare('Repository size ≤ 1.10× restic (after the last backup)', 'changed', (ours, peer) => {
    const ratio = ours.repoBytes / peer.repoBytes;
    return {
      met: ratio <= 1.1,
      detail: `${formatBytes(ours.repoBytes)} vs ${formatBytes(peer.repoBytes)}: ${formatRatio(ratio)}`,
    };
  });
  return verdicts;
}

/** One line per verdict: `met     First-backup throughput ≥ 1.25× restic: 160 MiB/s vs 121 MiB/s: 1.32×`. */
export function formatVerdicts(verdicts: readonly Verdict[]): string {
  return verdicts
    .map((verdict) => `${verdict.outcome.toUpperCase().padEnd(12)} ${verdict.target}: ${verdict.detail}`)
    .join('\n');
}

/** What the results page says about a run besides the numbers. */
export interface RunContext {
  readonly date: string;
  readonly quick: boolean;
  readonly machine: string;
  readonly revision: string;
  readonly resticVersion: string;
  readonly resticRepositoryVersion: string;
  readonly cache: 'dropped' | 'warm';
  readonly dataSet: string;
  readonly changes: string;
  readonly failures: readonly string[];
}

/** The benchmark's section of `docs/benchmarks.md`. */
export function renderSection(
  context: RunContext,
  records: readonly StepRecord[],
  verdicts: readonly Verdict[],
): string {
  const cache =
    context.cache === 'dropped'
      ? 'dropped before every command (`sync; echo 3 > /proc/sys/vm/drop_caches`), so each tool reads from disk ' +
        '(on a virtual machine the host may still cache the disk)'
      : 'warm: the page cache could not be dropped here, for either tool';
  const lines = [
    '## engine-vs-restic: the holdfast CLI against restic',
    '',
    `${context.quick ? '`pnpm exec node bench/engine-vs-restic/index.ts --quick`' : '`pnpm bench engine-vs-restic`'}, run ${context.date}` +
      (context.quick ? ' at quick scale (10% of the full data set: a development run, not a result).' : '.'),
    '',
    `- Machine: ${context.machine}.`,
    `- Holdfast: commit ${context.revision}, \`node packages/engine/dist/cli.js\`.`,
    `- restic: ${context.resticVersion}; repository format version ${context.resticRepositoryVersion} ` +
      '(`restic init --repository-version 2`, also restic 0.14’s default), compression `auto` (zstd, ' +
      'restic’s default), a fresh cache directory per run.',
    `- Data set: ${context.dataSet}.`,
    `- Step 3: ${context.changes}; the files are put back after the run.`,
    `- Page cache: ${cache}.`,
    '- Throughput is data-set bytes ÷ wall time; peak RSS is GNU time’s `%M`; repository size is the sum of the ' +
      'file sizes under the repository directory after the step. Both restores are checked file by file (size ' +
      'and SHA-256) against the data set.',
    '',
    markdownTable(resultsTable(records)),
    '',
    '### Against the targets',
    '',
    ...verdicts.map((verdict) => `- **${verdict.outcome}**: ${verdict.target}: ${verdict.detail}.`),
  ];
  if (context.failures.length > 0) {
    lines.push('', '### Failures', '', ...context.failures.map((failure) => `- ${failure.split('\n')[0] ?? ''}`));
  }
  return lines.join('\n');
}
