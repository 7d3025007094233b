/**
 * `pnpm verify`: everything CI checks, in the order a failure is cheapest to find, stopping at the first
 * failure: build, formatting, lint, the REST contract's lint (Redocly), the SDK's generated types against the
 * contract, type-check, package exports, the API reference, then every test suite (which refuses skipped
 * suites). Prints how long each step took. Extra arguments go to the tests.
 */
import { spawnSync } from 'node:child_process';

const steps: readonly (readonly [name: string, args: readonly string[]])[] = [
  ['build', ['run', 'build']],
  ['format', ['run', 'format:check']],
  ['lint', ['run', 'lint']],
  ['lint:api', ['run', 'lint:api']],
  ['generated', ['run', 'check:generated']],
  ['typecheck', ['run', 'typecheck']],
  ['exports', ['run', 'check:exports']],
  ['docs', ['run', 'docs']],
  ['tests', ['run', 'test:ci', ...process.argv.slice(2)]],
];

const timings: string[] = [];
for (const [name, args] of steps) {
  console.log(`\n=== ${name}: pnpm ${args.join(' ')}`);
  const started = performance.now();
  const result = spawnSync('pnpm', args, { stdio: 'inherit' });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  timings.push(`${name} ${seconds}s`);
  if (result.status !== 0) {
    console.error(`\nverify: FAILED at step "${name}" (${timings.join(', ')})`);
    process.exit(1);
  }
}
console.log(`\nverify: all steps passed (${timings.join(', ')})`);
