import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMountPath, isMountPoint, mountPointOfType, mountPoints } from './mount-table';

const SAMPLE = [
  '22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw',
  '97 22 0:45 / /var/lib/berth/x/rootfs/abc rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w',
  '98 22 0:46 / /mnt/with\\040space\\011tab rw - tmpfs tmpfs rw',
  '',
].join('\n');

test('mount points are read from the fifth mountinfo field, octal escapes decoded', () => {
  assert.deepEqual(mountPoints(SAMPLE), ['/', '/var/lib/berth/x/rootfs/abc', '/mnt/with space\ttab']);
  assert.equal(decodeMountPath('a\\134b'), 'a\\b');
});

test('the root is a mount point and a fresh temp path is not', async () => {
  assert.equal(await isMountPoint('/'), true);
  assert.equal(await isMountPoint(`/tmp/berth-not-mounted-${process.pid}`), false);
});

test('the mount point of a filesystem type is the first line whose type (after " - ") matches', () => {
  const hybrid = `${SAMPLE}41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n42 31 0:39 / /other rw - cgroup2 cgroup2 rw\n`;
  assert.equal(mountPointOfType(hybrid, 'cgroup2'), '/sys/fs/cgroup/unified');
  assert.equal(mountPointOfType(hybrid, 'tmpfs'), '/mnt/with space\ttab');
  assert.equal(mountPointOfType(SAMPLE, 'cgroup2'), undefined);
});
