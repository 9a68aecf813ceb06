// berth's same-machine `cp` of one regular file: the file handed over as an open fd (/proc/<pid>/fd/<n>) and copied in the kernel, no tar.
import type { FastSource } from '../../archive/fd-handoff';
import { InvalidParameterError } from '../../errors';
import type { PathStat } from './archive-fs';

/** A container's regular file held open for a copy out, until `close()`. */
export interface OpenedFile {
  stat: PathStat;
  source: FastSource;
  close(): void;
}

/** A single name to create in a directory: not empty, `.`, `..`, nor holding a `/` or a NUL. */
export function checkEntryName(name: string): string {
  if (!name || name === '.' || name === '..' || /[/\0]/.test(name)) throw new InvalidParameterError(`fast copy: invalid file name ${JSON.stringify(name)}`);
  return name;
}
