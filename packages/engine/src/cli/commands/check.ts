/** `holdfast check [--read-data]`: is every snapshot restorable? Exit 4 when errors are found. */
import type { CheckProblem, CheckProgress, CheckReport } from '../../check/check-run.ts';
import { flag, type CommandArgs } from '../args.ts';
import { withRepository } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import { formatBytes, plural, shortId, type CliIo, type Output } from '../output.ts';
import { ProgressBar, progressStyle, type ProgressState } from '../progress-bar.ts';
import { outputOf, type Command } from './command.ts';

const phaseNames: Readonly<Record<CheckProgress['phase'], string>> = {
  index: 'loading the index',
  packs: 'checking packs',
  'read-data': 'reading data',
  snapshots: 'checking snapshots',
};

export async function checkCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const readData = flag(args.values, 'read-data');
  return withRepository(args, io, async ({ repository }) => {
    const progress = new ProgressBar(io, progressStyle(io, args.global.json, args.global.quiet));
    let report: CheckReport;
    try {
      report = await repository.check({
        readData,
        signal: io.signal,
        onProgress: (state) => {
          progress.update(checkProgressState(state));
        },
      });
    } finally {
      progress.finish();
    }
    out.json(report);
    if (!args.global.json) printReport(out, io, report, readData, args.global.quiet);
    return report.ok ? exitCodes.success : exitCodes.checkFailed;
  });
}

export function checkProgressState(state: CheckProgress): ProgressState {
  return {
    label: `check: ${phaseNames[state.phase]}`,
    counts: `${String(state.done)}/${String(state.total)}`,
    fraction: state.total > 0 ? state.done / state.total : undefined,
  };
}

/** Problems grouped by severity, then by kind; then what was checked and the verdict. */
function printReport(out: Output, io: CliIo, report: CheckReport, readData: boolean, quiet: boolean): void {
  const errors = report.problems.filter((problem) => problem.severity === 'error');
  const warnings = report.problems.filter((problem) => problem.severity === 'warning');
  // Errors are printed even with --quiet: they are what exit code 4 is about.
  const print = (text: string): void => {
    io.stdout.write(`${text}\n`);
  };
  if (errors.length > 0) {
    print(`errors (${String(errors.length)}):`);
    for (const line of groupedLines(errors)) print(line);
  }
  if (warnings.length > 0) {
    out.line(`warnings (${String(warnings.length)}):`);
    for (const line of groupedLines(warnings)) out.line(line);
  }
  const { stats } = report;
  out.line(
    `checked ${plural(stats.snapshots, 'snapshot')}, ${plural(stats.packs, 'pack')}, ${plural(stats.trees, 'tree')}, ` +
      plural(stats.blobs, 'blob') +
      (readData ? `; read ${formatBytes(stats.bytesRead)}` : ' (structure only: --read-data also reads every byte)'),
  );
  if (report.ok) out.line('no errors found');
  else if (!quiet || errors.length > 0) {
    const damaged = new Set(errors.map((problem) => problem.snapshot).filter((id) => id !== undefined));
    print(
      `${plural(errors.length, 'error')} found` +
        (damaged.size > 0 ? `: ${plural(damaged.size, 'snapshot')} cannot be fully restored` : ''),
    );
  }
}

function groupedLines(problems: readonly CheckProblem[]): string[] {
  const byKind = new Map<string, CheckProblem[]>();
  for (const problem of problems) byKind.set(problem.kind, [...(byKind.get(problem.kind) ?? []), problem]);
  const lines: string[] = [];
  for (const [kind, list] of byKind) {
    lines.push(`  ${kind}:`);
    for (const problem of list) lines.push(`    ${describe(problem)}`);
  }
  return lines;
}

function describe(problem: CheckProblem): string {
  const where = [
    problem.snapshot === undefined ? undefined : `snapshot ${shortId(problem.snapshot)}`,
    problem.path,
    problem.object,
  ].filter((part) => part !== undefined && part !== '');
  return where.length === 0 ? problem.message : `${where.join(' ')}: ${problem.message}`;
}

export const check: Command = {
  spec: {
    name: 'check',
    summary: 'verify the repository',
    arguments: [],
    options: {
      'read-data': { type: 'boolean', description: 'also read, decrypt and verify every stored byte' },
    },
    description: [
      'Checks that every snapshot can be restored: indexes, packs, snapshot records and trees. With',
      '--read-data every pack is read and every blob verified. Writes nothing. Exit 4 when errors are found.',
    ],
    examples: ['holdfast check', 'holdfast check --read-data --json'],
    repository: true,
  },
  run: checkCommand,
};
