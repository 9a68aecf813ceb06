import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextPage } from './tags';

test('the next tag page is followed only on the same repository list', () => {
  assert.equal(nextPage('</v2/a/b/tags/list?last=x&n=50>; rel="next"', 'a/b'), '/v2/a/b/tags/list?last=x&n=50');
  assert.equal(nextPage(undefined, 'a/b'), undefined);
  assert.equal(nextPage('</v2/a/b/tags/list?last=x>; rel="prev"', 'a/b'), undefined);
  assert.equal(nextPage('<https://evil.example/v2/a/b/tags/list?last=x>; rel="next"', 'a/b'), undefined);
  assert.equal(nextPage('</v2/other/tags/list?last=x>; rel="next"', 'a/b'), undefined);
});
