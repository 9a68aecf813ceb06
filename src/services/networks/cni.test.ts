import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Host, RunOptions, RunResult } from '../../host';
import { CniExec } from './cni';

/** Records each plugin call and answers from a script keyed by "TYPE COMMAND". */
class RecordingHost implements Host {
  readonly calls: Array<{ cmd: string; conf: Record<string, unknown>; env: NodeJS.ProcessEnv }> = [];
  constructor(private readonly answers: Record<string, RunResult>) {}
  async run(cmd: string, _args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const conf = JSON.parse(String(opts.input));
    this.calls.push({ cmd, conf, env: opts.env ?? {} });
    return this.answers[`${conf.type} ${opts.env?.CNI_COMMAND}`] ?? { code: 0, stdout: '', stderr: '' };
  }
  async mount(): Promise<void> {}
  async unmount(): Promise<void> {}
}

const target = { containerId: 'c'.repeat(64), netns: '/x/netns/c', ifname: 'eth0', args: 'IgnoreUnknown=1;IP=10.0.0.5' };
const bridgeResult = { cniVersion: '1.0.0', ips: [{ address: '10.0.0.5/24', gateway: '10.0.0.1' }] };

test('ADD chains the plugins: each gets the previous result, with the CNI variables set', async () => {
  const host = new RecordingHost({ 'bridge ADD': { code: 0, stdout: JSON.stringify(bridgeResult), stderr: '' } });
  const result = await new CniExec(host, '/opt/cni').add('net1', [{ type: 'bridge' }, { type: 'portmap' }], target);
  assert.deepEqual(host.calls.map((c) => c.cmd), ['/opt/cni/bridge', '/opt/cni/portmap']);
  assert.equal(host.calls[0].conf.prevResult, undefined);
  assert.deepEqual(host.calls[1].conf.prevResult, bridgeResult);
  assert.equal(host.calls[1].conf.name, 'net1');
  const env = host.calls[0].env;
  assert.deepEqual([env.CNI_COMMAND, env.CNI_CONTAINERID, env.CNI_NETNS, env.CNI_IFNAME, env.CNI_PATH, env.CNI_ARGS],
    ['ADD', target.containerId, target.netns, 'eth0', '/opt/cni', target.args]);
  assert.deepEqual(result, bridgeResult, 'portmap printed nothing: the bridge result stands');
});

test('DEL runs in reverse order, asks every plugin even after a failure, then reports the CNI error', async () => {
  const host = new RecordingHost({ 'portmap DEL': { code: 1, stdout: JSON.stringify({ code: 999, msg: 'iptables broke', details: 'exit 4' }), stderr: '' } });
  await assert.rejects(new CniExec(host).del('net1', [{ type: 'bridge' }, { type: 'portmap' }], target, bridgeResult),
    /CNI portmap DEL for cccccccccccc on net1: iptables broke: exit 4/);
  assert.deepEqual(host.calls.map((c) => c.conf.type), ['portmap', 'bridge']);
  assert.ok(host.calls.every((c) => JSON.stringify(c.conf.prevResult) === JSON.stringify(bridgeResult)));
});
