// Listing containers with Docker's filters: status, name, id, label, ancestor, exited, before, since.
import { InvalidParameterError } from '../../errors';
import type { ContainerContext } from './context';
import type { Filters } from './index';
import type { ContainerRecord } from './record';
import { summaryView } from './views';
import { labelMatches } from '../label-filter';
import { networkFiltersMatch } from '../networks/container-filters';

const STATUSES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);
const HEALTH = new Set(['starting', 'healthy', 'unhealthy', 'none']);
const KNOWN = new Set(['status', 'name', 'id', 'label', 'ancestor', 'exited', 'before', 'since', 'network', 'volume', 'health', 'isolation', 'is-task', 'publish', 'expose']);

export async function listContainers(ctx: ContainerContext, opts: { all: boolean; limit?: number; size?: boolean; filters: Filters }): Promise<object[]> {
  const f = opts.filters;
  for (const key of Object.keys(f)) if (!KNOWN.has(key)) throw new InvalidParameterError(`invalid filter '${key}'`);
  for (const s of f.status ?? []) if (!STATUSES.has(s)) throw new InvalidParameterError(`invalid filter 'status=${s}'`);
  for (const h of f.health ?? []) if (!HEALTH.has(h)) throw new InvalidParameterError(`Unrecognised filter value for health: ${h}`);
  const exited = (f.exited ?? []).map((e) => {
    if (!/^-?\d+$/.test(e)) throw new InvalidParameterError(`invalid filter 'exited=${e}'`);
    return Number(e);
  });
  const names = (f.name ?? []).map((n) => {
    try {
      return new RegExp(n);
    } catch {
      throw new InvalidParameterError(`invalid filter 'name=${n}'`);
    }
  });
  const ancestors = new Set<string>();
  for (const a of f.ancestor ?? []) {
    const img = await ctx.deps.images.get(a).catch(() => undefined);
    if (img) ancestors.add(img.record.id);
  }
  const before = f.before?.[0] ? ctx.get(f.before[0]).created : undefined;
  const since = f.since?.[0] ? ctx.get(f.since[0]).created : undefined;
  const all = opts.all || !!f.status?.length || !!f.exited?.length || (opts.limit ?? 0) > 0 || !!before || !!since;

  let rows: ContainerRecord[] = [...ctx.records.values()].filter((r) => {
    if (!all && !r.state.Running) return false;
    if (f.status?.length && !f.status.includes(r.state.Status)) return false;
    if (names.length && !names.some((n, i) => n.test(r.name.slice(1)) || r.name === f.name[i])) return false;
    if (f.id?.length && !f.id.some((i) => r.id.startsWith(i))) return false;
    if (f.label?.length && !f.label.every((l) => labelMatches(r.config.Labels ?? {}, l))) return false;
    if (f.ancestor?.length && !ancestors.has(r.image)) return false;
    if (f.volume?.length && !f.volume.some((v) => r.mounts.some((m) => m.Name === v || m.Destination === v))) return false;
    if (f.health?.length && !f.health.includes(r.state.Health?.Status ?? 'none')) return false;
    if (exited.length && (r.state.Running || r.state.Status !== 'exited' || !exited.includes(r.state.ExitCode))) return false;
    if (before && !(r.created < before)) return false;
    if (since && !(r.created > since)) return false;
    if (!networkFiltersMatch(r, f)) return false;
    return true;
  });
  rows.sort((a, b) => (a.created < b.created ? 1 : -1));
  if (opts.limit && opts.limit > 0) rows = rows.slice(0, opts.limit);
  const views = rows.map((r) => summaryView(r, displayImage(ctx, r)) as Record<string, unknown>);
  if (opts.size) {
    // Only on request (`ps -s`): walking every upper directory is the slow part of a listing.
    await Promise.all(rows.map(async (r, i) => {
      const rw = await ctx.deps.snapshots.usage(r.id).catch(() => 0);
      const image = await ctx.deps.images.get(r.image).catch(() => undefined);
      views[i].SizeRw = rw;
      views[i].SizeRootFs = rw + (image?.record.size ?? 0);
    }));
  }
  return views;
}

/** What `docker ps` shows as IMAGE: the name the user gave while it still points at the same image, else the ID. */
function displayImage(ctx: ContainerContext, r: ContainerRecord): string {
  const refs = ctx.deps.images.refsOf(r.image);
  const given = r.config.Image;
  if (refs.some((ref) => ref === given || ref === `${given}:latest` || ref.endsWith(`/${given}`))) return given;
  if (given.startsWith('sha256:') || /^[0-9a-f]{6,64}$/.test(given)) return given === r.image ? r.image : given;
  return refs[0] ?? r.image;
}
