/**
 * `pnpm test:ci`: runs every test suite once and refuses a green run that did not test everything.
 *
 * Vitest passes when a suite is skipped (`it.skip`, `describe.skipIf`, a file that never ran because a
 * project was left out of the config). CI must not: a skipped suite counts as a failure here. The run
 *  - fails if vitest fails;
 *  - fails if any test file in the workspace did not run;
 *  - fails if any test was skipped or left as todo;
 *  - fails if no test ran at all;
 *  - ends with one line `tests: N passed, N failed, N skipped` (also written to
 *    `.ci-artifacts/test-summary.txt` for `.ci/run`).
 * Extra arguments go to vitest (`pnpm test:ci --coverage`).
 */
import { spawnSync } from 'node:child_process';
import { globSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const artifacts = `${root}.ci-artifacts`;
const report = `${artifacts}/vitest.json`;
mkdirSync(artifacts, { recursive: true });

interface AssertionResult {
  readonly fullName: string;
  readonly status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';
}
interface FileResult {
  readonly name: string;
  readonly status: string;
  readonly assertionResults: readonly AssertionResult[];
}
interface VitestReport {
  readonly testResults: readonly FileResult[];
}

const vitest = spawnSync(
  'vitest',
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);

const problems: string[] = [];
let passed = 0;
let failed = 0;
let skipped = 0;

let results: VitestReport = { testResults: [] };
try {
  results = JSON.parse(readFileSync(report, 'utf8')) as VitestReport;
} catch {
  problems.push(`vitest wrote no report at ${relative(root, report)}`);
}

const ran = new Set(results.testResults.map((file) => relative(root, file.name)));
for (const file of results.testResults) {
  for (const test of file.assertionResults) {
    if (test.status === 'passed') passed++;
    else if (test.status === 'failed') failed++;
    else {
      skipped++;
      problems.push(`skipped (${test.status}): ${relative(root, file.name)} > ${test.fullName}`);
    }
  }
  if (file.assertionResults.length === 0) problems.push(`no tests ran in ${relative(root, file.name)}`);
}

// Every test file of the workspace is meant to run; one that did not is a suite skipped by configuration.
const onDisk = globSync('{packages/*,examples}/{src,test}/**/*.test.ts', { cwd: root });
for (const file of onDisk) if (!ran.has(file)) problems.push(`test file never ran: ${file}`);
if (passed + failed === 0) problems.push('no test ran');
if (vitest.status !== 0 && failed === 0) problems.push(`vitest exited with ${String(vitest.status ?? vitest.signal)}`);

const summary = `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
writeFileSync(`${artifacts}/test-summary.txt`, `${summary}\n`);
for (const problem of problems) console.error(`FAIL ${problem}`);
console.log(summary);
process.exit(vitest.status === 0 && problems.length === 0 ? 0 : 1);
