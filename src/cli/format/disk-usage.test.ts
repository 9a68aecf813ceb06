// docker's `system df` arithmetic: active counts, sizes and reclaimable space per type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summaryRows, verboseSections } from './disk-usage';

test('the four summary lines count active objects and what could be reclaimed', () => {
  const rows = summaryRows({
    LayersSize: 10_000_000,
    Images: [
      { Id: 'sha256:a', Created: 0, Size: 4_000_000, SharedSize: 0, Containers: 2 },
      { Id: 'sha256:b', Created: 0, Size: 6_000_000, SharedSize: 0, Containers: 0 },
    ],
    Containers: [
      { Id: 'c1', State: 'running', SizeRw: 1000 }, { Id: 'c2', State: 'exited', SizeRw: 3000 }, { Id: 'c3', State: 'paused', SizeRw: -1 },
    ],
    Volumes: [{ Name: 'v1', UsageData: { Size: 500, RefCount: 1 } }, { Name: 'v2', UsageData: { Size: 1500, RefCount: 0 } }, { Name: 'v3', UsageData: { Size: -1, RefCount: 0 } }],
    BuildCache: [{ ID: 'x', Size: 2048, InUse: true }, { ID: 'y', Size: 1024 }, { ID: 'z', Size: 4096, Shared: true }],
  });
  assert.deepEqual(rows.map((r) => r.toJSON()), [
    { Active: '1', Reclaimable: '6MB (60%)', Size: '10MB', TotalCount: '2', Type: 'Images' },
    { Active: '2', Reclaimable: '3kB (75%)', Size: '4kB', TotalCount: '3', Type: 'Containers' },
    { Active: '1', Reclaimable: '1.5kB (75%)', Size: '2kB', TotalCount: '3', Type: 'Local Volumes' },
    { Active: '1', Reclaimable: '1.024kB', Size: '3.072kB', TotalCount: '3', Type: 'Build Cache' },
  ]);
});

test('an empty daemon shows zeros without percentages', () => {
  assert.deepEqual(summaryRows({}).map((r) => `${r.Type} ${r.TotalCount()} ${r.Active()} ${r.Size()} ${r.Reclaimable()}`), [
    'Images 0 0 0B 0B', 'Containers 0 0 0B 0B', 'Local Volumes 0 0 0B 0B', 'Build Cache 0 0 0B 0B',
  ]);
});

test('-v rows: first tag only, no virtual size, starred in-use cache, volumes without usage data as N/A', () => {
  const s = verboseSections({
    Images: [{ Id: 'sha256:' + 'f'.repeat(64), Created: 0, Size: 1_984_000, SharedSize: 0, Containers: 1, RepoTags: ['reg:5000/a/b:1', 'b:2'] },
      { Id: 'sha256:' + 'e'.repeat(64), Created: 0, Size: 1, RepoTags: ['<none>:<none>'] }],
    Containers: [{ Id: 'c'.repeat(64), SizeRw: 2000, SizeRootFs: 9_000_000 }],
    Volumes: [{ Name: 'v', UsageData: null }],
    BuildCache: [{ ID: 'k'.repeat(25), InUse: true, Type: 'regular', LastUsedAt: new Date().toISOString(), CreatedAt: new Date().toISOString() }],
  }, true);
  assert.deepEqual(s.Images.map((i) => [i.Repository, i.Tag, i.ID(), i.UniqueSize()]), [['reg:5000/a/b', '1', 'ffffffffffff', '1.984MB'], ['<none>', '<none>', 'eeeeeeeeeeee', 'N/A']]);
  assert.equal(s.Containers[0].Size(), '2kB');
  assert.deepEqual([s.Volumes[0].Links(), s.Volumes[0].Size()], ['N/A', 'N/A']);
  assert.equal(s.BuildCache[0].ID(), 'kkkkkkkkkkkk*');
});
