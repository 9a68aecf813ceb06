// Helpers the build tests share: a context folder written from a file map.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestDaemon } from './harness';

/** Write `files` (relative path → content) under a new folder `name` in the daemon's test dir; returns the folder. */
export function contextFolder(d: TestDaemon, name: string, files: Record<string, string>): string {
  const dir = path.join(d.dir, name);
  for (const [f, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), body);
  }
  return dir;
}
