// Docker's word processing for Dockerfile arguments: quotes, the escape character and $VAR / ${VAR…} expansion.
import { InvalidParameterError } from '../../errors';

/** Variables in effect: name → value (an absent name is unset; an empty string is set). */
export type Vars = ReadonlyMap<string, string>;

export interface LexResult {
  /** The whole word after quote removal and expansion. */
  value: string;
  /** The same, split into words on unquoted whitespace (as Docker's ProcessWords). */
  words: string[];
  /** Names of the variables the text read (for the build cache). */
  used: Set<string>;
}

/** Splits into words while tracking whether the current one has started (quotes make empty words). */
class WordSplitter {
  private words: string[] = [];
  private cur = '';
  private started = false;
  addChar(ch: string): void {
    if (/\s/.test(ch)) this.flush();
    else this.addRaw(ch);
  }
  addRaw(s: string): void {
    this.cur += s;
    this.started = true;
  }
  addExpanded(s: string): void {
    for (const ch of s) this.addChar(ch);
  }
  markStarted(): void {
    this.started = true;
  }
  flush(): void {
    if (this.started) this.words.push(this.cur);
    this.cur = '';
    this.started = false;
  }
  result(): string[] {
    this.flush();
    return this.words;
  }
}

class Lexer {
  private i = 0;
  readonly used = new Set<string>();
  constructor(private readonly s: string, private readonly vars: Vars, private readonly escape: string) {}

  private peek(): string | undefined {
    return this.s[this.i];
  }
  private next(): string | undefined {
    return this.s[this.i++];
  }

  /** Process until `stop` (consumed) or the end. */
  run(stop?: string): { value: string; words: string[] } {
    let out = '';
    const w = new WordSplitter();
    while (this.i < this.s.length) {
      const ch = this.peek()!;
      if (stop !== undefined && ch === stop) {
        this.i++;
        return { value: out, words: w.result() };
      }
      if (ch === "'") {
        const t = this.singleQuote();
        out += t;
        w.addRaw(t);
      } else if (ch === '"') {
        const t = this.doubleQuote();
        out += t;
        w.addRaw(t);
      } else if (ch === '$') {
        const t = this.dollar();
        out += t;
        w.addExpanded(t);
      } else {
        this.i++;
        if (ch === this.escape) {
          const n = this.next();
          // An escape at the very end stays as it is.
          if (n === undefined) {
            out += ch;
            w.addRaw(ch);
            break;
          }
          out += n;
          w.addRaw(n);
        } else {
          out += ch;
          w.addChar(ch);
        }
      }
    }
    if (stop !== undefined) throw new InvalidParameterError(`unexpected end of statement while looking for matching ${stop}`);
    return { value: out, words: w.result() };
  }

  private singleQuote(): string {
    this.i++;
    const end = this.s.indexOf("'", this.i);
    if (end < 0) throw new InvalidParameterError("unexpected end of statement while looking for matching single-quote");
    const t = this.s.slice(this.i, end);
    this.i = end + 1;
    return t;
  }

  private doubleQuote(): string {
    this.i++;
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new InvalidParameterError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.i++;
        return out;
      }
      if (ch === '$') {
        out += this.dollar();
        continue;
      }
      this.i++;
      if (ch === this.escape) {
        const n = this.peek();
        // Inside double quotes the escape only escapes ", $ and itself.
        if (n === '"' || n === '$' || n === this.escape) {
          this.i++;
          out += n;
          continue;
        }
      }
      out += ch;
    }
  }

  private name(): string {
    // A name starting with a digit is the digits only ($1x is $1 then "x"), as Docker reads it.
    const m = /^(?:[0-9]+|[A-Za-z_][A-Za-z0-9_]*)?/.exec(this.s.slice(this.i))![0];
    this.i += m.length;
    return m;
  }

  private lookup(name: string): string | undefined {
    this.used.add(name);
    return this.vars.get(name);
  }

  private dollar(): string {
    this.i++;
    if (this.peek() !== '{') {
      const name = this.name();
      if (!name) return '$';
      return this.lookup(name) ?? '';
    }
    this.i++;
    const name = this.name();
    if (!name) throw new InvalidParameterError(`bad substitution: missing variable name in ${this.s}`);
    const ch = this.next();
    if (ch === '}') return this.lookup(name) ?? '';
    let op = ch;
    if (ch === ':') {
      op = this.next();
      if (op !== '-' && op !== '+' && op !== '?') throw new InvalidParameterError(`unsupported modifier (:${op ?? ''}) in substitution: ${this.s}`);
    }
    const colon = ch === ':';
    const longest = (op === '#' || op === '%') && this.peek() === op;
    if (longest) this.i++;
    const value = this.lookup(name);
    const word = this.run('}').value;
    switch (op) {
      case '-': return (colon ? !value : value === undefined) ? word : value!;
      case '+': return (colon ? !value : value === undefined) ? '' : word;
      case '?':
        if (colon ? !value : value === undefined) throw new InvalidParameterError(`${name}: ${word || 'is not allowed to be unset'}`);
        return value!;
      case '#': case '%': return trimPattern(value ?? '', word, op, longest);
      default: throw new InvalidParameterError(`unsupported modifier (${op ?? ''}) in substitution: ${this.s}`);
    }
  }
}

/** ${V#pat} / ${V%pat}: remove the shortest matching prefix or suffix (glob with * and ?). */
function trimPattern(value: string, pattern: string, op: '#' | '%', longest: boolean): string {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]') + '$');
  const lens = [...Array(value.length + 1).keys()];
  if (longest) lens.reverse();
  for (const n of lens) {
    const part = op === '#' ? value.slice(0, n) : value.slice(value.length - n);
    if (re.test(part)) return op === '#' ? value.slice(n) : value.slice(0, value.length - n);
  }
  return value;
}

/** Expand one argument as Docker does (quotes removed, escapes applied, variables substituted). */
export function processWord(text: string, vars: Vars, escape = '\\'): LexResult {
  const lx = new Lexer(text, vars, escape);
  const { value, words } = lx.run();
  return { value, words, used: lx.used };
}
