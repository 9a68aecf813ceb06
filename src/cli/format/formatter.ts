// docker's --format handling: "table" prefix with headers, "json", \t escapes, rows through the tabwriter.
import { StatusError } from '../context';
import { GoTemplate, TemplateError, TemplateExecError } from './go-template';
import { tabwrite } from './table';

/** True for the formats that print a header row and align columns. */
export function isTable(format: string): boolean {
  return format.startsWith('table');
}

/** Normalise a --format string as docker's preFormat does. */
export function preFormat(format: string): string {
  let f = format;
  if (f === 'json') f = '{{json .}}';
  if (isTable(f)) f = f.slice('table'.length);
  f = f.replace(/^ +| +$/g, '');
  return f.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

/** A header object: field name → column label; unknown fields fall back to the upper-cased name. */
export function headerContext(labels: Record<string, string>): unknown {
  return new Proxy({}, {
    get: (_t, key) => {
      if (typeof key !== 'string') return undefined;
      if (key === 'Label') return (name: unknown) => String(name); // docker heads {{.Label "k"}} with "k"
      return labels[key] ?? key.toUpperCase();
    },
  });
}

/**
 * Render rows with a docker --format string. Table formats get a header line rendered from `labels`
 * and go through the tabwriter; the others print one template result per row.
 */
export function formatRows(format: string, rows: unknown[], labels: Record<string, string>, wording: TemplateWording = IMAGE_WORDING): string {
  try {
    const tmpl = new GoTemplate(preFormat(format));
    let body = '';
    for (const row of rows) body += tmpl.execute(row) + '\n';
    if (!isTable(format)) return body;
    const header = tmpl.execute(headerContext(labels)) + '\n';
    return tabwrite(header + body);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    throw new StatusError(1, (err instanceof TemplateExecError ? wording.exec : wording.parse) + err.message);
  }
}

/** The prefixes docker puts before template errors; they differ between commands. */
export interface TemplateWording { parse: string; exec: string }
export const IMAGE_WORDING: TemplateWording = { parse: 'template parsing error: ', exec: 'template parsing error: ' };
export const PS_WORDING: TemplateWording = { parse: 'failed to parse template: ', exec: 'failed to execute template: ' };

/** docker's Ellipsis: cut to `max` characters, the last replaced by "…". */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  if (max <= 0) return '';
  return chars.slice(0, max - 1).join('') + '…';
}

/** The 12-hex short form of an ID, "sha256:" stripped. */
export function shortId(id: string): string {
  const bare = id.startsWith('sha256:') ? id.slice(7) : id;
  return bare.slice(0, 12);
}

/** Go's strconv.Quote for the strings docker quotes (COMMAND column). */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u007f/g, '\\x7f');
}
