/**
 * The built server (`holdfast-server serve` from `packages/server/dist/cli.js`) in a child process of its
 * own, so the load generator and the server never share an event loop. It listens on a free port
 * (`HOLDFAST_PORT=0`; the address is read from its start-up banner), logs at `warn` (the default `info`
 * writes one JSON line per request), and its stdout and stderr go to a log file. Its CPU time is read
 * from `/proc/<pid>/stat`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';

/** A running server. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** CPU time (user + system, every thread) the process has used so far, in milliseconds. */
  cpuMs(): number;
  /** Stops it (SIGTERM: a graceful shutdown; SIGKILL after 15 s) and waits for it to exit. */
  stop(): Promise<void>;
}

const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU milliseconds of a process from `/proc/<pid>/stat` (utime + stime). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / clockTicks;
}

/** CPU milliseconds used so far by each running process named `name` (e.g. `postgres`), by pid. */
export function processesCpuMs(name: string): ReadonlyMap<number, number> {
  const times = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === name) {
        times.set(Number(entry), processCpuMs(Number(entry)));
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  return times;
}

/**
 * CPU milliseconds the processes of `after` used since `before` (a process new since then counts in
 * full). A process that ended in between takes its time with it: PostgreSQL backends live as long as
 * the server's pool keeps their connections (idle ones close after 10 s).
 */
export function cpuMsSince(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** Busy and total CPU time of the whole machine so far (`/proc/stat`, every CPU), in milliseconds. */
export function machineCpu(): { readonly busyMs: number; readonly totalMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busyMs: ((total - idle) * 1000) / clockTicks, totalMs: (total * 1000) / clockTicks };
}

/** The share of the machine's CPUs busy over the next `ms` milliseconds (0..1). */
export async function machineBusy(ms: number): Promise<number> {
  const before = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineCpu();
  return (after.busyMs - before.busyMs) / (after.totalMs - before.totalMs);
}

/** Settings of the server that the environment may already carry: cleared, so only the bench's apply. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('HOLDFAST_') || name === 'DATABASE_URL') Reflect.deleteProperty(env, name);
  }
  return env;
}

/**
 * Starts `node <cli> serve` with `settings` (environment variables) added to a clean environment, and
 * waits for its banner (30 s at most).
 */
export async function startServer(
  cli: string,
  settings: Readonly<Record<string, string>>,
  logFile: string,
): Promise<ServerProcess> {
  const log = createWriteStream(logFile);
  await once(log, 'open');
  const child: ChildProcess = spawn(process.execPath, [cli, 'serve'], {
    env: { ...cleanEnvironment(), HOLDFAST_PORT: '0', HOLDFAST_LOG_LEVEL: 'warn', ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the server did not start');
  // 'close': the process has exited and its output is all read.
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      resolve([code, signal]);
    });
  });

  const url = await new Promise<string>((resolve, reject) => {
    let banner = '';
    const timer = setTimeout(() => {
      reject(new Error(`the server printed no address within 30 s; see ${logFile}`));
    }, 30_000);
    child.once('error', reject);
    child.stderr?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      banner += chunk.toString('utf8');
      const address = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
      if (address !== undefined) {
        clearTimeout(timer);
        resolve(address);
      }
    });
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${String(code ?? signal)}) before listening; see ${logFile}`));
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    url,
    pid,
    cpuMs: () => processCpuMs(pid),
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(killer);
        }
        log.end();
        await once(log, 'close');
      })();
      return stopping;
    },
  };
}
