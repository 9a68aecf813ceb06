// This boot's ID: what a store compares with to tell whether files written without fsync may have been lost in a crash since.
import { readFileSync } from 'node:fs';

/** The kernel's boot ID ('' where it cannot be read, so every check then treats files as possibly lost). */
export function kernelBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}
