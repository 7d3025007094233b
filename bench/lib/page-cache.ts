/**
 * Dropping the kernel's page cache between steps, so each tool reads its input from disk rather than from
 * memory the previous step warmed. This needs root (and a kernel that lets this container write
 * `/proc/sys/vm/drop_caches`); where it cannot, the benchmark runs warm for every tool alike and says so.
 * On a virtual machine the host may still cache the disk: "cold" means cold as far as this kernel knows.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/** Flushes dirty pages and drops the page cache, dentries and inodes. Returns false if the kernel refused. */
export function dropPageCache(): boolean {
  spawnSync('sync');
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3\n');
    return true;
  } catch {
    return false;
  }
}
