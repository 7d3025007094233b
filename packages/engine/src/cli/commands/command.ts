/** What every command module exports: its spec (arguments, options, help) and its run function. */
import type { CommandArgs, CommandSpec } from '../args.ts';
import { Output, type CliIo } from '../output.ts';

export interface Command {
  readonly spec: CommandSpec;
  /** Runs the command; resolves to the exit code, throws for failures (see `cli-error.ts`). */
  readonly run: (args: CommandArgs, io: CliIo) => Promise<number>;
}

/** The output of a run in the mode its global options ask for. */
export function outputOf(args: CommandArgs, io: CliIo): Output {
  return new Output(io, { json: args.global.json, quiet: args.global.quiet });
}
