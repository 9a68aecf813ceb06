// `berth stats`: containers' CPU, memory, network, block I/O and PIDs, once (--no-stream) or as a live table until Ctrl-C.
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import { jsonLines, type EngineClient } from '../../client/engine-client';
import { subcommand } from '../command';
import { StatusError, clientFor, writeOut } from '../context';
import { describeError } from '../errors';
import { formatRows } from '../format/formatter';
import { STATS_DEFAULT, STATS_LABELS, StatsRow, emptyEntry, entryFromSample, type StatsEntry, type StatsSample } from '../format/stats-row';

interface StatsOptions { all?: boolean; stream?: boolean; trunc?: boolean; format?: string }

const REDRAW_MS = 500;

/**
 * A terminal frame: the screen is cleared once, then each frame overwrites the last from the top
 * (every line erased to its end, the rest of the screen below), so the table does not flicker.
 */
function terminalFrame(table: string, first: boolean): string {
  const lines = table.replace(/\n$/, '').split('\n').map((l) => `${l}\x1b[K\n`).join('');
  return `${first ? '\x1b[2J' : ''}\x1b[H${lines}\x1b[J`;
}

/** One container's stats stream (or single answer) and the latest figures it gave. */
class Collector {
  entry: StatsEntry;
  error: unknown;
  /** Settles once the first sample (or the failure) is in. */
  readonly first: Promise<void>;
  private settleFirst!: () => void;

  constructor(readonly container: string) {
    this.entry = emptyEntry(container);
    this.first = new Promise((resolve) => (this.settleFirst = resolve));
  }

  async run(client: EngineClient, stream: boolean, signal: AbortSignal): Promise<void> {
    try {
      const res = await client.request('GET', `/containers/${encodeURIComponent(this.container)}/stats`, { query: { stream: stream ? '1' : '0' }, signal });
      for await (const sample of jsonLines<StatsSample>(res.body)) {
        this.entry = entryFromSample(this.container, sample);
        this.error = undefined;
        this.settleFirst();
        if (!stream) { res.body.destroy(); return; }
      }
      if (stream) this.fail(new Error('EOF')); // the daemon ended the stream: the container is gone
    } catch (err) {
      if (!signal.aborted) this.fail(err);
    } finally {
      this.settleFirst();
    }
  }

  private fail(err: unknown): void {
    this.error = err;
    this.entry = { ...this.entry, invalid: true };
  }
}

/** The containers being shown, in the order they were added; each with its own collector. */
class Tracked {
  private readonly byKey = new Map<string, Collector>();
  constructor(private readonly client: EngineClient, private readonly stream: boolean, private readonly signal: AbortSignal) {}

  add(container: string): void {
    if (this.byKey.has(container)) return;
    const c = new Collector(container);
    this.byKey.set(container, c);
    void c.run(this.client, this.stream, this.signal);
  }
  remove(container: string): void { this.byKey.delete(container); }
  get collectors(): Collector[] { return [...this.byKey.values()]; }
  waitFirst(): Promise<void> { return Promise.all(this.collectors.map((c) => c.first)).then(() => undefined); }
}

/** docker's event handling for `stats` without names: new containers join, stopped ones leave (unless -a). */
async function followEvents(client: EngineClient, tracked: Tracked, all: boolean, signal: AbortSignal, subscribed: () => void): Promise<void> {
  try {
    const res = await client.request('GET', '/events', { query: { filters: JSON.stringify({ type: ['container'] }) }, signal });
    subscribed();
    for await (const e of jsonLines<{ Action?: string; Actor?: { ID?: string }; id?: string }>(res.body)) {
      const id = (e.Actor?.ID ?? e.id ?? '').slice(0, 12);
      if (!id) continue;
      if (e.Action === 'start' || (e.Action === 'create' && all)) tracked.add(id);
      else if (e.Action === 'die' && !all) tracked.remove(id);
    }
  } catch {
    subscribed(); // without events the table still shows the containers listed at the start
  }
}

function render(format: string, collectors: Collector[], trunc: boolean): string {
  return formatRows(format, collectors.map((c) => new StatsRow(c.entry, trunc)), STATS_LABELS);
}

export function registerStats(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] [CONTAINER...]', 'Display a live stream of container(s) resource usage statistics')
    .argument('[containers...]')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('--format <format>', 'Format output using a custom template')
    .option('--no-stream', 'Disable streaming stats and only pull the first result')
    .option('--no-trunc', 'Do not truncate output')
    .action(async (containers: string[], opts: StatsOptions, cmd: Command) => {
      const client = clientFor(cmd);
      const stream = opts.stream !== false;
      const trunc = opts.trunc !== false;
      const format = !opts.format || opts.format === 'table' ? STATS_DEFAULT : opts.format;
      const abort = new AbortController();
      const interrupted = () => abort.abort();
      process.once('SIGINT', interrupted);
      const tracked = new Tracked(client, stream, abort.signal);
      try {
        if (containers.length) {
          for (const c of containers) tracked.add(c);
          await tracked.waitFirst();
          const errors = tracked.collectors.filter((c) => c.error !== undefined).map((c) => describeError(c.error));
          if (errors.length) throw new StatusError(1, errors.join('\n'));
        } else {
          // Subscribed before listing, so a container started in between is not missed.
          if (stream) await new Promise<void>((subscribed) => void followEvents(client, tracked, !!opts.all, abort.signal, subscribed));
          const list = await client.json<Array<{ Id: string }>>('GET', '/containers/json', { query: { all: opts.all ? '1' : undefined } });
          for (const c of list) tracked.add(c.Id.slice(0, 12));
          await tracked.waitFirst();
        }
        if (abort.signal.aborted) throw new StatusError(130);
        if (!stream) { await writeOut(render(format, tracked.collectors, trunc)); return; }
        // A terminal gets a live table; a pipe or file gets one plain table per refresh.
        for (let first = true; !abort.signal.aborted; first = false) {
          const table = render(format, tracked.collectors, trunc);
          await writeOut(process.stdout.isTTY ? terminalFrame(table, first) : table);
          await delay(REDRAW_MS, undefined, { signal: abort.signal }).catch(() => undefined); // Ctrl-C cuts the wait short
        }
        throw new StatusError(130); // Ctrl-C: quietly, with the shell's status for SIGINT
      } finally {
        process.off('SIGINT', interrupted);
        abort.abort();
      }
    });
}
