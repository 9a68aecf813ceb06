// This boot's ID, and a delayed job: how stores that skip fsync tell whether a crash may have lost files, and sync them a while later.
import { readFileSync } from 'node:fs';

/** The kernel's boot ID ('' where it cannot be read, so every check then treats files as possibly lost). */
export function kernelBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** A job run once, `delayMs` after the first schedule() since it last ran; its timer never keeps the process up, its failure is left for the next run. */
export class DelayedRun {
  private timer?: NodeJS.Timeout;

  constructor(private readonly delayMs: number, private readonly job: () => Promise<void>) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.job().catch(() => undefined);
    }, this.delayMs);
    this.timer.unref();
  }
}
