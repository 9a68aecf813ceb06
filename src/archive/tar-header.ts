// The header blocks of one tar entry, byte for byte as tar-stream's pack() writes them (ustar, PAX for what ustar cannot hold).
// A layer's diffID is the digest of those bytes: digestDir hashes a tree without a stream and must agree with packDir exactly
// (tar-header.test.ts checks every case against tar-stream).

export type TarEntryType = 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo';

export interface TarHeader {
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  size: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

const BLOCK = 512;
const TYPEFLAG: Record<TarEntryType | 'pax', number> = {
  file: 0, link: 1, symlink: 2, 'character-device': 3, 'block-device': 4, directory: 5, fifo: 6, pax: 72,
};

/** `n` octal digits and a space; all sevens when the value does not fit. */
function octal(value: number, digits: number): string {
  const s = value.toString(8);
  return s.length > digits ? `${'7'.repeat(digits)} ` : `${s.padStart(digits, '0')} `;
}

/** ustar's name/prefix split (leading directories move to the prefix); undefined when the name needs PAX. */
function splitName(full: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(full) !== full.length) return undefined; // not ASCII
  let name = full;
  let prefix = '';
  while (name.length > 100) {
    const i = name.indexOf('/');
    if (i === -1) return undefined;
    prefix += prefix ? `/${name.slice(0, i)}` : name.slice(0, i);
    name = name.slice(i + 1);
  }
  if (prefix.length > 155) return undefined;
  return { name, prefix };
}

interface Fields extends Omit<TarHeader, 'type'> {
  typeflag: number;
  prefix: string;
}

function block(f: Fields): Buffer {
  const buf = Buffer.alloc(BLOCK);
  buf.write(f.name, 0);
  buf.write(octal(f.mode & 0o7777, 6), 100);
  buf.write(octal(f.uid, 6), 108);
  buf.write(octal(f.gid, 6), 116);
  if (f.size.toString(8).length > 11) {
    // base-256 for sizes of 8 GiB and more
    buf[124] = 0x80;
    let n = f.size;
    for (let i = 11; i > 0; i--) {
      buf[124 + i] = n & 0xff;
      n = Math.floor(n / 0x100);
    }
  } else {
    buf.write(octal(f.size, 11), 124);
  }
  buf.write(octal((f.mtime.getTime() / 1000) | 0, 11), 136);
  buf[156] = 0x30 + f.typeflag;
  if (f.linkname) buf.write(f.linkname, 157);
  buf.write('ustar\x0000', 257, 'latin1');
  buf.write(octal(f.devmajor || 0, 6), 329);
  buf.write(octal(f.devminor || 0, 6), 337);
  if (f.prefix) buf.write(f.prefix, 345);
  let sum = 8 * 0x20; // the checksum field counts as spaces
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += buf[i]!;
  buf.write(octal(sum, 6), 148);
  return buf;
}

/** A PAX record: `<length> <key>=<value>\n`, the length counting its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const len = Buffer.byteLength(body);
  let digits = String(len).length;
  if (len + digits >= 10 ** digits) digits++;
  return `${len + digits}${body}`;
}

/** Zero bytes that pad `size` bytes of body to a whole block. */
export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest ? BLOCK - rest : 0;
}

/**
 * The bytes before an entry's body (its body, then `padding(size)` zeros,
 * follow). As tar-stream: a zero mode becomes 0755/0644, a symlink has no
 * size, and an entry ustar cannot name gets a PAX header, with the quirk that
 * both its headers are named `PaxHeader`.
 */
export function encodeHeader(h: TarHeader): Buffer {
  const size = h.type === 'symlink' ? 0 : h.size || 0;
  const mode = h.mode || (h.type === 'directory' ? 0o755 : 0o644);
  const base = { mode, uid: h.uid || 0, gid: h.gid || 0, mtime: h.mtime, devmajor: h.devmajor, devminor: h.devminor };
  const split = splitName(h.name);
  if (split && !(h.linkname && Buffer.byteLength(h.linkname) > 100)) {
    return block({ ...base, ...split, size, linkname: h.linkname, typeflag: TYPEFLAG[h.type] });
  }
  const pax = Buffer.from((h.name ? paxRecord('path', h.name) : '') + (h.linkname ? paxRecord('linkpath', h.linkname) : ''));
  const linkname = h.linkname ? 'PaxHeader' : undefined;
  return Buffer.concat([
    block({ ...base, name: 'PaxHeader', prefix: '', size: pax.length, linkname, typeflag: TYPEFLAG.pax }),
    pax,
    Buffer.alloc(padding(pax.length)),
    block({ ...base, name: 'PaxHeader', prefix: '', size, linkname, typeflag: TYPEFLAG[h.type] }),
  ]);
}

/** What ends a tar: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);
