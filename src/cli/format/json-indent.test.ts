// inspect's JSON indentation matches Go's json.Indent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indentJson } from './json-indent';

test('re-indents like Go json.Indent with four spaces, keeping empty containers compact', () => {
  assert.equal(indentJson('[{"a":1,"b":[],"c":{},"d":"x, {y}: \\"z\\""}]'),
    '[\n    {\n        "a": 1,\n        "b": [],\n        "c": {},\n        "d": "x, {y}: \\"z\\""\n    }\n]');
});

test('values are passed through byte for byte', () => {
  assert.equal(indentJson('{"n":1.50,"u":"\\u003c"}'), '{\n    "n": 1.50,\n    "u": "\\u003c"\n}');
});
