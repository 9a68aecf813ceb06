// Is it a tar archive (maybe compressed)? Docker's test for ADD's local archives and for a build context on stdin.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { DETECT_BYTES, decompressed, detectCompression, peek } from './decompress';

const BLOCK = 512;

/**
 * True when `block` is a tar header Go's archive/tar would read: 512 bytes,
 * not all zero, whose checksum field matches the sum of its bytes (the field
 * itself counted as spaces; the unsigned sum or the signed one old tars wrote).
 */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < BLOCK) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '').replace(/\0.*$/, '');
  if (!/^[0-7]+$/.test(field)) return false;
  const want = parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return want === unsigned || want === signed;
}

/** What the docker CLI takes for an archive from its first bytes (give it 1024): any compressed stream, or a tar header. */
export function looksLikeArchive(head: Buffer): boolean {
  return detectCompression(head.subarray(0, DETECT_BYTES)) !== 'none' || isTarHeader(head.subarray(0, BLOCK));
}

/**
 * Whether ADD unpacks the local file `path`, by moby's rule: decompressed
 * (gzip, bzip2, xz, zstd or plain), it starts with a tar header. Only its
 * head is inflated; a file that fails to decompress is not an archive (it is
 * copied as it is, as Docker does).
 */
export async function isArchiveFile(path: string): Promise<boolean> {
  const file = createReadStream(path, { highWaterMark: 64 * 1024 });
  let plain: Readable = file;
  try {
    plain = await decompressed(file);
    return isTarHeader(await peek(plain, BLOCK));
  } catch {
    return false;
  } finally {
    plain.destroy();
    file.destroy();
  }
}
