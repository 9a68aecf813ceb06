// `network prune`'s filters as Docker reads them: label (all must match), label! (excluded when all match), until.
import { InvalidParameterError } from '../../errors';
import { apiTimestamp } from '../../units/human';
import type { NetworkRecord } from './index';
import { labelMatches } from '../label-filter';

const ACCEPTED = new Set(['label', 'label!', 'until']);

/** A predicate on networks for the given filters; bad filters are rejected before anything is removed. */
export function pruneFilter(filters: Record<string, string[]>, now = Date.now()): (n: Pick<NetworkRecord, 'created' | 'labels'>) => boolean {
  for (const k of Object.keys(filters)) if (!ACCEPTED.has(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
  const untilValues = filters.until ?? [];
  if (untilValues.length > 1) throw new InvalidParameterError('more than one until filter specified');
  const until = untilValues.length ? untilMs(untilValues[0], now) : undefined;
  const labels = filters.label ?? [];
  const notLabels = filters['label!'] ?? [];
  return (n) => {
    if (until !== undefined && Date.parse(n.created) > until) return false;
    if (!labels.every((l) => labelMatches(n.labels, l))) return false;
    return !(notLabels.length && notLabels.every((l) => labelMatches(n.labels, l)));
  };
}

/** A Go duration before now, an RFC 3339 date or a Unix timestamp, in ms. */
function untilMs(value: string, now: number): number {
  try {
    return Number(apiTimestamp(value, now)) * 1000;
  } catch {
    throw new InvalidParameterError(`invalid filter 'until=${value}': failed to parse value as time or duration`);
  }
}
