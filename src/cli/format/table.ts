// A port of Go's text/tabwriter as docker configures it (minwidth 10, tabwidth 1, padding 3, spaces).

export interface TabwriterOptions { minwidth: number; padding: number }
export const DOCKER_TABWRITER: TabwriterOptions = { minwidth: 10, padding: 3 };

const width = (s: string): number => [...s].length;

/**
 * Align tab-terminated cells into columns. Like Go's tabwriter, a column block is a run of consecutive
 * lines that have a cell in that column; the text after a line's last tab is not part of any column.
 */
export function tabwrite(text: string, opts: TabwriterOptions = DOCKER_TABWRITER): string {
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const cells = lines[i];
      let s = '';
      for (let j = 0; j < cells.length; j++) {
        if (j < widths.length && j < cells.length - 1) s += cells[j] + ' '.repeat(Math.max(0, widths[j] - width(cells[j])));
        else s += cells[j];
      }
      out.push(s);
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= lines[cur].length - 1) continue;
      writeLines(line0, cur);
      line0 = cur;
      let w = opts.minwidth;
      for (; cur < line1; cur++) {
        if (column >= lines[cur].length - 1) break;
        w = Math.max(w, width(lines[cur][column]) + opts.padding);
      }
      widths.push(w);
      format(line0, cur);
      widths.pop();
      line0 = cur;
      cur--; // the outer loop re-examines the line that ended the block
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n') + (endsWithNewline ? '\n' : '');
}
