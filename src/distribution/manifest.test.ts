// Tests of manifest parsing limits and platform selection.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MANIFEST_BYTES, MEDIA, parseManifest, parsePlatform, selectPlatform, type ImageIndex } from './manifest';

const d = (c: string) => `sha256:${c.repeat(64)}`;

describe('manifests', () => {
  it('parses schema 2 manifests and indexes, refusing schema 1, junk and oversize bodies', () => {
    const m = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.dockerManifest, config: { digest: d('a'), size: 1 }, layers: [{ digest: d('b'), size: 2, mediaType: MEDIA.dockerLayerGzip }] })));
    assert.equal(m.kind, 'manifest');
    const i = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] })), MEDIA.ociIndex);
    assert.equal(i.kind, 'index');
    assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}')), /schema 1/);
    assert.throws(() => parseManifest(Buffer.from('nope')), /not JSON/);
    assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: '../x', size: 1 }, layers: [] }))), /invalid config descriptor/);
    assert.throws(() => parseManifest(Buffer.alloc(MAX_MANIFEST_BYTES + 1)), /too big/);
  });

  it('selects the platform asked for, variant-aware, and says so when there is none', () => {
    const index: ImageIndex = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [
      { mediaType: MEDIA.ociManifest, digest: d('1'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
      { mediaType: MEDIA.ociManifest, digest: d('2'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { mediaType: MEDIA.ociManifest, digest: d('3'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    ] };
    const host = { os: 'linux', architecture: 'amd64' };
    assert.equal(selectPlatform(index, parsePlatform(undefined, host)).digest, d('3'));
    assert.equal(selectPlatform(index, parsePlatform('linux/arm/v7', host)).digest, d('2'));
    assert.throws(() => selectPlatform(index, parsePlatform('linux/s390x', host)), /no matching manifest for linux\/s390x/);
    assert.throws(() => parsePlatform('linux', host), /invalid platform/);
  });
});
