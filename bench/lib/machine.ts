/**
 * The facts about the machine a benchmark ran on, recorded with every result so numbers from different
 * machines are never compared by accident.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';

/** The machine a benchmark ran on. */
export interface MachineInfo {
  /** Logical CPUs the process may use (what `nproc` prints). */
  readonly cpus: number;
  /** The CPU model from `/proc/cpuinfo`, or `unknown`. */
  readonly cpuModel: string;
  /** Physical memory in bytes. */
  readonly memoryBytes: number;
  /** The kernel release. */
  readonly kernel: string;
  /** The Node version the harness ran on (also the engine's, which runs under the same Node). */
  readonly node: string;
}

/** Describes this machine. */
export function describeMachine(): MachineInfo {
  return {
    cpus: availableParallelism(),
    cpuModel: readCpuModel(),
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
  };
}

/** One line for a results header: `2 CPUs (AMD EPYC), 23.5 GiB RAM, Linux 6.1, Node v24.21.0`. */
export function formatMachine(machine: MachineInfo): string {
  const memoryGiB = (machine.memoryBytes / 1024 ** 3).toFixed(1);
  return `${machine.cpus} CPUs (${machine.cpuModel}), ${memoryGiB} GiB RAM, Linux ${machine.kernel}, Node ${machine.node}`;
}

function readCpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
