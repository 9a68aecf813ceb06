import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processWord } from './shell-lex';

const vars = new Map([['A', 'a'], ['EMPTY', ''], ['SP', 'x y'], ['PATHV', '/usr/local/bin']]);
const v = (s: string, esc = '\\') => processWord(s, vars, esc).value;

test('plain and braced variables expand; unset ones are empty', () => {
  assert.equal(v('$A-${A}-$NOPE-${NOPE}'), 'a-a--');
  assert.equal(v('$'), '$');
  assert.equal(v('a$'), 'a$');
  assert.equal(v('$1x'), 'x');
});

test('the default and alternative modifiers follow Docker (with and without colon)', () => {
  assert.equal(v('${NOPE:-def}'), 'def');
  assert.equal(v('${EMPTY:-def}'), 'def');
  assert.equal(v('${EMPTY-def}'), '');
  assert.equal(v('${NOPE-def}'), 'def');
  assert.equal(v('${A:-def}'), 'a');
  assert.equal(v('${A:+alt}'), 'alt');
  assert.equal(v('${EMPTY:+alt}'), '');
  assert.equal(v('${EMPTY+alt}'), 'alt');
  assert.equal(v('${NOPE+alt}'), '');
  assert.equal(v('${NOPE:-$A}'), 'a');
  assert.throws(() => v('${NOPE:?must be set}'), /NOPE: must be set/);
  assert.equal(v('${PATHV#*/}'), 'usr/local/bin');
  assert.equal(v('${PATHV##*/}'), 'bin');
  assert.equal(v('${PATHV%/*}'), '/usr/local');
});

test('quotes: single literal, double expands; escapes as Docker', () => {
  assert.equal(v("'$A'"), '$A');
  assert.equal(v('"$A b"'), 'a b');
  assert.equal(v('\\$A'), '$A');
  assert.equal(v('"\\$A"'), '$A');
  assert.equal(v('"a\\b"'), 'a\\b');
  assert.equal(v('a\\ b'), 'a b');
  assert.equal(v('`$A', '`'), '$A');
  assert.equal(v('C:\\dir', '`'), 'C:\\dir');
  assert.throws(() => v('"open'), /double-quote/);
  assert.throws(() => v("'open"), /single-quote/);
  assert.throws(() => v('${A'), /matching \}/);
  assert.throws(() => v('${:-x}'), /missing variable name/);
});

test('words split on unquoted whitespace, expanded whitespace splits too', () => {
  assert.deepEqual(processWord('a "b c" $SP \'\'', vars).words, ['a', 'b c', 'x', 'y', '']);
  assert.deepEqual(processWord('"$SP"', vars).words, ['x y']);
});

test('the variables read are reported', () => {
  assert.deepEqual([...processWord('$A ${B:-$C} \\$D \'$E\'', vars).used].sort(), ['A', 'B', 'C']);
});
