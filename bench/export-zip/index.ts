/**
 * `pnpm bench export-zip [--quick] [--no-docs]`.
 *
 * Export of a large snapshot as one zip: a deterministic data set of at least 5 GiB (40 files of 128 MiB of
 * pseudo-random bytes plus 2,000 small text files; `--quick`: a tenth), backed up by holdfast and by restic
 * into fresh local repositories, then exported as a zip by each: `holdfast export latest --to <dir>` and
 * `restic dump --archive zip latest /`. Both exports run under GNU time for wall time and peak RSS, and
 * both zips are tested with `unzip -tqq`. Target: holdfast's peak RSS ≤ 150 MiB, i.e. memory stays flat
 * whatever the export's size. Replaces this benchmark's section of `docs/benchmarks.md`.
 *
 * Exits 1 when something failed (a tool crashed, a zip did not test clean), not when the target is missed.
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { holdfast, holdfastCli, restic } from '../engine-vs-restic/tools.ts';
import { writeBenchmarkSection } from '../lib/benchmarks-doc.ts';
import {
  type Table,
  consoleTable,
  formatBytes,
  formatRatio,
  formatRate,
  formatRss,
  formatSeconds,
  markdownTable,
  mibPerSecond,
} from '../lib/format.ts';
import { describeMachine, formatMachine } from '../lib/machine.ts';
import { assertGnuTime, describeFailure, type Measured, runMeasured, succeeded } from '../lib/measure.ts';
import { describeRevision } from '../lib/revision.ts';
import { benchWorkDir } from '../lib/work-dir.ts';

const benchName = 'export-zip';
const targetRssKiB = 150 * 1024;
const log = (message: string): void => {
  console.log(`[${benchName}] ${message}`);
};

const { values: options } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, 'no-docs': { type: 'boolean', default: false } },
});
assertGnuTime();
if (!existsSync(holdfastCli)) {
  console.error(`${benchName}: ${holdfastCli} not found: build first: pnpm run build`);
  process.exit(1);
}
if (spawnSync('restic', ['version']).status !== 0) {
  console.error(`${benchName}: restic not found: apt-get install -y restic (pnpm bench engine-vs-restic installs it)`);
  process.exit(1);
}

const scale = options.quick ? 0.1 : 1;
const bigFiles = 40;
const bigSize = Math.round(128 * 1024 * 1024 * scale);
const smallFiles = Math.round(2000 * scale);
const work = benchWorkDir(benchName);
const data = join(work, options.quick ? 'data-quick' : 'data-full');

/** Deterministic bytes: AES-256-CTR of zeros under a fixed key, fast and incompressible. */
async function writeDataSet(): Promise<number> {
  const marker = join(data, '.complete');
  const expected = `${String(bigFiles)}x${String(bigSize)}+${String(smallFiles)}`;
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === expected) {
    log(`data set: reusing ${data}`);
  } else {
    await rm(data, { recursive: true, force: true });
    await mkdir(join(data, 'media'), { recursive: true });
    await mkdir(join(data, 'notes'), { recursive: true });
    const zeros = Buffer.alloc(4 * 1024 * 1024);
    for (let file = 0; file < bigFiles; file++) {
      const cipher = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16, file));
      const out = createWriteStream(join(data, 'media', `video-${String(file).padStart(2, '0')}.bin`));
      for (let written = 0; written < bigSize; written += zeros.length) {
        const chunk = cipher.update(zeros.subarray(0, Math.min(zeros.length, bigSize - written)));
        if (!out.write(chunk))
          await new Promise<void>((resolve) =>
            out.once('drain', () => {
              resolve();
            }),
          );
      }
      out.end();
      await finished(out);
    }
    const words = ['backup', 'restore', 'snapshot', 'export', 'entity', 'retention', 'manifest', 'holdfast'];
    for (let file = 0; file < smallFiles; file++) {
      const text = Array.from({ length: 200 + (file % 700) }, (_, i) => words[(file * 7 + i * 3) % words.length]).join(
        ' ',
      );
      await writeFile(join(data, 'notes', `note-${String(file).padStart(5, '0')}.txt`), text);
    }
    await writeFile(marker, expected);
  }
  let total = 0;
  for (let file = 0; file < bigFiles; file++) {
    total += (await stat(join(data, 'media', `video-${String(file).padStart(2, '0')}.bin`))).size;
  }
  for (let file = 0; file < smallFiles; file++) {
    total += (await stat(join(data, 'notes', `note-${String(file).padStart(5, '0')}.txt`))).size;
  }
  return total;
}

function mustSucceed(label: string, measured: Measured): Measured {
  if (!succeeded(measured)) {
    console.error(describeFailure(label, measured));
    process.exit(1);
  }
  return measured;
}

function unzipTest(zip: string): boolean {
  const run = spawnSync('unzip', ['-tqq', zip], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) console.error(`${benchName}: unzip -t ${zip} failed:\n${run.stdout}${run.stderr}`);
  return run.status === 0;
}

const bytes = await writeDataSet();
log(`data set: ${formatBytes(bytes)} in ${String(bigFiles + smallFiles)} files`);

const hf = holdfast(join(work, 'holdfast-repo'));
const rs = restic(join(work, 'restic-repo'), join(work, 'restic-cache'));
const exports = join(work, 'exports');
for (const dir of [hf.repoDir, rs.repoDir, join(work, 'restic-cache'), exports])
  await rm(dir, { recursive: true, force: true });
await mkdir(exports, { recursive: true });

const rows: { tool: string; measured: Measured; zipBytes: number }[] = [];
for (const tool of [rs, hf]) {
  mustSucceed(`${tool.name} init`, tool.init());
  const backup = mustSucceed(`${tool.name} backup`, tool.backup(data));
  log(`${tool.name} backup: ${formatSeconds(backup.wallMs)}`);
}

const hfZip = join(exports, 'holdfast.zip');
const hfEnv = { ...process.env, HOLDFAST_REPOSITORY: hf.repoDir, HOLDFAST_PASSWORD: 'holdfast-bench' };
const hfExport = mustSucceed(
  'holdfast export',
  runMeasured(
    process.execPath,
    [holdfastCli, 'export', 'latest', '--to', exports, '--name', 'holdfast.zip', '--quiet'],
    {
      env: hfEnv,
    },
  ),
);
rows.push({ tool: 'holdfast', measured: hfExport, zipBytes: (await stat(hfZip)).size });

const rsZip = join(exports, 'restic.zip');
const rsExport = mustSucceed(
  'restic dump',
  runMeasured(
    'sh',
    [
      '-c',
      `exec restic --repo "$0" --cache-dir "$1" dump --archive zip latest / > "$2"`,
      rs.repoDir,
      join(work, 'restic-cache'),
      rsZip,
    ],
    {
      env: { ...process.env, RESTIC_PASSWORD: 'holdfast-bench' },
    },
  ),
);
rows.unshift({ tool: 'restic', measured: rsExport, zipBytes: (await stat(rsZip)).size });

log('testing both zips with unzip -t');
const zipsOk = unzipTest(hfZip) && unzipTest(rsZip);

const [rsRow, hfRow] = [rows[0], rows[1]];
if (rsRow === undefined || hfRow === undefined) process.exit(1);
const table: Table = {
  header: ['Export', 'Wall time', 'Throughput', 'Peak RSS', 'Zip size'],
  align: ['left', 'right', 'right', 'right', 'right'],
  rows: [
    ...rows.map((row) => [
      row.tool,
      formatSeconds(row.measured.wallMs),
      formatRate(mibPerSecond(bytes, row.measured.wallMs)),
      formatRss(row.measured.peakRssKiB),
      formatBytes(row.zipBytes),
    ]),
    [
      'holdfast ÷ restic',
      formatRatio(hfRow.measured.wallMs / rsRow.measured.wallMs),
      formatRatio(rsRow.measured.wallMs / hfRow.measured.wallMs),
      formatRatio(hfRow.measured.peakRssKiB / rsRow.measured.peakRssKiB),
      formatRatio(hfRow.zipBytes / rsRow.zipBytes),
    ],
  ],
};
const met = hfRow.measured.peakRssKiB <= targetRssKiB;
const verdict = `holdfast peak RSS ≤ 150 MiB while exporting ${formatBytes(bytes)}: ${formatRss(hfRow.measured.peakRssKiB)}`;
console.log(`\n${consoleTable(table)}\n`);
console.log(`${met ? 'MET' : 'MISSED'}: ${verdict}`);
console.log(`zips: ${zipsOk ? 'both test clean with unzip -t' : 'FAILED unzip -t'}\n`);

if (!options['no-docs']) {
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const command = options.quick ? '`pnpm bench export-zip --quick`' : '`pnpm bench export-zip`';
  writeBenchmarkSection(
    benchName,
    [
      '## export-zip: exporting a large snapshot as a zip',
      '',
      `${command}, run ${date}${options.quick ? ' at quick scale (a development run, not a result)' : ''}.`,
      '',
      `- Machine: ${formatMachine(describeMachine())}.`,
      `- Holdfast: commit ${describeRevision()}; \`holdfast export latest --to <dir>\` (deflate level 1, the default).`,
      '- restic: `restic dump --archive zip latest /` into a file (restic 0.14 from Debian), same data, same run.',
      `- Data: ${String(bigFiles)} files of ${formatBytes(bigSize)} of pseudo-random bytes (incompressible) and ` +
        `${String(smallFiles)} small text files: ${formatBytes(bytes)}; each tool backed it up into a fresh ` +
        'local repository first (not timed here).',
      '- Wall time and peak RSS (GNU time `%M`) of the export command alone; throughput is data bytes ÷ wall ' +
        `time. Both zips were tested with \`unzip -tqq\`: ${zipsOk ? 'clean' : 'FAILED'}.`,
      '',
      markdownTable(table),
      '',
      `Target: **${met ? 'met' : 'missed'}**: ${verdict}.`,
    ].join('\n'),
  );
  log('results written to docs/benchmarks.md');
}
if (!zipsOk) process.exit(1);
