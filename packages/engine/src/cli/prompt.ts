/**
 * Asking for a passphrase on a terminal without echoing it: stdin in raw mode, read to Enter. Ctrl-C
 * while typing interrupts the run (exit 130); Backspace erases. Used only when stdin and stderr are
 * terminals and neither the variable nor the file option gives the passphrase.
 */
import { CanceledError } from '../errors/index.ts';

/** Prompts on `process.stderr` and reads one line from `process.stdin` without echo. */
export async function promptHidden(prompt: string): Promise<string> {
  const { stdin, stderr } = process;
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: string): void => {
        for (const char of chunk) {
          if (char === '\r' || char === '\n' || char === '\u0004') {
            stdin.off('data', onData);
            resolve(typed);
            return;
          }
          if (char === '\u0003') {
            stdin.off('data', onData);
            reject(new CanceledError('the passphrase prompt was interrupted'));
            return;
          }
          if (char === '\u007f' || char === '\b') typed = Array.from(typed).slice(0, -1).join('');
          else typed += char;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    stderr.write('\n');
  }
}
