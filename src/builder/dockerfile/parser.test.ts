import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instructionFlags, parseDockerfile, splitWords } from './parser';

test('directives at the top set the escape and syntax; later ones are comments', () => {
  const df = parseDockerfile('# syntax=docker/dockerfile:1\n# escape=`\nFROM x\nRUN a `\n  b\n# escape=\\\n');
  assert.equal(df.escape, '`');
  assert.equal(df.syntax, 'docker/dockerfile:1');
  assert.equal(df.instructions[1]!.original, 'RUN a   b');
  assert.throws(() => parseDockerfile('# escape=x\nFROM a'), /line 1: invalid escape token/);
  assert.throws(() => parseDockerfile('# escape=`\n# escape=`\nFROM a'), /only one escape/);
  assert.equal(parseDockerfile('\n# escape=`\nFROM a').escape, '\\');
});

test('comments and blank lines are skipped, also inside continuations, and lines are counted', () => {
  const df = parseDockerfile('# c\n\nFROM busybox\nRUN echo a \\\n# inner\n\n  && echo b\n  # indented comment\nCMD ["sh"]\n');
  assert.deepEqual(df.instructions.map((i) => [i.cmd, i.line]), [['FROM', 3], ['RUN', 4], ['CMD', 9]]);
  assert.equal(df.instructions[1]!.args[0], 'echo a   && echo b');
  assert.equal(df.warnings.length, 1);
});

test('exec and shell forms', () => {
  const [run, cmd, ent, bad] = parseDockerfile('RUN ["echo","a b"]\ncmd echo $HOME\nENTRYPOINT ["x"]\nCMD [not json]').instructions;
  assert.deepEqual([run!.json, run!.args], [true, ['echo', 'a b']]);
  assert.deepEqual([cmd!.cmd, cmd!.json, cmd!.args], ['CMD', false, ['echo $HOME']]);
  assert.equal(ent!.json, true);
  assert.deepEqual(bad!.args, ['[not json]']);
  assert.throws(() => parseDockerfile('FROM a\nSHELL /bin/bash'), /line 2: SHELL requires the arguments to be in JSON form/);
});

test('unknown instructions and bad arguments name the line', () => {
  assert.throws(() => parseDockerfile('FROM a\n\nFOO bar'), /dockerfile parse error on line 3: unknown instruction: FOO/);
  assert.throws(() => parseDockerfile('FROM a b'), /line 1: FROM requires either one or three/);
  assert.throws(() => parseDockerfile('FROM a\nCOPY onlyone'), /line 2: COPY requires at least two arguments/);
  assert.throws(() => parseDockerfile('FROM a\nENV A'), /line 2: ENV must have two arguments/);
  assert.throws(() => parseDockerfile('FROM a\nENV A=1 B'), /line 2: Syntax error - can't find = in "B"/);
  assert.throws(() => parseDockerfile('FROM a\nONBUILD ONBUILD RUN x'), /Chaining ONBUILD/);
  assert.throws(() => parseDockerfile('FROM a\nRUN'), /line 2: RUN requires at least one argument/);
});

test('ENV, LABEL and ARG keep quoted words; the legacy ENV form takes the rest of the line', () => {
  const [env, legacy, label, arg] = parseDockerfile('ENV A="x y" B=z\\ w\nENV C hello  world\nLABEL "k"="v v"\nARG X Y=1').instructions;
  assert.deepEqual(env!.args, ['A="x y"', 'B=z\\ w']);
  assert.deepEqual(legacy!.args, ['C=hello  world']);
  assert.deepEqual(label!.args, ['"k"="v v"']);
  assert.deepEqual(arg!.args, ['X', 'Y=1']);
  assert.deepEqual(splitWords(`a 'b c' "d\\" e"`, '\\'), ['a', "'b c'", '"d\\" e"']);
});

test('flags are taken before the arguments and checked per instruction', () => {
  const [, copy] = parseDockerfile('FROM a AS b\nCOPY --from=b --chown=1:2 /x /y').instructions;
  assert.deepEqual(copy!.flags, ['--from=b', '--chown=1:2']);
  assert.deepEqual(copy!.args, ['/x', '/y']);
  assert.equal(instructionFlags(copy!, ['from', 'chown', 'chmod']).get('from'), 'b');
  assert.throws(() => instructionFlags(copy!, ['chown']), /line 2: Unknown flag: from/);
});

test('heredocs in RUN and COPY: plain, quoted, tab-stripping, several on one line', () => {
  const df = parseDockerfile([
    'FROM a', 'RUN <<EOF', 'echo $X', 'EOF', 'COPY <<-"END" /f', '\tliteral $X', '\tEND',
    'RUN cat <<A <<B', '1', 'A', '2', 'B', 'CMD x',
  ].join('\n'));
  const [, run, copy, two, cmd] = df.instructions;
  assert.deepEqual(run!.heredocs, [{ name: 'EOF', body: 'echo $X\n', expand: true }]);
  assert.deepEqual(copy!.heredocs, [{ name: 'END', body: 'literal $X\n', expand: false }]);
  assert.deepEqual(copy!.args, ['<<-"END"', '/f']);
  assert.deepEqual(two!.heredocs.map((h) => h.body), ['1\n', '2\n']);
  assert.deepEqual([cmd!.cmd, cmd!.line], ['CMD', 13]);
  assert.throws(() => parseDockerfile('FROM a\nRUN <<EOF\necho'), /line 2: unterminated heredoc EOF/);
  const shift = parseDockerfile('FROM a\nRUN echo $((1<<4)) "<<NOT" 2<<IN\nbody\nIN\nCMD x').instructions;
  assert.deepEqual(shift[1]!.heredocs, [{ name: 'IN', body: 'body\n', expand: true }]);
  assert.equal(shift[2]!.cmd, 'CMD');
});

test('ONBUILD and HEALTHCHECK carry their inner instruction', () => {
  const [, on, hc, none] = parseDockerfile('FROM a\nONBUILD RUN echo hi\nHEALTHCHECK --interval=5s CMD ["true"]\nHEALTHCHECK NONE').instructions;
  assert.equal(on!.sub!.cmd, 'RUN');
  assert.deepEqual(hc!.args, ['CMD', 'true']);
  assert.equal(hc!.json, true);
  assert.deepEqual(hc!.flags, ['--interval=5s']);
  assert.deepEqual(none!.args, ['NONE']);
});
