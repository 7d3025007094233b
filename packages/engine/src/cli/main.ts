#!/usr/bin/env node
/**
 * `holdfast`: the command line, a thin layer over the engine's library API (see `docs/cli.md`).
 *
 * {@link main} parses a command line, runs one command and resolves to the exit code; it touches the
 * process only through its {@link CliIo}, so tests run it in-process. Run as the `holdfast` bin, this
 * module wires the process to it: SIGINT/SIGTERM abort the running operation (the engine leaves the
 * repository consistent and the exit code is 130); a second signal exits at once.
 *
 * Every failure ends as one line `holdfast: <message>` on stderr (`{"error":{"code","message"}}` with
 * `--json`) and an exit code from `exit-codes.ts`; never a stack trace unless `HOLDFAST_DEBUG=1`.
 */
import { packageName, packageVersion } from '../package-info.ts';
import { findCommandWords, globalOptions, parseCommandArgs, type CommandArgs, type OptionSpec } from './args.ts';
import { classify, usageError } from './cli-error.ts';
import { commandGroups, commands, findCommand } from './commands/index.ts';
import { envVars } from './context.ts';
import { exitCodes } from './exit-codes.ts';
import { commandHelp, groupHelp, toolHelp } from './help.ts';
import { interruptHandler } from './interrupts.ts';
import type { CliIo } from './output.ts';
import { promptHidden } from './prompt.ts';

export type { CliIo, TextSink } from './output.ts';
export { exitCodes, type ExitCode } from './exit-codes.ts';

/** Options that take a value, of every command: to find the command word before parsing. */
const optionSets: readonly Readonly<Record<string, OptionSpec>>[] = [
  globalOptions,
  ...commands.map((command) => command.spec.options),
];
const valueOptions: ReadonlySet<string> = new Set(
  optionSets.flatMap((options) =>
    Object.entries(options)
      .filter(([, option]) => option.type === 'string')
      .flatMap(([name, option]) => (option.short === undefined ? [name] : [name, option.short])),
  ),
);

/**
 * Runs one command line (`argv` without the node and script paths) and resolves to its exit code.
 *
 * @example
 * ```ts
 * const code = await main(['snapshots', '--json'], { stdout, stderr, env, isTTY: false, cwd, signal });
 * ```
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const json = wantsJson(argv);
  try {
    return await dispatch(argv, io);
  } catch (error) {
    const failure = classify(error, io.signal.aborted);
    if (json) {
      io.stderr.write(`${JSON.stringify({ error: { code: failure.code, message: failure.message } })}\n`);
    } else {
      io.stderr.write(`holdfast: ${failure.message}\n`);
    }
    if (io.env[envVars.debug] === '1') io.stderr.write(`${debugTrace(error)}\n`);
    return failure.exitCode;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const words = findCommandWords(argv, valueOptions, commandGroups);
  const [first] = words;
  if (first === undefined || first === 'help') {
    const global = parseCommandArgs(argv, undefined, 0);
    if (first === 'help') return help(global.positionals.slice(1), io);
    if (global.global.version) return version(global, io);
    if (global.global.help) {
      io.stdout.write(toolHelp(commands));
      return exitCodes.success;
    }
    io.stderr.write(toolHelp(commands));
    return exitCodes.usage;
  }
  const command = findCommand(words);
  if (command === undefined) {
    if (commandGroups.has(first)) {
      const global = parseCommandArgs(argv, undefined, 1);
      if (words.length === 1) {
        (global.global.help ? io.stdout : io.stderr).write(groupHelp(first, commands));
        return global.global.help ? exitCodes.success : exitCodes.usage;
      }
      throw usageError(`unknown command "${words.join(' ')}" (see "holdfast ${first} --help")`);
    }
    throw usageError(`unknown command "${first}" (see "holdfast --help")`);
  }
  const args = parseCommandArgs(argv, command.spec, words.length);
  if (args.global.help) {
    io.stdout.write(commandHelp(command.spec));
    return exitCodes.success;
  }
  if (args.global.version) return version(args, io);
  return command.run(args, io);
}

function help(words: readonly string[], io: CliIo): number {
  if (words.length === 0) {
    io.stdout.write(toolHelp(commands));
    return exitCodes.success;
  }
  const command = findCommand(words);
  if (command !== undefined) {
    io.stdout.write(commandHelp(command.spec));
    return exitCodes.success;
  }
  const [first = ''] = words;
  if (words.length === 1 && commandGroups.has(first)) {
    io.stdout.write(groupHelp(first, commands));
    return exitCodes.success;
  }
  throw usageError(`unknown command "${words.join(' ')}" (see "holdfast --help")`);
}

function version(args: CommandArgs, io: CliIo): number {
  if (args.global.json) io.stdout.write(`${JSON.stringify({ name: packageName, version: packageVersion })}\n`);
  else io.stdout.write(`holdfast ${packageVersion} (${packageName})\n`);
  return exitCodes.success;
}

/** Whether errors should be JSON: `--json` anywhere before `--`, even on a line that does not parse. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** The stack and the chain of causes, for `HOLDFAST_DEBUG=1`. */
function debugTrace(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    lines.push(
      depth === 0 ? '' : 'caused by:',
      current instanceof Error ? (current.stack ?? current.message) : JSON.stringify(current),
    );
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.filter((line) => line !== '').join('\n');
}

/** Runs `main` for this process: signals, exit code, and a passphrase prompt on a terminal. */
async function runProcess(): Promise<void> {
  const interrupts = interruptHandler(process.stderr, (code) => process.exit(code));
  process.on('SIGINT', interrupts.onSignal);
  process.on('SIGTERM', interrupts.onSignal);
  const interactive = process.stdin.isTTY && process.stderr.isTTY;
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: process.stderr.isTTY,
    cwd: process.cwd(),
    signal: interrupts.signal,
    columns: process.stderr.columns,
    ...(interactive ? { promptPassphrase: promptHidden } : {}),
  });
  process.exitCode = code;
}

if (import.meta.main) await runProcess();
