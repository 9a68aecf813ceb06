// The offline base image: a busybox root filesystem tar made from the host's busybox-static.
import { createReadStream, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { pack, type Pack } from 'tar-stream';
import { Readable } from 'node:stream';

export const BUSYBOX_PATH = '/bin/busybox';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nbin:x:2:2:bin:/bin:/bin/false\nsys:x:3:3:sys:/dev:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\n';
const GROUP = 'root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\ntty:x:5:\ndisk:x:6:\nwheel:x:10:root\nwww-data:x:33:\nusers:x:100:\nnogroup:x:65534:\n';
const DIRS: Array<[string, number]> = [
  ['bin', 0o755], ['dev', 0o755], ['etc', 0o755], ['home', 0o755], ['proc', 0o555], ['root', 0o700],
  ['sys', 0o555], ['tmp', 0o1777], ['usr', 0o755], ['usr/sbin', 0o755], ['var', 0o755], ['var/spool', 0o755],
  ['var/spool/mail', 0o755], ['var/www', 0o755],
];

/** The applet names this busybox binary provides (from `busybox --list`). */
export function busyboxApplets(binary = BUSYBOX_PATH): string[] {
  return execFileSync(binary, ['--list']).toString().split('\n').filter((a) => /^[\w.[-]+$/.test(a) && a !== 'busybox');
}

/** A tar stream of a minimal busybox root filesystem: /bin/busybox, one symlink per applet, /etc/passwd and /etc/group. */
export function busyboxRootfsTar(binary = BUSYBOX_PATH): Readable {
  const tar = pack();
  const mtime = new Date(statSync(binary).mtimeMs);
  void (async () => {
    try {
      for (const [name, mode] of DIRS) tar.entry({ name: `${name}/`, type: 'directory', mode, mtime });
      await addFile(tar, 'bin/busybox', binary, mtime);
      for (const applet of busyboxApplets(binary)) {
        tar.entry({ name: `bin/${applet}`, type: 'symlink', linkname: 'busybox', mode: 0o777, mtime });
      }
      tar.entry({ name: 'etc/passwd', mode: 0o644, mtime }, PASSWD);
      tar.entry({ name: 'etc/group', mode: 0o644, mtime }, GROUP);
      tar.finalize();
    } catch (err) {
      tar.destroy(err as Error);
    }
  })();
  // tar-stream's Pack is a streamx stream; callers get a Node Readable.
  return Readable.from(tar);
}

function addFile(tar: Pack, name: string, source: string, mtime: Date): Promise<void> {
  const size = statSync(source).size;
  return new Promise((resolve, reject) => {
    const entry = tar.entry({ name, size, mode: 0o755, mtime }, (err) => (err ? reject(err) : resolve()));
    createReadStream(source).on('error', reject).pipe(entry);
  });
}
