// Overlayfs's on-disk whiteout format and its tar (AUFS-style `.wh.`) spelling, in one place.
import type { RunOptions, RunResult } from '../host/process';
import { runCommand } from '../host/process';

/** Prefix of a whiteout entry in a layer tar: `.wh.<name>` deletes `<name>` from lower layers. */
export const WHITEOUT_PREFIX = '.wh.';
/** Name of the entry that marks its directory opaque (lower layers' contents hidden). */
export const OPAQUE_MARKER = '.wh..wh..opq';
/** Prefix of AUFS metadata entries (`.wh..wh.plnk`, …) that carry no meaning for overlay. */
export const WHITEOUT_META_PREFIX = '.wh..wh.';
/** The xattr overlayfs reads to treat a directory in an upper/lower layer as opaque. */
export const OPAQUE_XATTR = 'trusted.overlay.opaque';

/** What the archive code needs to run helper programs (mknod, setfattr, getfattr); `LinuxHost` fits. */
export interface CommandRunner {
  run(cmd: string, args: string[], opts?: RunOptions): Promise<RunResult>;
}

export const defaultRunner: CommandRunner = { run: runCommand };

/** Make overlayfs's whiteout at `path`: a character device 0/0. */
export async function makeWhiteout(runner: CommandRunner, path: string): Promise<void> {
  await runner.run('mknod', ['-m', '0', '--', path, 'c', '0', '0']);
}

/** Mark directory `path` opaque for overlayfs (never following a symlink). */
export async function markOpaque(runner: CommandRunner, path: string): Promise<void> {
  await runner.run('setfattr', ['-h', '-n', OPAQUE_XATTR, '-v', 'y', '--', path]);
}

/** Undo getfattr's octal escapes (`\012`, `\\`) in a printed file name. */
function unescapeGetfattr(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && /^[0-7]{3}$/.test(s.slice(i + 1, i + 4))) {
      bytes.push(parseInt(s.slice(i + 1, i + 4), 8));
      i += 3;
    } else if (s[i] === '\\' && s[i + 1] === '\\') {
      bytes.push(0x5c);
      i += 1;
    } else {
      bytes.push(...Buffer.from(s[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Absolute paths of every directory under `dir` (itself included) marked
 * opaque, found with one recursive getfattr that never follows symlinks.
 */
export async function findOpaqueDirs(runner: CommandRunner, dir: string): Promise<Set<string>> {
  // -d -m lists only files carrying the attribute, so output stays small on big trees.
  const r = await runner.run('getfattr', ['-R', '-P', '--absolute-names', '-d', '-m', '^trusted\\.overlay\\.opaque$', '--', dir], { allowFailure: true, timeoutMs: 300_000 });
  const out = new Set<string>();
  let file: string | undefined;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('# file: ')) file = unescapeGetfattr(line.slice('# file: '.length));
    else if (file !== undefined && line.startsWith(`${OPAQUE_XATTR}=`)) {
      if (line.slice(OPAQUE_XATTR.length + 1) === '"y"') out.add(file);
    } else if (line === '') file = undefined;
  }
  return out;
}
