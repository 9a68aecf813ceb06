// A subset of Go's text/template with docker's functions, for --format: fields, pipelines, if/range/with.

type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipe }
  | { t: 'if' | 'with'; pipe: Pipe; then: Node[]; else: Node[] }
  | { t: 'range'; pipe: Pipe; vars: string[]; body: Node[]; else: Node[] };

type Operand =
  | { k: 'field'; base: 'dot' | 'root' | string; chain: string[] }
  | { k: 'lit'; v: unknown }
  | { k: 'func'; name: string }
  | { k: 'paren'; pipe: Pipe };
type Command = Operand[];
interface Pipe { decl?: string[]; cmds: Command[] }

/** A template that does not parse ("template: :1: unclosed action"). */
export class TemplateError extends Error {}
/** A template that fails while rendering, worded like Go's ExecError. */
export class TemplateExecError extends TemplateError {}

export interface TemplateOptions {
  /** Go's missingkey=error: a missing map key fails instead of printing <no value>. */
  missingKeyError?: boolean;
  /** How a JSON null under `key` prints (Go typed structs print nil slices as [], maps as map[]). */
  nullAs?: (key: string) => string;
  /** Keys that exist in the typed struct but may be left out of the JSON: missing means null, not an error. */
  optionalKeys?: Set<string>;
}

/** Values rendered like Go's fmt %v: nil as <nil>, slices as [a b], maps as map[k:v]. */
export function goString(v: unknown, nullAs?: (key: string) => string, key = ''): string {
  if (v === undefined) return '<no value>';
  if (v === null) return nullAs ? nullAs(key) : '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return '[' + v.map((x) => goString(x, nullAs, key)).join(' ') + ']';
  if (typeof v === 'object') {
    const s = (v as { toString?: () => string }).toString;
    if (s && s !== Object.prototype.toString) return s.call(v);
    const obj = v as Record<string, unknown>;
    return 'map[' + Object.keys(obj).sort().map((k) => `${k}:${goString(obj[k], nullAs, k)}`).join(' ') + ']';
  }
  return String(v);
}

function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.keys(v as object).length > 0;
  return true;
}

function jsonOf(v: unknown): string {
  const text = JSON.stringify(v === undefined ? null : v) ?? 'null';
  // docker's row contexts marshal themselves with json.Marshal, which escapes <, > and &.
  const selfMarshalled = !!v && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function';
  return selfMarshalled ? text.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026') : text;
}

function sprintf(format: string, ...args: unknown[]): string {
  let i = 0;
  return format.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([vsdqtfxX%])/g, (_m, _flags: string, w: string, prec: string, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    let s: string;
    switch (verb) {
      case 'q': s = JSON.stringify(goString(a)); break;
      case 'd': s = String(Math.trunc(Number(a))); break;
      case 'f': s = Number(a).toFixed(prec ? Number(prec) : 6); break;
      case 'x': s = typeof a === 'number' ? a.toString(16) : Buffer.from(goString(a)).toString('hex'); break;
      case 'X': s = (typeof a === 'number' ? a.toString(16) : Buffer.from(goString(a)).toString('hex')).toUpperCase(); break;
      default: s = goString(a);
    }
    if (w) s = _flags.includes('-') ? s.padEnd(Number(w)) : s.padStart(Number(w));
    return s;
  });
}

function cmp(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = goString(a), y = goString(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Go's builtins plus docker's template functions (json, join, split, upper, lower, title, pad, truncate…). */
export const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  json: (v) => jsonOf(v),
  join: (list, sep) => (Array.isArray(list) ? list.map((x) => goString(x)).join(goString(sep)) : goString(list)),
  split: (s, sep) => goString(s).split(goString(sep)),
  upper: (s) => goString(s).toUpperCase(),
  lower: (s) => goString(s).toLowerCase(),
  title: (s) => goString(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase()),
  pad: (s, before, after) => ' '.repeat(Number(before)) + goString(s) + ' '.repeat(Number(after)),
  truncate: (s, n) => { const c = [...goString(s)]; return c.length > Number(n) ? c.slice(0, Number(n)).join('') : c.join(''); },
  len: (v) => (typeof v === 'string' ? Buffer.byteLength(v) : Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
  index: (v, ...keys) => keys.reduce<unknown>((acc, k) => (acc == null ? undefined : (acc as Record<string, unknown>)[k as string]), v),
  print: (...a) => a.map((x) => goString(x)).join(''),
  println: (...a) => a.map((x) => goString(x)).join(' ') + '\n',
  printf: (f, ...a) => sprintf(goString(f), ...a),
  not: (v) => !truthy(v),
  and: (...a) => { for (const x of a) if (!truthy(x)) return x; return a[a.length - 1]; },
  or: (...a) => { for (const x of a) if (truthy(x)) return x; return a[a.length - 1]; },
  eq: (a, ...b) => b.some((x) => (typeof a === 'object' ? goString(a) === goString(x) : a === x)),
  ne: (a, b) => a !== b,
  lt: (a, b) => cmp(a, b) < 0,
  le: (a, b) => cmp(a, b) <= 0,
  gt: (a, b) => cmp(a, b) > 0,
  ge: (a, b) => cmp(a, b) >= 0,
  slice: (v, i, j) => (typeof v === 'string' || Array.isArray(v) ? v.slice(Number(i), j === undefined ? undefined : Number(j)) : v),
};

// ---- lexing of one action's contents ----

function tokenize(src: string): string[] {
  const toks: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      toks.push(src.slice(i, j + 1)); i = j + 1; continue;
    }
    if (c === '`') { const j = src.indexOf('`', i + 1); toks.push(src.slice(i, j + 1)); i = j + 1; continue; }
    if (c === '(' || c === ')' || c === '|' || c === ',') { toks.push(c); i++; continue; }
    if (src.startsWith(':=', i)) { toks.push(':='); i += 2; continue; }
    let j = i;
    while (j < src.length && !/[\s()|,"`]/.test(src[j]) && !src.startsWith(':=', j)) j++;
    toks.push(src.slice(i, j)); i = j;
  }
  return toks;
}

class PipeParser {
  private pos = 0;
  constructor(private readonly toks: string[], private readonly src: string) {}

  parse(): Pipe {
    const p = this.pipe();
    if (this.pos < this.toks.length) throw new TemplateError(`unexpected "${this.toks[this.pos]}" in ${this.src}`);
    return p;
  }

  private pipe(): Pipe {
    let decl: string[] | undefined;
    const save = this.pos;
    const vars: string[] = [];
    while (this.toks[this.pos]?.startsWith('$')) {
      vars.push(this.toks[this.pos++]);
      if (this.toks[this.pos] === ',') { this.pos++; continue; }
      break;
    }
    if (vars.length && this.toks[this.pos] === ':=') { this.pos++; decl = vars; } else this.pos = save;
    const cmds: Command[] = [];
    for (;;) {
      const cmd: Command = [];
      while (this.pos < this.toks.length && this.toks[this.pos] !== '|' && this.toks[this.pos] !== ')') cmd.push(this.operand());
      if (!cmd.length) throw new TemplateError(`missing value for command in ${this.src}`);
      cmds.push(cmd);
      if (this.toks[this.pos] === '|') { this.pos++; continue; }
      break;
    }
    return { decl, cmds };
  }

  private operand(): Operand {
    const t = this.toks[this.pos++];
    if (t === '(') {
      const pipe = this.pipe();
      if (this.toks[this.pos++] !== ')') throw new TemplateError(`unclosed left paren in ${this.src}`);
      return this.suffix({ k: 'paren', pipe });
    }
    if (t.startsWith('"')) return { k: 'lit', v: JSON.parse(t) };
    if (t.startsWith('`')) return { k: 'lit', v: t.slice(1, -1) };
    if (/^-?\d/.test(t)) return { k: 'lit', v: Number(t) };
    if (t === 'true' || t === 'false') return { k: 'lit', v: t === 'true' };
    if (t === 'nil') return { k: 'lit', v: null };
    if (t === '.') return { k: 'field', base: 'dot', chain: [] };
    if (t.startsWith('.')) return { k: 'field', base: 'dot', chain: t.slice(1).split('.') };
    if (t.startsWith('$')) {
      const [name, ...chain] = t.split('.');
      return { k: 'field', base: name === '$' ? 'root' : name, chain };
    }
    if (/^[A-Za-z_]\w*$/.test(t)) return { k: 'func', name: t };
    throw new TemplateError(`unexpected "${t}" in ${this.src}`);
  }

  private suffix(op: Operand): Operand {
    const next = this.toks[this.pos];
    if (next && next.startsWith('.') && next.length > 1) {
      this.pos++;
      return { k: 'field', base: '', chain: next.slice(1).split('.'), ...{ paren: op } } as Operand;
    }
    return op;
  }
}

// ---- template structure ----

function parseTemplate(src: string): Node[] {
  const re = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
  const items: ({ text: string } | { action: string })[] = [];
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1]) text = text.replace(/\s+$/, '');
    if (text) items.push({ text });
    items.push({ action: m[2].trim() });
    trimNext = !!m[3];
    last = re.lastIndex;
  }
  let tail = src.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  if (tail.includes('{{')) throw new TemplateError(`template: :1: unclosed action`);
  if (tail) items.push({ text: tail });

  let i = 0;
  const pipeOf = (s: string) => new PipeParser(tokenize(s), s).parse();
  const list = (stopAt: string[]): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (i < items.length) {
      const it = items[i++];
      if ('text' in it) { nodes.push({ t: 'text', text: it.text }); continue; }
      const a = it.action;
      if (a.startsWith('/*')) continue;
      const word = a.split(/\s+/)[0];
      if (word === 'end' || word === 'else') {
        if (!stopAt.includes(word)) throw new TemplateError(`template: :1: unexpected {{${word}}}`);
        return { nodes, stop: a };
      }
      if (word === 'if' || word === 'with' || word === 'range') nodes.push(block(word, a.slice(word.length).trim()));
      else nodes.push({ t: 'action', pipe: pipeOf(a) });
    }
    if (stopAt.length) throw new TemplateError('template: :1: unexpected EOF');
    return { nodes, stop: '' };
  };
  const block = (word: 'if' | 'with' | 'range', arg: string): Node => {
    const pipe = pipeOf(arg);
    const body = list(['end', 'else']);
    let elseNodes: Node[] = [];
    if (body.stop !== 'end') {
      const rest = body.stop.slice(4).trim();
      if (rest.startsWith('if ') || rest.startsWith('with ')) {
        const w = rest.startsWith('if ') ? 'if' : 'with';
        elseNodes = [block(w, rest.slice(w.length).trim())]; // "else if" shares the outer {{end}}
      } else elseNodes = list(['end']).nodes;
    }
    if (word === 'range') return { t: 'range', pipe: { cmds: pipe.cmds }, vars: pipe.decl ?? [], body: body.nodes, else: elseNodes };
    return { t: word, pipe, then: body.nodes, else: elseNodes };
  };
  return list([]).nodes;
}

// ---- evaluation ----

interface Scope { dot: unknown; root: unknown; vars: Map<string, unknown>; opts: TemplateOptions }

function goTypeName(value: object): string {
  return (value.constructor as { goType?: string } | undefined)?.goType ?? value.constructor?.name ?? 'object';
}

function field(value: unknown, name: string, args: unknown[], chain: string, opts: TemplateOptions): unknown {
  const fail = (msg: string) => new TemplateExecError(`template: :1:2: executing "" at <${chain}>: ${msg}`);
  if (value === null || value === undefined) throw fail(`nil pointer evaluating interface {}.${name}`);
  if (typeof value !== 'object') throw fail(`can't evaluate field ${name} in type ${typeof value}`);
  const v = (value as Record<string, unknown>)[name];
  if (typeof v === 'function') return (v as (...a: unknown[]) => unknown).apply(value, args);
  const plain = Object.getPrototypeOf(value) === Object.prototype;
  if (v === undefined && !plain && !Array.isArray(value)) throw fail(`can't evaluate field ${name} in type ${goTypeName(value)}`);
  if (v === undefined && plain && opts.missingKeyError && !(name in value)) {
    if (opts.optionalKeys?.has(name)) return null;
    throw fail(`map has no entry for key "${name}"`);
  }
  return v;
}

function evalOperand(op: Operand, scope: Scope, args: unknown[], piped: boolean): unknown {
  switch (op.k) {
    case 'lit': return op.v;
    case 'paren': return evalPipe(op.pipe, scope);
    case 'func': {
      const f = FUNCTIONS[op.name];
      if (!f) throw new TemplateError(`template: :1: function "${op.name}" not defined`);
      return f(...args);
    }
    case 'field': {
      let v: unknown;
      const paren = (op as { paren?: Operand }).paren;
      if (paren) v = evalOperand(paren, scope, [], false);
      else if (op.base === 'dot') v = scope.dot;
      else if (op.base === 'root') v = scope.root;
      else {
        if (!scope.vars.has(op.base)) throw new TemplateError(`undefined variable: ${op.base}`);
        v = scope.vars.get(op.base);
      }
      const text = (op.base === 'dot' || paren ? '' : op.base === 'root' ? '$' : op.base) + op.chain.map((n) => '.' + n).join('');
      op.chain.forEach((name, idx) => { v = field(v, name, idx === op.chain.length - 1 ? args : [], text, scope.opts); });
      void piped;
      return v;
    }
  }
}

function evalCommand(cmd: Command, scope: Scope, piped: unknown[]): unknown {
  const args = [...cmd.slice(1).map((o) => evalOperand(o, scope, [], false)), ...piped];
  if (cmd[0].k !== 'func' && cmd[0].k !== 'field' && args.length) throw new TemplateError(`can't give argument to non-function`);
  return evalOperand(cmd[0], scope, args, piped.length > 0);
}

function evalPipe(pipe: Pipe, scope: Scope): unknown {
  let value: unknown;
  pipe.cmds.forEach((cmd, i) => { value = evalCommand(cmd, scope, i === 0 ? [] : [value]); });
  if (pipe.decl) scope.vars.set(pipe.decl[0], value);
  return value;
}

/** The field name a pipeline ends on (for printing a null the way its Go type would). */
function lastKey(pipe: Pipe): string {
  const last = pipe.cmds[pipe.cmds.length - 1];
  const op = last.length === 1 ? last[0] : undefined;
  return op && op.k === 'field' ? op.chain[op.chain.length - 1] ?? '' : '';
}

function render(nodes: Node[], scope: Scope, out: string[]): void {
  for (const n of nodes) {
    switch (n.t) {
      case 'text': out.push(n.text); break;
      case 'action': {
        const v = evalPipe(n.pipe, scope);
        if (!n.pipe.decl) out.push(goString(v, scope.opts.nullAs, lastKey(n.pipe)));
        break;
      }
      case 'if': case 'with': {
        const v = evalPipe(n.pipe, scope);
        if (truthy(v)) render(n.then, n.t === 'with' ? { ...scope, dot: v } : scope, out);
        else render(n.else, scope, out);
        break;
      }
      case 'range': {
        const v = evalPipe(n.pipe, scope);
        const entries: [unknown, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x])
          : v && typeof v === 'object' ? Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])
          : typeof v === 'number' ? Array.from({ length: v }, (_x, i) => [i, i]) : [];
        if (!entries.length) { render(n.else, scope, out); break; }
        for (const [k, x] of entries) {
          const vars = new Map(scope.vars);
          if (n.vars.length === 1) vars.set(n.vars[0], x);
          if (n.vars.length === 2) { vars.set(n.vars[0], k); vars.set(n.vars[1], x); }
          render(n.body, { dot: x, root: scope.root, vars, opts: scope.opts }, out);
        }
        break;
      }
    }
  }
}

/** A parsed template; `execute` renders it against a value (`.`). */
export class GoTemplate {
  private readonly nodes: Node[];
  constructor(readonly source: string, private readonly opts: TemplateOptions = {}) {
    this.nodes = parseTemplate(source);
  }
  execute(data: unknown): string {
    const out: string[] = [];
    render(this.nodes, { dot: data, root: data, vars: new Map([['$', data]]), opts: this.opts }, out);
    return out.join('');
  }
}

export function renderTemplate(source: string, data: unknown): string {
  return new GoTemplate(source).execute(data);
}
