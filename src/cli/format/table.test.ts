// Tabwriter alignment and table/header rendering match docker's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tabwrite } from './table';
import { formatRows } from './formatter';

test('columns are as wide as the widest cell plus 3, at least 10', () => {
  const out = tabwrite('CONTAINER ID\tIMAGE\tNAMES\n1e76a477ddca\tbusybox\tt1\n');
  assert.equal(out, 'CONTAINER ID   IMAGE     NAMES\n1e76a477ddca   busybox   t1\n');
});

test('empty cells still pad and the last cell is never padded', () => {
  const out = tabwrite('A\tPORTS\tNAMES\nx\t\tn\n');
  assert.equal(out, 'A         PORTS     NAMES\nx                   n\n');
});

test('a line without tabs ends the column block', () => {
  assert.equal(tabwrite('a\tb\nlonger-than-ten-chars\nccc\td\n'), 'a         b\nlonger-than-ten-chars\nccc       d\n');
});

test('table formats render a header row from the labels', () => {
  const rows = [{ ID: () => 'abc', Names: () => 'web' }];
  assert.equal(formatRows('table {{.ID}}\\t{{.Names}}', rows, { ID: 'CONTAINER ID', Names: 'NAMES' }),
    'CONTAINER ID   NAMES\nabc            web\n');
  assert.equal(formatRows('{{.ID}}:{{.Names}}', rows, {}), 'abc:web\n');
  assert.equal(formatRows('table {{.ID}}', [], { ID: 'CONTAINER ID' }), 'CONTAINER ID\n');
});
