// The Go template subset renders like text/template with docker's functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GoTemplate, renderTemplate } from './go-template';

const inspect = { Id: 'abc', State: { Status: 'running', Pid: 42, Running: true }, Config: { Env: ['A=1', 'B=2'], Labels: { z: '1', a: '2' }, Cmd: null }, Name: '/web' };

test('fields and nested fields print like Go', () => {
  assert.equal(renderTemplate('{{.State.Status}}', inspect), 'running');
  assert.equal(renderTemplate('{{.State.Pid}} {{.State.Running}}', inspect), '42 true');
  assert.equal(renderTemplate('{{.Config.Env}}', inspect), '[A=1 B=2]');
  assert.equal(renderTemplate('{{.Config.Labels}}', inspect), 'map[a:2 z:1]');
  assert.equal(renderTemplate('{{.Config.Cmd}}', inspect), '<nil>');
  assert.equal(new GoTemplate('{{.Config.Cmd}}', { nullAs: (k) => (k === 'Cmd' ? '[]' : '<nil>') }).execute(inspect), '[]');
  assert.throws(() => new GoTemplate('{{.Nope}}', { missingKeyError: true }).execute(inspect), /map has no entry for key "Nope"/);
  assert.equal(renderTemplate('{{.Missing}}', inspect), '<no value>');
});

test('json renders compact JSON of any value', () => {
  assert.equal(renderTemplate('{{json .State}}', inspect), '{"Status":"running","Pid":42,"Running":true}');
  assert.equal(renderTemplate('{{json .Config.Env}}', inspect), '["A=1","B=2"]');
  assert.equal(renderTemplate('{{json .Config.Cmd}}', inspect), 'null');
  assert.equal(renderTemplate('{{ json . }}', { a: '<&>' }), '{"a":"<&>"}');
});

test('pipelines, functions and literals', () => {
  assert.equal(renderTemplate('{{.Name | upper}}', inspect), '/WEB');
  assert.equal(renderTemplate('{{join .Config.Env ","}}', inspect), 'A=1,B=2');
  assert.equal(renderTemplate('{{index .Config.Labels "z"}}', inspect), '1');
  assert.equal(renderTemplate('{{printf "%s-%d" .Name .State.Pid}}', inspect), '/web-42');
  assert.equal(renderTemplate('{{len .Config.Env}}', inspect), '2');
  assert.equal(renderTemplate('{{split "a:b" ":"}}', {}), '[a b]');
  assert.equal(renderTemplate('{{lower (index .Config.Labels "a")}}', inspect), '2');
  assert.equal(renderTemplate('{{truncate .Id 2}}', inspect), 'ab');
});

test('if/else, range, with and variables', () => {
  assert.equal(renderTemplate('{{if .State.Running}}up{{else}}down{{end}}', inspect), 'up');
  assert.equal(renderTemplate('{{if eq .State.Status "exited"}}x{{else if eq .State.Status "running"}}r{{end}}', inspect), 'r');
  assert.equal(renderTemplate('{{range .Config.Env}}[{{.}}]{{end}}', inspect), '[A=1][B=2]');
  assert.equal(renderTemplate('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}', inspect), 'a=2;z=1;');
  assert.equal(renderTemplate('{{with .State}}{{.Pid}}{{end}}', inspect), '42');
  assert.equal(renderTemplate('{{range .Config.Env}}{{$.Name}}{{end}}', inspect), '/web/web');
  assert.equal(renderTemplate('{{range .Nope}}x{{else}}none{{end}}', { Nope: [] }), 'none');
});

test('trim markers remove surrounding whitespace', () => {
  assert.equal(renderTemplate('a  {{- .Name -}}  b', inspect), 'a/webb');
});

test('methods on context objects take arguments', () => {
  class Row { Label(k: unknown) { return `L:${String(k)}`; } ID() { return 'id1'; } }
  assert.equal(new GoTemplate('{{.ID}} {{.Label "x"}}').execute(new Row()), 'id1 L:x');
  assert.throws(() => new GoTemplate('{{.Nope}}').execute(new Row()), /can't evaluate field Nope/);
});

test('unknown functions and unclosed actions are errors', () => {
  assert.throws(() => renderTemplate('{{nope .}}', {}), /function "nope" not defined/);
  assert.throws(() => renderTemplate('{{if .A}}x', { A: 1 }), /unexpected EOF/);
});
