// Go's json.Indent(dst, src, "", "    "): re-indent raw JSON text without re-encoding any value.

export function indentJson(raw: string, indent = '    '): string {
  let out = '';
  let depth = 0;
  let i = 0;
  const nl = () => '\n' + indent.repeat(depth);
  while (i < raw.length) {
    const c = raw[i];
    if (c === '"') {
      let j = i + 1;
      while (j < raw.length && raw[j] !== '"') j += raw[j] === '\\' ? 2 : 1;
      out += raw.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '{' || c === '[') {
      let j = i + 1;
      while (j < raw.length && /\s/.test(raw[j])) j++;
      if (raw[j] === (c === '{' ? '}' : ']')) { out += c + raw[j]; i = j + 1; continue; }
      depth++;
      out += c + nl();
    } else if (c === '}' || c === ']') {
      depth--;
      out += nl() + c;
    } else if (c === ',') out += ',' + nl();
    else if (c === ':') out += ': ';
    else out += c;
    i++;
  }
  return out;
}
