/**
 * Ctrl-C and SIGTERM: the first signal aborts the running operation, which the engine ends cleanly
 * (the repository stays consistent; the exit code is 130); a second one exits at once, for when the
 * clean stop takes longer than the user will wait.
 */
import { CanceledError } from '../errors/index.ts';
import { exitCodes } from './exit-codes.ts';
import type { TextSink } from './output.ts';

export interface Interrupts {
  /** Aborted by the first signal. */
  readonly signal: AbortSignal;
  /** The handler to install for SIGINT and SIGTERM. */
  readonly onSignal: (signal: NodeJS.Signals) => void;
}

/** A handler that aborts on the first signal and calls `exit(130)` on the second. */
export function interruptHandler(stderr: TextSink, exit: (code: number) => void): Interrupts {
  const controller = new AbortController();
  let received = 0;
  return {
    signal: controller.signal,
    onSignal: (signal) => {
      received++;
      if (received > 1) {
        exit(exitCodes.interrupted);
        return;
      }
      stderr.write(
        `\nholdfast: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping cleanly ` +
          '(the repository stays consistent); press Ctrl-C again to quit at once\n',
      );
      controller.abort(new CanceledError(`stopped by ${signal}`));
    },
  };
}
