// The Dockerfile parser: directives, comments, continuations, heredocs and the per-instruction argument forms, with line numbers.
import { InvalidParameterError } from '../../errors';

/** A here-document attached to RUN, COPY or ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`). */
export interface Heredoc {
  name: string;
  /** Body lines joined with "\n", ending with "\n"; leading tabs removed for `<<-`. */
  body: string;
  /** False when the word was quoted: the body is taken literally. */
  expand: boolean;
}

/** One instruction as written, before variable expansion. */
export interface Instruction {
  /** Upper-case keyword: RUN, COPY, … */
  cmd: string;
  /** `--name=value` flags before the arguments, as written. */
  flags: string[];
  /**
   * Arguments by the instruction's form: exec-form lists (RUN/CMD/ENTRYPOINT/SHELL when `json`),
   * `[text]` for shell form, whitespace-separated words for FROM/COPY/ADD/VOLUME/EXPOSE,
   * `name=value` words (quotes kept) for ENV/LABEL/ARG, `[text]` for MAINTAINER/USER/WORKDIR/STOPSIGNAL.
   */
  args: string[];
  /** The arguments were a JSON array. */
  json: boolean;
  /** The instruction's text after joining continuations (without heredoc bodies). */
  original: string;
  /** 1-based first line of the instruction. */
  line: number;
  heredocs: Heredoc[];
  /** ONBUILD's trigger instruction; HEALTHCHECK CMD's check when not NONE. */
  sub?: Instruction;
}

export interface Dockerfile {
  escape: string;
  syntax?: string;
  instructions: Instruction[];
  warnings: string[];
}

/** A Dockerfile error; its message names the line as Docker's does. */
export class DockerfileParseError extends InvalidParameterError {
  constructor(readonly line: number, detail: string) {
    super(`dockerfile parse error on line ${line}: ${detail}`);
  }
}

const KNOWN = new Set(['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER',
  'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);
const HEREDOC_CMDS = new Set(['RUN', 'COPY', 'ADD']);
const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;

/** Docker's parseWords: split on unquoted whitespace, keeping quotes and escapes in the words. */
export function splitWords(text: string, escape: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (!quote && /\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    cur += ch;
    if (ch === escape && quote !== "'" && i + 1 < text.length) {
      cur += text[++i];
    } else if (quote === ch) {
      quote = undefined;
    } else if (!quote && (ch === '"' || ch === "'")) {
      quote = ch;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

function jsonArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  } catch { /* not JSON: shell form */ }
  return undefined;
}

/** Leading `--flag[=value]` words. */
function extractFlags(rest: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let r = rest;
  for (;;) {
    const m = /^--([A-Za-z][\w-]*)(=("[^"]*"|'[^']*'|\S*))?(\s+|$)/.exec(r);
    if (!m) break;
    flags.push(m[0].trim());
    r = r.slice(m[0].length);
  }
  return { flags, rest: r };
}

class LineSource {
  i = 0;
  constructor(readonly lines: string[]) {}
  get done(): boolean {
    return this.i >= this.lines.length;
  }
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const src = new LineSource(lines);
  const out: Dockerfile = { escape: '\\', instructions: [], warnings: [] };
  const seen = new Set<string>();
  // Directives only at the very top, before any comment, blank line or instruction.
  while (!src.done) {
    const m = DIRECTIVE.exec(lines[src.i]!);
    if (!m) break;
    const name = m[1]!.toLowerCase();
    if (seen.has(name)) throw new DockerfileParseError(src.i + 1, `only one ${name} parser directive can be used`);
    seen.add(name);
    if (name === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw new DockerfileParseError(src.i + 1, `invalid escape token '${m[2]}' does not match ` + '` or \\');
      out.escape = m[2]!;
    } else if (name === 'syntax') out.syntax = m[2];
    src.i++;
  }
  const esc = out.escape;
  const continuation = new RegExp(`${esc === '\\' ? '\\\\' : esc}[ \\t]*$`);
  while (!src.done) {
    const start = src.i;
    const first = lines[src.i++]!;
    const trimmed = first.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    let text = first.replace(/^\s+/, '');
    let emptyContinuation = false;
    while (continuation.test(text)) {
      text = text.replace(continuation, '');
      if (src.done) break;
      let next = lines[src.i++]!;
      // Comments and blank lines inside a continued instruction are dropped.
      while ((next.trim() === '' || next.trim().startsWith('#')) && !src.done) {
        if (next.trim() === '') emptyContinuation = true;
        next = lines[src.i++]!;
      }
      if (next.trim().startsWith('#') || next.trim() === '') break;
      text += next;
    }
    if (emptyContinuation) out.warnings.push(`[WARNING]: Empty continuation line found in: ${text.trim()}`);
    out.instructions.push(parseInstruction(text.trim(), start + 1, esc, src));
  }
  return out;
}

function parseInstruction(text: string, line: number, esc: string, src?: LineSource): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text)!;
  const cmd = m[1]!.toUpperCase();
  if (!KNOWN.has(cmd)) throw new DockerfileParseError(line, `unknown instruction: ${m[1]}`);
  const { flags, rest } = extractFlags(m[2]!);
  const ins: Instruction = { cmd, flags, args: [], json: false, original: text, line, heredocs: [] };
  const fail = (detail: string): never => { throw new DockerfileParseError(line, detail); };
  if (HEREDOC_CMDS.has(cmd) && src && !rest.startsWith('[')) ins.heredocs = readHeredocs(rest, src, line, esc);
  switch (cmd) {
    case 'RUN': case 'CMD': case 'ENTRYPOINT': case 'SHELL': {
      const arr = jsonArray(rest);
      if (arr) {
        ins.args = arr;
        ins.json = true;
      } else {
        if (cmd === 'SHELL') fail('SHELL requires the arguments to be in JSON form');
        if (cmd === 'RUN' && !rest.trim()) fail('RUN requires at least one argument');
        ins.args = rest ? [rest] : [];
      }
      break;
    }
    case 'COPY': case 'ADD': case 'VOLUME': {
      const arr = jsonArray(rest);
      ins.json = !!arr;
      ins.args = arr ?? rest.split(/\s+/).filter(Boolean);
      if (cmd === 'VOLUME' && ins.args.length === 0) fail('VOLUME requires at least one argument');
      if (cmd !== 'VOLUME' && ins.args.length < 2 && !(ins.heredocs.length && ins.args.length === 1)) fail(`${cmd} requires at least two arguments, but only ${ins.args.length} provided`);
      break;
    }
    case 'FROM': case 'EXPOSE':
      ins.args = rest.split(/\s+/).filter(Boolean);
      if (ins.args.length === 0) fail(`${cmd} requires at least one argument`);
      if (cmd === 'FROM' && !(ins.args.length === 1 || (ins.args.length === 3 && ins.args[1]!.toUpperCase() === 'AS'))) {
        fail('FROM requires either one or three arguments');
      }
      break;
    case 'ENV': case 'LABEL': {
      const words = splitWords(rest, esc);
      if (words.length === 0) fail(`${cmd} must have two arguments`);
      if (!words[0]!.includes('=')) {
        const parts = rest.trim().split(/\s+([\s\S]*)/);
        if (parts.length < 2 || !parts[1]) fail(`${cmd} must have two arguments`);
        // Legacy `ENV name value words`: one pair, the rest of the line its value.
        ins.args = [`${parts[0]}=${parts[1]}`];
        break;
      }
      for (const w of words) if (!w.includes('=') || w.startsWith('=')) fail(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
      ins.args = words;
      break;
    }
    case 'ARG': {
      const words = splitWords(rest, esc);
      if (words.length === 0) fail('ARG requires at least one argument');
      ins.args = words;
      break;
    }
    case 'MAINTAINER': case 'USER': case 'WORKDIR': case 'STOPSIGNAL':
      if (!rest.trim()) fail(`${cmd} requires exactly one argument`);
      ins.args = [rest.trim()];
      break;
    case 'ONBUILD': {
      const sub = /^(\S+)/.exec(rest)?.[1]?.toUpperCase();
      if (!sub) fail('ONBUILD requires at least one argument');
      if (sub === 'ONBUILD') fail('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (sub === 'FROM' || sub === 'MAINTAINER') fail(`${sub} isn't allowed as an ONBUILD trigger`);
      ins.sub = parseInstruction(rest.trim(), line, esc);
      ins.args = [rest.trim()];
      break;
    }
    case 'HEALTHCHECK': {
      const kind = /^(\S+)\s*([\s\S]*)$/.exec(rest.trim());
      if (!kind) fail('HEALTHCHECK requires an argument');
      const word = kind![1]!.toUpperCase();
      if (word === 'NONE') {
        if (kind![2]) fail('HEALTHCHECK NONE takes no arguments');
        ins.args = ['NONE'];
      } else if (word === 'CMD') {
        if (!kind![2]) fail('Missing command after HEALTHCHECK CMD');
        const arr = jsonArray(kind![2]!);
        ins.args = ['CMD', ...(arr ?? [kind![2]!])];
        ins.json = !!arr;
      } else fail(`Unknown type "${kind![1]}" in HEALTHCHECK (try CMD)`);
      break;
    }
  }
  return ins;
}

/** Read the bodies of the heredocs named on the instruction line, from the lines that follow it. */
function readHeredocs(rest: string, src: LineSource, line: number, esc: string): Heredoc[] {
  const out: Heredoc[] = [];
  // As BuildKit: only a word that starts with << (after an optional fd number) opens one, so $((1<<4)) does not.
  const words = splitWords(rest, esc).map((w) => /^\d*<<(-?)(["']?)([A-Za-z0-9_][\w.-]*)\2$/.exec(w));
  for (const m of words.filter((w): w is RegExpExecArray => w !== null)) {
    const chomp = m[1] === '-';
    const name = m[3]!;
    const body: string[] = [];
    for (;;) {
      if (src.done) throw new DockerfileParseError(line, `unterminated heredoc ${name}`);
      let l = src.lines[src.i++]!;
      if (chomp) l = l.replace(/^\t+/, '');
      if (l === name) break;
      body.push(l);
    }
    out.push({ name, body: body.map((b) => `${b}\n`).join(''), expand: m[2] === '' });
  }
  return out;
}

/** Flags as a map, checked against what the instruction accepts (Docker's "Unknown flag" error otherwise). */
export function instructionFlags(ins: Instruction, allowed: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of ins.flags) {
    const eq = f.indexOf('=');
    const name = f.slice(2, eq < 0 ? undefined : eq);
    if (!allowed.includes(name)) throw new DockerfileParseError(ins.line, `Unknown flag: ${name}`);
    out.set(name, eq < 0 ? 'true' : f.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2'));
  }
  return out;
}
