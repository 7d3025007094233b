#!/usr/bin/env node
/**
 * `holdfast-server`: one binary for ops (DESIGN.md "The server"). {@link main} parses the command line,
 * runs one command and resolves to the exit code; it touches the process only through its
 * {@link ServerCliIo}, so tests run it in-process. Run as the bin, this module wires the process to it:
 * the first SIGINT/SIGTERM stops `serve` gracefully (requests in flight finish); a second exits at once.
 *
 * Failures print one line per problem on stderr (`holdfast-server: ...`), never a stack trace unless
 * `HOLDFAST_DEBUG=1`.
 */
import { ConfigError, loadConfig } from '../config/load-config.ts';
import { packageVersion } from '../package-info.ts';
import { exitCodes, usage, type ServerCliIo } from './cli-io.ts';
import { migrate, serve } from './commands.ts';
import { createAdmin } from './create-admin.ts';
import { ipRestrictionsCommand } from './ip-restrictions-command.ts';
import { unlockCommand } from './unlock-command.ts';

export type { ServerCliIo, TextSink } from './cli-io.ts';
export { exitCodes } from './cli-io.ts';

/**
 * Runs one command line (without the node and script paths) and resolves to its exit code.
 *
 * @example
 * ```ts
 * const code = await main(['migrate'], { stdout, stderr, env: process.env, cwd: process.cwd(), signal });
 * ```
 */
export async function main(argv: readonly string[], io: ServerCliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
      case 'migrate': {
        if (rest.length > 0) return usageError(io, `${command} takes no arguments (configure it with the environment)`);
        const config = loadConfig({ env: io.env, cwd: io.cwd });
        return await (command === 'serve' ? serve(config, io) : migrate(config, io));
      }
      case 'create-admin':
        return await createAdmin(rest, loadConfig({ env: io.env, cwd: io.cwd }), io);
      case 'ip-restrictions':
        return await ipRestrictionsCommand(rest, loadConfig({ env: io.env, cwd: io.cwd }), io);
      case 'unlock':
        return await unlockCommand(rest, loadConfig({ env: io.env, cwd: io.cwd }), io);
      case 'help':
      case '--help':
      case '-h':
      case undefined:
        io.stderr.write(usage);
        return command === undefined ? exitCodes.usage : exitCodes.ok;
      case '--version':
        io.stderr.write(`${packageVersion}\n`);
        return exitCodes.ok;
      default:
        return usageError(io, `unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) io.stderr.write(`holdfast-server: ${problem}\n`);
      return exitCodes.config;
    }
    io.stderr.write(`holdfast-server: ${describe(error)}\n`);
    if (io.env['HOLDFAST_DEBUG'] === '1' && error instanceof Error) io.stderr.write(`${error.stack ?? ''}\n`);
    return exitCodes.failed;
  }
}

function usageError(io: ServerCliIo, message: string): number {
  io.stderr.write(`holdfast-server: ${message}\n\n${usage}`);
  return exitCodes.usage;
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'EADDRINUSE')
    return `cannot listen: the address is in use (${message}); set HOLDFAST_PORT or HOLDFAST_HOST`;
  if (code === 'EACCES') return `permission denied: ${message}`;
  return message;
}

/** Runs `main` for this process: signals and the exit code. */
async function runProcess(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    stdin: process.stdin,
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.exitCode = code;
}

if (import.meta.main) await runProcess();
