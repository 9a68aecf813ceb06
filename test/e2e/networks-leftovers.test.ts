// Published ports leave nothing global: in a network namespace of its own, a daemon that published ports (across a
// restart and a crash) leaves every iptables table and the links exactly as it found them once it is cleaned up.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeBusybox, run, startDaemon, unmountUnder, type TestDaemon } from './harness';
import { eventually } from './net-helpers';
import { inNetns } from './net-cleanup';

const dir = mkdtempSync('/tmp/berth-e2e-netns-');
const ns = path.join(dir, 'net');
/** An address of the namespace's "host" besides 127.0.0.1 (TEST-NET-1, on lo). */
const HOST_ADDR = '192.0.2.10';
let d: TestDaemon | undefined;

after(async () => {
  await d?.cleanup();
  unmountUnder(dir);
  rmSync(dir, { recursive: true, force: true });
});

/** Every table's rules and chains, counters and comments stripped: table → sorted lines. */
function iptablesState(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let table = '';
  for (const line of inNetns(ns, 'iptables-save', []).split('\n')) {
    if (!line || line.startsWith('#') || line === 'COMMIT') continue;
    if (line.startsWith('*')) { table = line.slice(1); out[table] = []; continue; }
    out[table].push(line.replace(/ \[\d+:\d+\]$/, ''));
  }
  for (const t of Object.keys(out)) out[t].sort();
  return out;
}

const links = () => inNetns(ns, 'ip', ['-o', 'link', 'show']).split('\n').filter(Boolean).map((l) => l.split(':')[1].trim()).sort();

async function fetchIn(url: string): Promise<string> {
  const r = await run('nsenter', [`--net=${ns}`, 'wget', '-qO-', '-T', '3', url]);
  if (r.code !== 0) throw new Error(`wget ${url}: ${r.stderr}`);
  return r.stdout;
}

test('published ports survive a restart and a crash, and leave no iptables rule, chain or link behind in any table', async () => {
  writeFileSync(ns, '');
  execFileSync('unshare', [`--net=${ns}`, 'true']);
  inNetns(ns, 'ip', ['-batch', '-'], { input: `link set lo up\naddr add ${HOST_ADDR}/32 dev lo\n` });
  // Make the tables exist, as on any host, so that what is compared is rules and chains, not nf_tables' lazy tables.
  for (const table of ['filter', 'nat', 'raw', 'mangle']) {
    inNetns(ns, 'iptables', ['-w', '-t', table, '-N', 'PRIME']);
    inNetns(ns, 'iptables', ['-w', '-t', table, '-X', 'PRIME']);
  }
  const before = { iptables: iptablesState(), links: links() };

  d = await startDaemon({ netns: ns });
  await makeBusybox(d);
  const portChain = `BERTH-${d.bridge}-DNAT`;
  const web = await d.docker(['run', '-d', '--name', 'web', '-p', '18680:80', '-p', '127.0.0.1:18681:80', 'busybox', 'sh', '-c', 'echo left > /i.html; httpd -f -p 80 -h /']);
  assert.equal(web.code, 0, web.stderr);
  const served = async (what: string) => {
    assert.equal(await eventually(() => fetchIn('http://127.0.0.1:18680/i.html')), 'left\n', `127.0.0.1 ${what}`);
    assert.equal(await fetchIn(`http://${HOST_ADDR}:18680/i.html`), 'left\n', `the host address ${what}`);
    assert.equal(await fetchIn('http://127.0.0.1:18681/i.html'), 'left\n', `a port on 127.0.0.1 only ${what}`);
  };
  await served('with the daemon up');
  const peer = await d.docker(['run', '--rm', 'busybox', 'wget', '-qO-', `http://${HOST_ADDR}:18680/i.html`]);
  assert.equal(peer.stdout, 'left\n', `another container through the host address: ${peer.stderr}`);
  await assert.rejects(fetchIn(`http://${HOST_ADDR}:18681/i.html`), 'a port published on 127.0.0.1 does not answer on other addresses');
  const programmed = iptablesState();
  assert.ok(programmed.nat.includes(`:${portChain} -`), 'the daemon\'s port chain exists while a port is published');
  assert.deepEqual(Object.values(programmed).flat().filter((l) => l.includes('CNI-')), [], 'no CNI plugin chain');

  await d.stop();
  await served('while the daemon is stopped');
  await d.restart();
  await served('after a restart');
  await d.kill9();
  await served('while the daemon is dead');
  await d.restart();
  await served('after a crash');

  assert.equal((await d.docker(['network', 'create', 'leftover'])).code, 0);
  const onUser = await d.docker(['run', '-d', '--network', 'leftover', '-p', '18682:80', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/']);
  assert.equal(onUser.code, 0, onUser.stderr);
  assert.equal((await d.docker(['rm', '-f', 'web', onUser.stdout.trim()])).code, 0);
  assert.equal((await d.docker(['network', 'rm', 'leftover'])).code, 0);
  const idle = Object.values(iptablesState()).flat();
  assert.deepEqual(idle.filter((l) => l.includes(portChain)), [], 'the port chain and its jumps go with the last published port');

  await d.stop();
  await d.cleanup();
  assert.deepEqual({ iptables: iptablesState(), links: links() }, before);
});
