// digestDir must name exactly the bytes packDir makes (a layer's diffID is checked against its regenerated tar), in every header case.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { digestDir } from './digest-dir';
import { packDir, type PackOptions } from './pack';
import { defaultRunner, type CommandRunner } from './whiteouts';
import { encodeHeader, END_OF_ARCHIVE, padding, type TarEntryType, type TarHeader } from './tar-header';

async function packedDigest(dir: string, opts: PackOptions = {}): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const c of packDir(dir, opts)) {
    hash.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** What tar-stream writes for one entry (header, body of zeros, padding) and the end of the archive. */
async function tarStreamBytes(h: TarHeader): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => { for await (const c of p) chunks.push(c as Buffer); })();
  await new Promise<void>((resolve, reject) => {
    const cb = (err?: Error | null) => (err ? reject(err) : resolve());
    if (h.type === 'file') p.entry({ ...h }, Buffer.alloc(h.size), cb);
    else p.entry({ ...h }, cb);
  });
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

function ours(h: TarHeader): Buffer {
  const size = h.type === 'file' ? h.size : 0;
  return Buffer.concat([encodeHeader(h), Buffer.alloc(size + padding(size)), END_OF_ARCHIVE]);
}

describe('encodeHeader', () => {
  it('writes what tar-stream writes for random names, links, owners, modes, times and sizes', async () => {
    const types: TarEntryType[] = ['file', 'link', 'symlink', 'character-device', 'block-device', 'directory', 'fifo'];
    const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
    const part = () => pick(['a', 'bin', 'x'.repeat(1 + Math.floor(Math.random() * 120)), 'é', '日本', 'sp ace', '.wh.f']);
    const path = () => Array.from({ length: 1 + Math.floor(Math.random() * 6) }, part).join('/');
    for (let i = 0; i < 400; i++) {
      const type = pick(types);
      const h: TarHeader = {
        name: type === 'directory' ? `${path()}/` : path(),
        type,
        mode: pick([0, 0o644, 0o755, 0o4755, 0o7777, Math.floor(Math.random() * 0o10000)]),
        uid: pick([0, 1000, 65534, 262143, 262144, 100000 + Math.floor(Math.random() * 4e9)]),
        gid: pick([0, 1001, 300000]),
        mtime: new Date(pick([0, 1_600_000_000_123, -86_400_000, 8_589_934_592_000, Date.now()])),
        size: type === 'file' ? pick([0, 1, 511, 512, 513, 4097]) : 0,
        ...(type === 'link' || type === 'symlink' ? { linkname: pick(['su', path(), 'ü'.repeat(60)]) } : {}),
        ...(type.endsWith('device') ? { devmajor: pick([0, 1, 259, 4095]), devminor: pick([0, 3, 1048575]) } : {}),
      };
      assert.deepEqual(ours(h), await tarStreamBytes(h), JSON.stringify(h));
    }
  });
});

describe('digestDir', () => {
  let tmp: string;
  before(() => { tmp = mkdtempSync(join(tmpdir(), 'berth-digestdir-')); });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('is the digest and size of packDir for a tree of every kind of entry', async () => {
    const src = join(tmp, 'tree');
    mkdirSync(join(src, 'bin'), { recursive: true });
    for (const n of [0, 1, 511, 512, 513]) writeFileSync(join(src, `f${n}`), randomBytes(n));
    // Larger than one read buffer, and not a multiple of it.
    writeFileSync(join(src, 'big'), randomBytes(9 * 1024 * 1024 + 77));
    writeFileSync(join(src, 'bin/su'), 'x');
    chmodSync(join(src, 'bin/su'), 0o4755);
    chownSync(join(src, 'bin/su'), 300000, 1001);
    linkSync(join(src, 'bin/su'), join(src, 'bin/su-hard'));
    writeFileSync(join(src, 'nomode'), 'n');
    chmodSync(join(src, 'nomode'), 0);
    symlinkSync('su', join(src, 'bin/sh'));
    symlinkSync(`/${'t'.repeat(150)}/ü`, join(src, 'longlink'));
    execFileSync('mkfifo', [join(src, 'fifo')]);
    execFileSync('mknod', [join(src, 'null'), 'c', '1', '3']);
    const deep = join(src, 'd'.repeat(90), 'e'.repeat(90));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'f'.repeat(90)), 'deep');
    writeFileSync(join(src, 'n'.repeat(150)), 'one long name');
    writeFileSync(join(src, 'naïve 日本'), 'utf-8');
    utimesSync(join(src, 'bin'), new Date('1960-01-01'), new Date('1960-01-01'));
    // overlay whiteouts: a char device 0/0 and an opaque directory
    execFileSync('mknod', [join(src, 'gone'), 'c', '0', '0']);
    mkdirSync(join(src, 'opaque'));
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(src, 'opaque')]);

    for (const opts of [{}, { whiteouts: 'overlay' as const }, { prefix: 'root' }, { hardlinks: false }]) {
      const want = await packedDigest(src, opts);
      assert.deepEqual(await digestDir(src, opts), want, JSON.stringify(opts));
    }
    // A single file, as packDir packs one.
    assert.deepEqual(await digestDir(join(src, 'big')), await packedDigest(join(src, 'big')));
  });

  it('asks getfattr for opaque directories only when there is a directory to ask about', async () => {
    const src = join(tmp, 'flat');
    mkdirSync(src);
    writeFileSync(join(src, 'a'), randomBytes(1000));
    const calls: string[] = [];
    const runner: CommandRunner = { run: (cmd, args, o) => { calls.push(cmd); return defaultRunner.run(cmd, args, o); } };
    const flat = await digestDir(src, { whiteouts: 'overlay', runner });
    assert.deepEqual(calls, []);
    assert.deepEqual(flat, await packedDigest(src, { whiteouts: 'overlay', runner }));
    mkdirSync(join(src, 'd'));
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(src, 'd')]);
    const withDir = await digestDir(src, { whiteouts: 'overlay', runner });
    assert.deepEqual(calls, ['getfattr']);
    assert.deepEqual(withDir, await packedDigest(src, { whiteouts: 'overlay', runner }));
    assert.notDeepEqual(withDir, await digestDir(src, { whiteouts: 'none' }), 'the opaque marker is an entry of its own');
  });

  it('fails on a file that shrinks while it is read, and on abort', async () => {
    const src = join(tmp, 'shrink');
    mkdirSync(src);
    const f = join(src, 'f');
    writeFileSync(f, randomBytes(12 * 1024 * 1024));
    // The walk has taken the file's size when the filter is asked: cut it then.
    const shrinking = { include: () => { truncateSync(f, 1024); return true; }, descend: () => true };
    await assert.rejects(digestDir(src, { filter: shrinking }), /shrank/);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(digestDir(src, { signal: ac.signal }), /stop/);
  });
});
