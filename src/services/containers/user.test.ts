import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveUser } from './user';

const files: Record<string, string> = {
  '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\nweb:x:1000:1000::/srv:/bin/sh\n',
  '/etc/group': 'root:x:0:\nwheel:x:10:web\nweb:x:1000:\nnogroup:x:65534:\n',
};
const read = async (p: string) => files[p];

test('names, numbers and name:group resolve against passwd and group', async () => {
  assert.deepEqual(await resolveUser('', read), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
  assert.deepEqual(await resolveUser('web', read), { uid: 1000, gid: 1000, additionalGids: [10], home: '/srv' });
  assert.equal((await resolveUser('nobody:wheel', read)).gid, 10);
  assert.deepEqual(await resolveUser('4242:7', read), { uid: 4242, gid: 7, additionalGids: [], home: '/' });
});

test('an unknown user name is refused with Docker wording', async () => {
  await assert.rejects(resolveUser('ghost', read), /unable to find user ghost: no matching entries in passwd file/);
  await assert.rejects(resolveUser('web:ghosts', read), /unable to find group ghosts/);
});
