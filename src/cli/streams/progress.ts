// Rendering Docker's JSON-lines progress as the docker CLI does: one line per layer updated in place on a terminal, plain lines otherwise.
import { jsonLines } from '../../client/engine-client';
import { StatusError } from '../context';

export interface JsonMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: unknown;
}

/**
 * Print every message of `body` to `out`; an in-band error ends with a
 * StatusError(1) carrying its message. On a terminal, messages with an id
 * rewrite that id's line (cursor up, clear line); elsewhere progress-only
 * messages are dropped, as docker does for logs and pipes.
 */
export async function displayProgress(body: NodeJS.ReadableStream, out: NodeJS.WriteStream, opts: { quiet?: boolean } = {}): Promise<JsonMessage[]> {
  const tty = !!out.isTTY && !opts.quiet;
  const lines: string[] = [];
  const all: JsonMessage[] = [];
  const write = (s: string) => { if (!opts.quiet) out.write(s); };
  for await (const m of jsonLines<JsonMessage>(body as never)) {
    all.push(m);
    if (m.error || m.errorDetail) throw new StatusError(1, m.errorDetail?.message ?? m.error ?? 'unknown error');
    if (m.stream !== undefined) { write(m.stream); continue; }
    if (!m.status) continue;
    const text = `${m.id ? `${m.id}: ` : ''}${m.status}${m.progress ? ' ' + m.progress : ''}`;
    if (!tty) {
      if (!m.progress) write(`${text}\n`);
      continue;
    }
    if (!m.id) {
      write(`${text}\n`);
      continue;
    }
    let idx = lines.indexOf(m.id);
    if (idx < 0) {
      lines.push(m.id);
      write(`${text}\n`);
      continue;
    }
    const up = lines.length - idx;
    write(`\x1b[${up}A\x1b[2K\r${text}\x1b[${up}B\r`);
  }
  return all;
}
